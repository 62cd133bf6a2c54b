"""SEE ALSO's pure rules: relevant or absent (the floor), another story of the same kind
rather than the same event again (names), no story shown everywhere (diversity)."""

from collections import Counter
from datetime import UTC, datetime, timedelta

from tests.story_texts import COURT, FLOOD, MATCH, QUAKE_MIRENA, QUAKE_TARVEN
from tests.wire.similarity_indexes import InMemoryRelated, InMemoryStories
from wiredesk.wire import similarity as sim

NOW = datetime(2025, 7, 11, tzinfo=UTC)


def cand(story_id, similarity, **kwargs):
    return sim.RelatedCandidate(story_id, similarity, NOW, **kwargs)


def test_nothing_under_the_confidence_floor_is_shown():
    below = sim.RELATED_FLOOR - 0.01
    assert sim.rank_related([cand(2, below), cand(3, 0.02)], own_story=1, now=NOW) == []
    ranked = sim.rank_related([cand(2, below), cand(3, sim.RELATED_FLOOR + 0.01)],
                              own_story=1, now=NOW)
    assert [c.story_id for c in ranked] == [3]
    # Recency, section and diversity reorder what cleared the floor; they never lift a
    # candidate over it.
    assert sim.rank_related([cand(2, below, section="world")], own_story=1, section="world",
                            now=NOW) == []


def test_shared_names_count_toward_the_floor():
    # Just under the floor on words, but about the same club or city: worth a link.
    same_subject = cand(2, sim.RELATED_FLOOR - 0.02, names=0.3)
    other_kind = cand(3, sim.RELATED_FLOOR - 0.02)
    ranked = sim.rank_related([same_subject, other_kind], own_story=1, now=NOW)
    assert [c.story_id for c in ranked] == [2]
    assert sim.rank_related([same_subject], own_story=1, now=NOW, floor_name_weight=0.0) == []


def test_the_same_event_told_again_is_never_shown():
    # Its names more alike than the stories as a whole, its core names agreeing.
    told_again = cand(2, 0.40, names=0.6, agreement=0.5)
    assert sim.is_same_event(told_again)
    assert sim.rank_related([told_again], own_story=1, now=NOW) == []
    assert [c.story_id for c in sim.rank_related([told_again], own_story=1, now=NOW,
                                                 same_event_ratio=0.0)] == [2]
    # The same names with clashing core names: the club's other match, shown.
    other_event = cand(3, 0.40, names=0.6, agreement=-0.5)
    assert not sim.is_same_event(other_event)
    assert [c.story_id for c in sim.rank_related([told_again, other_event], own_story=1,
                                                 now=NOW)] == [3]


def test_a_story_many_others_show_loses_to_an_equal_fresh_one():
    hub = cand(2, 0.40, picks=3 * sim.DIVERSITY_PICKS)
    fresh = cand(3, 0.35)
    ranked = sim.rank_related([hub, fresh], own_story=1, now=NOW)
    assert [c.story_id for c in ranked] == [3, 2]
    assert ranked[1].score < ranked[0].score
    # Without the rule the stronger similarity would win.
    ranked = sim.rank_related([hub, fresh], own_story=1, now=NOW, diversity=0)
    assert [c.story_id for c in ranked] == [2, 3]


def test_sharing_the_names_too_is_the_same_event_told_again():
    same_event = cand(2, 0.45, names=0.8)
    other_of_its_kind = cand(3, 0.35, names=0.1)
    ranked = sim.rank_related([same_event, other_of_its_kind], own_story=1, now=NOW)
    assert [c.story_id for c in ranked] == [3, 2]


def test_agreeing_core_names_are_the_same_event_told_again():
    quake = sim.StoryState(1, {"quake": 1.0}, Counter(mirena=3, rescuers=2, tuesday=1), 3)
    told_again = sim.StoryState(2, {"quake": 1.0}, Counter(mirena=2, rescuers=2), 3)
    other_quake = sim.StoryState(3, {"quake": 1.0}, Counter(tarven=3, firefighters=2), 3)
    assert sim.core_agreement(quake, told_again) == 1.0
    assert sim.core_agreement(quake, other_quake) == -1.0
    # Alike in all else, the other earthquake comes first; without the rule the lower id would.
    cands = [cand(2, 0.40, agreement=1.0), cand(3, 0.40, agreement=-1.0)]
    assert [c.story_id for c in sim.rank_related(cands, own_story=1, now=NOW)] == [3, 2]
    assert [c.story_id for c in sim.rank_related(cands, own_story=1, now=NOW,
                                                 agreement_weight=0.0)] == [2, 3]
    found = sim.story_candidates(quake, [told_again, other_quake])
    assert {c.story_id: c.agreement for c in found} == {2: 1.0, 3: -1.0}


def test_recency_and_section_only_break_ties():
    old_same_section = sim.RelatedCandidate(2, 0.40, NOW - timedelta(days=20), "world")
    fresh_other_section = cand(3, 0.30, section="sport")
    ranked = sim.rank_related([old_same_section, fresh_other_section], own_story=1,
                              section="world", now=NOW)
    assert [c.story_id for c in ranked] == [2, 3]
    tie = sim.rank_related([cand(4, 0.30, section="sport"), cand(5, 0.30, section="world")],
                           own_story=1, section="world", now=NOW)
    assert [c.story_id for c in tie] == [5, 4]


def test_terms_are_compared_by_their_stem():
    assert sim.related_term("kazakhstan’s") == sim.related_term("kazakh")
    assert sim.related_term("exporters") == sim.related_term("export")
    assert sim.related_term("russia's") == sim.related_term("russian")
    whole, names = sim.related_similarity({"kazakhstan’s": 1.0, "grain": 1.0}, ["kazakhstan’s"],
                                          {"kazakh": 1.0, "grain": 1.0}, ["kazakh"])
    assert whole > 0.99 and names > 0.99


def test_two_earthquakes_are_each_others_see_also_and_other_news_shows_none():
    stories = InMemoryStories()
    related = InMemoryRelated(stories)
    ids = {}
    for name, text in (("tarven", QUAKE_TARVEN), ("flood", FLOOD), ("court", COURT),
                       ("match", MATCH), ("mirena", QUAKE_MIRENA)):
        ids[name] = stories.assign(sim.features("", "\n".join(text))[0], when=NOW)
        related.after_assign(ids[name], when=NOW)
    assert len(set(ids.values())) == 5  # two events, two stories: clustering kept them apart
    assert related.see_also(ids["mirena"]) == [ids["tarven"]]
    # The first quake's story learnt of the second when it was picked by it.
    assert related.see_also(ids["tarven"]) == [ids["mirena"]]
    for other in ("flood", "court", "match"):
        assert related.see_also(ids[other]) == []


def _reference_likeness(story, other):
    """The two figures as the comparison was first written, pair by pair, with generators."""
    import math

    def stemmed(vector):
        merged = {}
        for term, weight in vector.items():
            stem = sim.related_term(term)
            merged[stem] = merged.get(stem, 0.0) + weight
        return merged

    def cosine(a, b):
        if len(a) > len(b):
            a, b = b, a
        dot = sum(w * b.get(t, 0.0) for t, w in a.items())
        na = math.sqrt(sum(w * w for w in a.values()))
        nb = math.sqrt(sum(w * w for w in b.values()))
        return dot / (na * nb) if na and nb else 0.0

    mine, theirs = stemmed(story.centroid), stemmed(other.centroid)
    names = ({sim.related_term(a) for a in story.anchors}
             | {sim.related_term(a) for a in other.anchors})
    if not names:
        return cosine(mine, theirs), 0.0
    return cosine(mine, theirs), cosine({t: w for t, w in mine.items() if t in names},
                                        {t: w for t, w in theirs.items() if t in names})


def test_candidates_carry_the_pairwise_figures_to_the_bit():
    """``story_candidates`` makes each story's core names and stems once per ranking: every
    figure is still the pairwise functions' own, exactly (random stories, some with no
    names, some whose names are all named once)."""
    import random

    rng = random.Random(16)
    words = ["quake", "quakes", "tarven", "mirena", "rescue", "rescuers", "flood", "court",
             "vote", "7.1", "tuesday", "dam", "minister's", "minister"]

    def state(story_id):
        centroid = {w: rng.random() * 3 for w in rng.sample(words, rng.randint(0, 9))}
        anchors = Counter({w: rng.randint(0, 3) for w in rng.sample(words, rng.randint(0, 5))})
        return sim.StoryState(story_id, centroid, anchors, rng.randint(1, 6), NOW)

    for _ in range(200):
        story, others = state(1), [state(n) for n in range(2, 9)]
        found = sim.story_candidates(story, others)
        assert [c.story_id for c in found] == [o.story_id for o in others]
        for cand, other in zip(found, others, strict=True):
            assert cand.agreement == sim.core_agreement(story, other)
            assert (cand.similarity, cand.names) == _reference_likeness(story, other)
        # The same with kept stems (a caller that keeps them passes its own too): the
        # pairs' likeness kept and given again, the same figures, twice over.
        stems = [sim.stemmed_story(o.centroid, o.anchors) for o in others]
        own = sim.stemmed_story(story.centroid, story.anchors)
        for _again in range(2):
            assert sim.story_candidates(story, others, stems=stems, own_stems=own) == found


def test_candidates_under_the_floor_left_out_change_no_ranking():
    """``story_candidates(..., floor=...)`` leaves out the stories that cannot clear
    ``rank_related``'s floor whatever their names' likeness: every one left out fails
    ``clears_floor``, the rest are the same candidates, and every ranking is the same, with
    kept stems too (a pair first ruled out, then needed without a floor). Stories are made
    so that many pairs fall near the floor with names alike (a wrong bound shows)."""
    import random

    rng = random.Random(1616)
    words = [f"word{n}" for n in range(40)]
    names = ["tarven", "mirena", "7.1", "dam", "court", "minister"]
    floor = (sim.RELATED_FLOOR, sim.FLOOR_NAME_WEIGHT)

    def state(story_id):
        centroid = {w: rng.random() * 3 for w in rng.sample(words, rng.randint(3, 25))}
        chosen = rng.sample(names, rng.randint(0, 4))
        centroid.update({n: rng.random() * 2 for n in chosen})
        anchors = Counter({n: rng.randint(1, 3) for n in chosen})
        return sim.StoryState(story_id, centroid, anchors, rng.randint(1, 6), NOW)

    left_out = near = 0
    for _ in range(300):
        story, others = state(1), [state(n) for n in range(2, 12)]
        every = sim.story_candidates(story, others)
        some = sim.story_candidates(story, others, floor=floor)
        by_id = {c.story_id: c for c in some}
        for cand in every:
            if cand.story_id in by_id:
                assert by_id[cand.story_id] == cand
            else:
                left_out += 1
                assert not sim.clears_floor(cand)
            near += sim.clears_floor(cand) and cand.similarity < floor[0]
        assert (sim.rank_related(some, own_story=1, now=NOW)
                == sim.rank_related(every, own_story=1, now=NOW))
        stems = [sim.stemmed_story(o.centroid, o.anchors) for o in others]
        own = sim.stemmed_story(story.centroid, story.anchors)
        assert sim.story_candidates(story, others, stems=stems, own_stems=own,
                                    floor=floor) == some
        assert sim.story_candidates(story, others, stems=stems, own_stems=own) == every
    # Both kinds of pair were met: left out, and clearing the floor by their names alone.
    assert left_out > 100 and near > 20
