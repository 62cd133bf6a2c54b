from collections import Counter
from datetime import UTC, datetime, timedelta

from tests.story_texts import COURT, COURT_LOOKALIKE, FLOOD, MATCH
from wiredesk.wire import similarity as sim


def feats(paragraphs, headline="", **kwargs):
    return sim.features(headline, "\n".join(paragraphs), **kwargs)[0]


def test_copy_with_edits_is_a_near_duplicate_and_other_stories_are_not():
    original = feats(FLOOD, "Floods force thousands from homes")
    edited = list(FLOOD)
    del edited[4]  # a paragraph cut
    edited[0] = "PORT ELSMERE, July 11 (Wire) -- " + edited[0].replace("about", "nearly")
    edited[2], edited[3] = edited[3], edited[2]  # reordered
    copy = feats(edited, "Thousands evacuated as Valdoria river floods")
    other = feats(COURT, "Former minister jailed")
    assert sim.is_near_duplicate(original, copy)
    assert not sim.is_near_duplicate(original, other)
    assert sim.worth_comparing(original.signature, original.word_set_size,
                               copy.signature, copy.word_set_size)
    # LSH finds the copy by key equality, no scan needed
    assert set(original.bands) & set(copy.bands)
    assert not set(original.bands) & set(other.bands)


def test_same_event_rewritten_by_another_reporter_is_not_a_copy():
    first = feats(COURT, "Former minister jailed")
    rewrite = feats([
        "Teodor Vasek, a former transport minister, was jailed for nine years on Tuesday by a "
        "Harlow City court that found him guilty of taking bribes over a motorway contract.",
        "The court found he took 2.3 million in cash and a coastal villa from the Kestrel "
        "Group, winner of the 2019 ring road tender, Judge Amalia Ruiz said.",
        "His lawyers said they would appeal. Vasek had denied the charges during the trial.",
        "Kestrel Group executives who cooperated got suspended sentences; the firm was fined.",
    ], "Ex-minister Vasek gets nine years")
    assert not sim.is_near_duplicate(first, rewrite)


def test_tiny_and_empty_items_never_match_anything():
    empty = feats([], "")
    word = feats(["Breaking"], "Breaking")
    assert empty.shingle_count == 0 and empty.bands == []
    assert word.bands == []
    assert not sim.is_near_duplicate(empty, empty)
    assert not sim.is_near_duplicate(word, word)


def test_enormous_item_is_capped():
    huge = feats(["word " * 200_000, *FLOOD])
    assert huge.word_count <= sim.MAX_TEXT_CHARS


def test_furniture_and_source_boilerplate_are_not_evidence():
    promo = ["Get a daily dose of Chile Sun news through our daily email.",
             "SEE ALSO: Something else entirely",
             "Our newsroom is open around the clock for tips and pictures from readers."]
    memory = sim.InMemoryLineMemory()
    source = "agency:1"
    for i in range(4):  # the same feed repeats its promotion line under every item
        _f, keys = sim.features(f"Item {i}", "\n".join([f"Unique text number {i} here.", *promo]),
                                source=source, memory=memory)
        memory.remember(source, keys)
    a = feats([MATCH[0], *promo], source=source, memory=memory)
    b = feats([COURT[0], *promo], source=source, memory=memory)
    assert not sim.is_near_duplicate(a, b)
    assert "newsroom" not in a.term_counts and "daily" not in a.term_counts


def test_online_clustering_keeps_lookalike_events_apart():
    stories = sim.InMemoryStories()
    now = datetime(2025, 7, 11, tzinfo=UTC)
    ids = {}
    texts = (("flood", FLOOD), ("court", COURT), ("lookalike", COURT_LOOKALIKE),
             ("match", MATCH))
    for name, text in texts:  # first reports
        ids[name] = stories.assign(feats(text[:-1], text[0][:60]), when=now)
    for name, text in texts:  # follow-ups from other agencies, rewritten and reordered
        ids[name + "2"] = stories.assign(feats(text[:0:-1], text[-1][:60]),
                                         when=now + timedelta(hours=5))
    for name in ("flood", "court", "lookalike", "match"):
        assert ids[name] == ids[name + "2"], name
    assert len({ids[n] for n in ("flood", "court", "lookalike", "match")}) == 4


def test_story_window_closes():
    stories = sim.InMemoryStories()
    now = datetime(2025, 7, 11, tzinfo=UTC)
    first = stories.assign(feats(FLOOD), when=now)
    assert stories.assign(feats(FLOOD[1:]), when=now + timedelta(days=30)) != first


def test_anchor_agreement_signs():
    story = Counter({"vasek": 3, "kestrel": 2, "harlow": 2})
    assert sim.anchor_agreement(frozenset({"vasek", "kestrel"}), story, 3) > 0
    assert sim.anchor_agreement(frozenset({"gavril", "pellmont"}), story, 3) < 0


def test_related_ranking_excludes_own_story_and_keeps_one_per_story():
    now = datetime(2025, 7, 11, tzinfo=UTC)
    cands = [sim.RelatedCandidate(1, 0.9, now), sim.RelatedCandidate(2, 0.5, now, "world"),
             sim.RelatedCandidate(2, 0.6, now), sim.RelatedCandidate(3, 0.55, now - timedelta(
                 days=30)), sim.RelatedCandidate(4, 0.01, now)]
    ranked = sim.rank_related(cands, own_story=1, section="world", now=now)
    assert [c.story_id for c in ranked] == [2, 3]


def test_unrelated_texts_have_low_estimated_jaccard_and_copies_high():
    flood, court, match = feats(FLOOD), feats(COURT), feats(MATCH)
    assert sim.estimated_jaccard(flood.signature, court.signature) < 0.1
    assert sim.estimated_jaccard(flood.signature, match.signature) < 0.1
    assert sim.estimated_jaccard(court.signature, match.signature) < 0.1
    copy = feats(FLOOD[:-1])
    assert sim.estimated_jaccard(flood.signature, copy.signature) > 0.6
    # the estimate tracks the true Jaccard of the word sets
    true = len(flood.word_set & copy.word_set) / len(flood.word_set | copy.word_set)
    assert abs(sim.estimated_jaccard(flood.signature, copy.signature) - true) < 0.15
