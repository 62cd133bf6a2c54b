"""Stories that hold (issue 17): names tip a join but never make one, a dateline is not
what a story is about, and a story is named after the member that best stands for it."""

from __future__ import annotations

from collections import Counter

from tests.story_texts import FIRE_BRANSTEAD, fire_report, patch_report
from wiredesk.wire import similarity as sim


def _story(centroid: dict[str, float], anchors: list[str]) -> sim.StoryState:
    return sim.StoryState(1, centroid, Counter(anchors), 1)


def test_a_story_shared_by_one_name_alone_is_not_joined():
    # A leather export scheme and a ration-card app, both in Uttar Pradesh: the names
    # agree perfectly and are weighted up, the rest has nothing in common.
    story = _story({"leather": 0.6, "footwear": 0.5, "export": 0.4, "uttar": 0.15,
                    "pradesh": 0.15}, ["uttar", "pradesh"])
    item = {"ration": 0.6, "card": 0.5, "app": 0.4, "uttar": 0.15, "pradesh": 0.15}
    names = frozenset({"uttar", "pradesh"})
    params = sim.StoryParams()
    assert sim.story_score(item, names, story, params) is None
    assert sim.best_story(item, names, [story], params)[0] is None
    # Without the rule the names alone would carry the join.
    lax = sim.StoryParams(content_floor=0.0)
    assert sim.best_story(item, names, [story], lax)[0] is story


def test_shared_words_besides_the_names_let_an_item_join():
    story = _story({"flood": 0.6, "river": 0.5, "evacuated": 0.4, "valdoria": 0.5},
                   ["valdoria"])
    item = {"flood": 0.5, "river": 0.5, "evacuated": 0.3, "valdoria": 0.6}
    assert sim.best_story(item, frozenset({"valdoria"}), [story], sim.StoryParams())[0] is story


def test_the_dateline_is_not_what_the_story_is_about():
    body = ("Lucknow (Uttar Pradesh) [India], July 10 (ANI): The state government on "
            "Thursday launched an app for ration card holders, officials said.")
    feats, _keys = sim.features("App for ration card holders", body)
    assert {"lucknow", "uttar", "pradesh", "india", "ani"}.isdisjoint(feats.term_counts)
    assert {"uttar", "pradesh", "india", "ani", "july"}.isdisjoint(feats.anchors)
    assert {"ration", "card", "holders"} <= set(feats.term_counts)
    # Copies are still compared on every word the agency sent.
    plain, _keys = sim.features("App for ration card holders",
                                body.replace("Lucknow (Uttar Pradesh) [India], July 10 (ANI): ",
                                             ""))
    assert feats.word_set > plain.word_set


def test_different_names_keep_a_look_alike_event_out():
    # Another earthquake: the words of every earthquake report, another town and agency.
    story = _story({"earthquake": 0.5, "killed": 0.4, "magnitude": 0.4, "tarven": 0.5,
                    "oskarvik": 0.4}, ["tarven", "oskarvik"])
    item = {"earthquake": 0.5, "killed": 0.4, "magnitude": 0.4, "mirena": 0.5, "dalsk": 0.4}
    names = frozenset({"mirena", "dalsk"})
    plain = sim.cosine(item, story.centroid)
    named = sim.named_cosine(item, story.centroid, names | set(story.anchors), 3.0)
    assert named < plain
    assert sim.best_story(item, names, [story], sim.StoryParams(name_boost=1.0, join=0.3,
                                                                anchor_weight=0.0))[0] is story
    assert sim.best_story(item, names, [story], sim.StoryParams(join=0.3,
                                                                anchor_weight=0.0))[0] is None


def test_the_representative_is_the_member_nearest_the_centroid():
    members = [{"fire": 1.0, "odd": 3.0}, {"fire": 1.0, "store": 1.0},
               {"fire": 1.0, "roof": 1.0}]
    centroid = {"fire": 3.0, "store": 1.8, "odd": 1.0, "roof": 0.2}
    assert sim.representative(members, centroid) == 1
    assert sim.representative([], centroid) is None
    # A tie keeps the first given (the current representative is passed first).
    assert sim.representative([members[1], dict(members[1])], centroid) == 0


def test_reports_of_one_event_still_form_one_story():
    from tests.wire.similarity_indexes import InMemoryStories

    stories = InMemoryStories()
    for n in range(8):
        stories.assign(sim.features(*fire_report(FIRE_BRANSTEAD, n))[0], key=n)
    assert len({stories.story_of(n) for n in range(8)}) == 1


# Two offers to one free agent, told in the same words: one club, its people and its town
# on each side (the shape of ECB+ topic 10), and names every report of either carries.
_OFFER_WORDS = {"offer": 0.5, "free": 0.4, "agent": 0.4, "baseman": 0.4, "contract": 0.5}
_SHARED = {"teixeira", "boras"}
_ANGELS = ["angels", "reagins", "anaheim", "moreno", "scioscia", "160"]
_RED_SOX = ["sox", "epstein", "boston", "henry", "lucchino", "fenway"]


def _offer_names(club: list[str], n: int) -> frozenset[str]:
    """Four of the club's six names (a different four each time) and the shared ones."""
    return frozenset(_SHARED | {club[(n + k) % len(club)] for k in range(4)})


def test_a_blend_told_in_the_same_words_is_split_on_its_names():
    vectors = [dict(_OFFER_WORDS) for _ in range(10)]
    anchors = [_offer_names(_ANGELS, n) for n in range(5)]
    anchors += [_offer_names(_RED_SOX, n) for n in range(5)]
    assert sim.story_parts(vectors, anchors) == [list(range(5)), list(range(5, 10))]
    # The words alone see one event; so does a story with the split on names turned off.
    assert sim.story_parts(vectors) == [list(range(10))]
    assert sim.story_parts(vectors, anchors, name_separation=0.0) == [list(range(10))]


def test_one_event_whose_reports_vary_in_names_stays_whole():
    # Every report names the club's people, each a different selection of them.
    vectors = [dict(_OFFER_WORDS) for _ in range(12)]
    anchors = [_offer_names(_ANGELS, n) for n in range(12)]
    assert sim.story_parts(vectors, anchors) == [list(range(12))]


def test_members_sharing_no_name_go_with_the_larger_part():
    vectors = [dict(_OFFER_WORDS) for _ in range(11)]
    anchors = [_offer_names(_ANGELS, n) for n in range(5)]
    anchors += [_offer_names(_RED_SOX, n) for n in range(4)]
    anchors.insert(1, frozenset())
    anchors.insert(7, frozenset({"yankees"}))
    assert sim.story_parts(vectors, anchors) == [[0, 1, 2, 3, 4, 5, 7], [6, 8, 9, 10]]


def test_two_fragments_of_one_event_are_one_event():
    vectors = [dict(_OFFER_WORDS) for _ in range(6)]
    first = [(vectors[n], _offer_names(_ANGELS, n)) for n in range(3)]
    second = [(vectors[n], _offer_names(_ANGELS, n)) for n in range(3, 6)]
    assert sim.same_event(first, second)
    # Turned off, or with a single report on one side (its names say too little).
    assert not sim.same_event(first, second, name_agreement=0.0)
    assert not sim.same_event(first, second[:1])


def test_look_alike_events_told_in_the_same_words_are_not_one_event():
    vectors = [dict(_OFFER_WORDS) for _ in range(6)]
    angels = [(vectors[n], _offer_names(_ANGELS, n)) for n in range(3)]
    red_sox = [(vectors[n], _offer_names(_RED_SOX, n)) for n in range(3)]
    assert not sim.same_event(angels, red_sox)


def test_the_same_names_in_other_words_are_not_one_event():
    angels = [(dict(_OFFER_WORDS), _offer_names(_ANGELS, n)) for n in range(3)]
    other_words = {"stadium": 0.6, "lease": 0.5, "council": 0.4, "vote": 0.5}
    stadium = [(dict(other_words), _offer_names(_ANGELS, n)) for n in range(3)]
    assert not sim.same_event(angels, stadium)


def test_a_fragment_is_merged_into_the_older_story_as_it_grows():
    from tests.wire.similarity_indexes import InMemoryStories

    stories = InMemoryStories()
    # Two stories of one fire, as single-pass clustering leaves them when the first
    # reports missed each other; the next report that grows one merges them.
    reports = [sim.features(*fire_report(FIRE_BRANSTEAD, n))[0] for n in range(5)]
    for n in range(4):
        stories.assign(reports[n], key=n)
    keys = stories._member_keys[1]
    assert len(keys) == 4
    fragment = stories.members[1][2:]
    stories.members[1] = stories.members[1][:2]
    stories._member_keys[1] = keys[:2]
    stories.stories[1] = sim.story_from_members(1, [v for v, _ in stories.members[1]],
                                                [a for _, a in stories.members[1]])
    stories.stories[9] = sim.story_from_members(9, [v for v, _ in fragment],
                                                [a for _, a in fragment])
    stories.members[9], stories._member_keys[9] = fragment, keys[2:]
    for term in sim.query_terms(stories.stories[9].centroid, 2 * sim.QUERY_TERMS):
        stories.postings.setdefault(term, set()).add(9)
    for key in keys[2:]:
        stories.moved[key] = 9
    stories._next = 10
    assert stories.assign(reports[4], key=4) == 1
    assert {stories.story_of(n) for n in range(5)} == {1}
    assert 9 not in stories.stories and stories.stories[1].size == 5


# Two emergency patches of one browser five years apart (the shape of ECB+ topic 27): the
# same words, names drawn from one pool; only the year each report gives differs.
_PATCH_WORDS = {"patch": 0.5, "emergency": 0.5, "flaw": 0.4, "hackers": 0.4}
_PATCH_POOL = ["microsoft", "internet", "explorer", "windows", "browser", "redmond", "msrc",
               "xp"]


def _patch_names(n: int, year: str) -> frozenset[str]:
    """Five of the pool's eight names (a different five each time) and the year."""
    return frozenset({_PATCH_POOL[(3 * n + k) % len(_PATCH_POOL)] for k in range(5)} | {year})


def test_years_are_names_too():
    assert sim.is_year("2013") and sim.is_year("1998")
    assert not any(sim.is_year(name) for name in ("160", "1850", "20130", "5.6", "ie"))


def test_look_alike_events_of_different_years_are_split_on_their_years():
    vectors = [dict(_PATCH_WORDS) for _ in range(10)]
    anchors = [_patch_names(n, "2008") for n in range(5)]
    anchors += [_patch_names(n + 5, "2013") for n in range(5)]
    assert sim.story_parts(vectors, anchors) == [list(range(5)), list(range(5, 10))]
    # With a year weighing as any other name the parts share too much to be cut.
    assert sim.story_parts(vectors, anchors, year_weight=1.0) == [list(range(10))]


def test_fragments_giving_the_same_year_are_one_event():
    # Each fragment quotes its own people; both give the event's year.
    first = [(dict(_PATCH_WORDS), frozenset({"explorer", "microsoft", "budd", "ferguson",
                                             "2013"})) for _ in range(3)]
    second = [(dict(_PATCH_WORDS), frozenset({"explorer", "microsoft", "kandek", "storms",
                                              "2013"})) for _ in range(3)]
    assert sim.same_event(first, second)
    assert not sim.same_event(first, second, year_weight=1.0)


def test_reports_of_two_years_blended_by_eager_joining_are_split_on_their_years():
    from tests.wire.similarity_indexes import InMemoryStories

    eager = {"join": 0.0, "anchor_weight": 0.0, "content_floor": 0.0}
    for year_weight, stories_made in ((sim.YEAR_WEIGHT, 2), (1.0, 1)):
        stories = InMemoryStories(sim.StoryParams(**eager, year_weight=year_weight))
        years = [year for _ in range(6) for year in ("2008", "2013")]
        for key, year in enumerate(years):
            stories.assign(sim.features(*patch_report(key // 2, year))[0], key=key)
        by_year = {year: {stories.story_of(k) for k, y in enumerate(years) if y == year}
                   for year in ("2008", "2013")}
        assert all(len(found) == 1 for found in by_year.values())
        assert len(by_year["2008"] | by_year["2013"]) == stories_made


def test_a_story_keeps_the_same_names_whatever_order_they_came_in():
    # More names than a story keeps, all as common: which are kept must not depend on
    # the order a set of names happened to be iterated in (it changes between processes).
    names = [f"name{n:03d}" for n in range(4 * sim.MAX_ANCHORS + 1)]
    kept = []
    for order in (names, names[::-1]):
        story = sim.StoryState(1, {}, Counter(), 0)
        sim.add_to_centroid(story, {"fire": 1.0}, order)
        kept.append(set(story.anchors))
    assert kept[0] == kept[1] == set(names[:2 * sim.MAX_ANCHORS])


def _weighted(weights: dict[str, float], names: set[str], boost: float) -> dict[str, float]:
    return {t: w * boost if t in names else w for t, w in weights.items()}


def _random_vector(rng, vocabulary: list[str], size: int) -> dict[str, float]:
    terms = rng.sample(vocabulary, size)
    weights = [rng.random() ** 3 for _ in terms]
    return dict(zip(terms, weights, strict=True))


def test_a_kept_norm_and_the_named_cosine_give_the_same_figures_to_the_bit():
    # Issue 16: a story's length is computed once per row read and an item's once per
    # article, and names are weighted without building weighted copies. A join decided on
    # a figure one unit in the last place apart could go the other way, so the figures
    # must be exactly those of the plain formula over the copies.
    import random

    rng = random.Random(16)
    vocabulary = [f"t{n}" for n in range(400)]
    for _ in range(300):
        item = _random_vector(rng, vocabulary, rng.randint(1, 60))
        centroid = _random_vector(rng, vocabulary, rng.randint(1, 120))
        names = set(rng.sample(vocabulary, 40))
        for boost in (2.0, 1.7, sim.NAME_TERM_BOOST):
            over_copies = sim.cosine(_weighted(item, names, boost),
                                     _weighted(centroid, names, boost))
            assert sim.named_cosine(item, centroid, names, boost) == over_copies
        plain = sim.cosine(item, centroid)
        assert sim.cosine(item, centroid, sim.norm(item), sim.norm(centroid)) == plain
        assert sim.cosine(centroid, item, sim.norm(centroid), sim.norm(item)) == plain
        story = sim.StoryState(1, centroid, Counter(names), 3)
        fresh = sim.story_score(item, frozenset(names), story, sim.StoryParams())
        kept = sim.story_score(item, frozenset(names), story, sim.StoryParams(),
                               vector_norm=sim.norm(item))
        assert kept == fresh and story.norm == sim.norm(centroid)


def test_a_story_that_grows_forgets_its_kept_norm():
    story = sim.StoryState(1, {"fire": 1.0}, Counter(), 1)
    item = {"fire": 0.6, "store": 0.8}
    sim.story_score(item, frozenset(), story, sim.StoryParams())
    assert story.norm == 1.0
    sim.add_to_centroid(story, item, [])
    assert story.norm is None
    assert sim.story_score(item, frozenset(), story, sim.StoryParams()) == \
        sim.cosine(item, {"fire": 1.6, "store": 0.8})
