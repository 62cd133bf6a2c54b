from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from tests.story_texts import (
    COURT,
    COURT_LOOKALIKE,
    FIRE_BRANSTEAD,
    FIRE_WELLMORE,
    FLOOD,
    MATCH,
    fire_report,
)
from tests.wire.similarity_indexes import (
    InMemoryDocumentFrequencies,
    InMemoryLineMemory,
    InMemoryStories,
)
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
    memory = InMemoryLineMemory()
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
    stories = InMemoryStories()
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
    stories = InMemoryStories()
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


def _two_fires(stories):
    """The two fires' reports arriving in turns; the story each report ends in."""
    for number in range(6):
        for offset, event in ((0, FIRE_BRANSTEAD), (50, FIRE_WELLMORE)):
            stories.assign(sim.features(*fire_report(event, number))[0], key=offset + number)
    return ([stories.story_of(n) for n in range(6)],
            [stories.story_of(50 + n) for n in range(6)])


def test_lookalike_events_blended_while_small_are_split_apart(monkeypatch):
    # Joining made far too eager: every fire report lands in the first fire's story...
    eager = sim.StoryParams(join=0.0, anchor_weight=0.0, content_floor=0.0)
    monkeypatch.setattr(sim, "SPLIT_MIN_SIZE", 10**6)
    branstead, wellmore = _two_fires(InMemoryStories(eager))
    assert set(branstead) == set(wellmore)
    # ...and the check on growing stories still pulls the two events apart.
    monkeypatch.undo()
    branstead, wellmore = _two_fires(InMemoryStories(eager))
    assert len(set(branstead)) == 1 and len(set(wellmore)) == 1
    assert branstead[0] != wellmore[0]


def _vectors(reports):
    """TF-IDF vectors as an archive holding both fires and other news would weigh them."""
    frequencies = InMemoryDocumentFrequencies()
    archive = [fire_report(event, n) for event in (FIRE_BRANSTEAD, FIRE_WELLMORE)
               for n in range(15)]
    archive += [(text[0][:60], "\n".join(text)) for text in (FLOOD, COURT, MATCH)]
    for report in archive:
        frequencies.add(sim.features(*report)[0].term_counts)
    return [sim.tfidf_vector(sim.features(*report)[0], frequencies) for report in reports]


def test_story_parts_finds_the_two_events_and_keeps_one_event_whole():
    reports = [fire_report(FIRE_BRANSTEAD, n) for n in range(6)]
    reports += [fire_report(FIRE_WELLMORE, n) for n in range(6)]
    vectors = _vectors(reports)
    assert sim.story_parts(vectors) == [list(range(6)), list(range(6, 12))]
    one_event = _vectors([fire_report(FIRE_BRANSTEAD, n) for n in range(15)])
    assert sim.story_parts(one_event) == [list(range(15))]


@pytest.mark.parametrize("count", [0, 1, 2 * sim.SPLIT_MIN_PART - 1])
def test_story_parts_needs_enough_members_for_two_parts(count):
    vectors = _vectors([fire_report(FIRE_BRANSTEAD, n) for n in range(count)])
    assert sim.story_parts(vectors) == [list(range(count))]


def test_story_parts_places_members_without_terms_in_the_largest_part():
    reports = [fire_report(FIRE_BRANSTEAD, n) for n in range(5)]
    reports += [fire_report(FIRE_WELLMORE, n) for n in range(4)]
    vectors = _vectors(reports)
    vectors.insert(2, {})
    parts = sim.story_parts(vectors)
    assert parts == [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9]]


def test_story_rebuilt_from_members_matches_one_built_by_joins():
    vectors = _vectors([fire_report(FIRE_BRANSTEAD, n) for n in range(3)])
    names = [frozenset({"branstead", "hollins"}), frozenset({"branstead"}), frozenset()]
    joined = sim.StoryState(7, {}, Counter(), 0)
    for vector, anchors in zip(vectors, names, strict=True):
        sim.add_to_centroid(joined, vector, anchors)
    rebuilt = sim.story_from_members(7, vectors, names)
    assert rebuilt.centroid == joined.centroid and rebuilt.anchors == joined.anchors
    assert rebuilt.size == 3


def test_story_parts_never_cuts_an_even_group_into_cliques():
    # Nine reports with the same terms: links between equals are decided by rounding, and
    # could close into two cliques; the parts would be no less alike than their members.
    same = _vectors([fire_report(FIRE_BRANSTEAD, 0)])[0]
    assert sim.story_parts([dict(same) for _ in range(9)]) == [list(range(9))]
    # Two groups whose members are a shade closer to each other (0.918) than across (0.909):
    # every member's two nearest are in its own group, but that is not two events.
    shades = [{"fire": 1.0, f"group{i // 4}": 0.1, f"own{i}": 0.3} for i in range(8)]
    assert sim.story_parts(shades) == [list(range(8))]
