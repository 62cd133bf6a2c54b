"""Stories: single-pass clustering of items into the events they report.

Each story keeps a centroid (top terms) and its anchor set; an item joins the best story
found through its top terms (an inverted index) when TF-IDF cosine, corrected by anchor
agreement, clears a threshold, otherwise it starts a story. IDF comes from document
frequencies maintained incrementally. Single-pass clustering cannot undo an early
mistake: when the first reports of two look-alike events (two fires at two branches of
one supermarket chain) meet while both are small, every later report joins the blend. So
each time a story grows, its recent members are checked for the shape of two events and
a blend is split; and the other way round, a story that grows is merged with a fragment
of its own event left apart by the same single pass (both in :mod:`.parts`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from wiredesk.wire.similarity.item_features import MAX_ANCHORS, Features
from wiredesk.wire.similarity.parts import (
    MERGE_NAME_AGREEMENT,
    SPLIT_NAME_SEPARATION,
    YEAR_WEIGHT,
)

VECTOR_TERMS = 60  # an item's TF-IDF vector keeps its strongest terms
CENTROID_TERMS = 120
QUERY_TERMS = 12  # terms used to look up candidate stories
# When an item is compared with a story, names (the anchors either has) weigh this many
# times a common word: two earthquakes share "earthquake", "killed" and "magnitude"; the
# town, the people and the agencies quoted are what tell them apart. Only the comparison
# weighs them: stored vectors and centroids stay plain TF-IDF (SEE ALSO reads them).
# Chosen by cross-validation over ECB+ topics (``benchmarks/stories.py --cv 5``) among 1
# (none), 2 and 3.
NAME_TERM_BOOST = 2.0


class DocumentFrequencies(Protocol):
    def total(self) -> int: ...

    def counts(self, terms: Iterable[str]) -> Mapping[str, int]: ...

    def add(self, terms: Iterable[str]) -> None: ...


def tfidf_vector(feats: Features, frequencies: DocumentFrequencies, *,
                 keep: int = VECTOR_TERMS) -> dict[str, float]:
    """Unit-length sublinear TF-IDF over the item's strongest terms; headline words count double."""
    if not feats.term_counts:
        return {}
    n = frequencies.total()
    df = frequencies.counts(feats.term_counts)
    weights = {}
    for term, count in feats.term_counts.items():
        idf = math.log((n + 1) / (df.get(term, 0) + 1)) + 1.0
        tf = 1.0 + math.log(count) + (1.0 if term in feats.headline_terms else 0.0)
        weights[term] = tf * idf
    top = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:keep]
    norm = math.sqrt(sum(w * w for _, w in top)) or 1.0
    return {t: w / norm for t, w in top}


def norm(weights: Mapping[str, float]) -> float:
    """A vector's length, as :func:`cosine` computes it (kept by callers that compare one
    vector with many: the same additions in the same order, so the same figure)."""
    return math.sqrt(sum([w * w for w in weights.values()]))


def cosine(a: Mapping[str, float], b: Mapping[str, float], norm_a: float | None = None,
           norm_b: float | None = None) -> float:
    """``norm_a``/``norm_b``: the vectors' :func:`norm` when the caller keeps them."""
    if len(a) > len(b):
        a, b = b, a
        norm_a, norm_b = norm_b, norm_a
    # Lists summed, not generators: the same additions in the same order (so the same
    # figure to the bit), a third faster; a story is compared with twenty a turn.
    get = b.get
    dot = sum([w * get(t, 0.0) for t, w in a.items()])
    na = norm(a) if norm_a is None else norm_a
    nb = norm(b) if norm_b is None else norm_b
    return dot / (na * nb) if na and nb else 0.0


def query_terms(vector: Mapping[str, float], limit: int = QUERY_TERMS) -> list[str]:
    return [t for t, _ in sorted(vector.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]


@dataclass(slots=True)
class StoryState:
    """What clustering needs to know about a story (the database keeps it per story)."""

    story_id: int
    centroid: dict[str, float]  # sum of member vectors, truncated
    anchors: Counter[str]
    size: int
    last_seen: datetime | None = None
    # The centroid's :func:`norm` once computed (None until then; a change forgets it).
    norm: float | None = None


@dataclass(frozen=True, slots=True)
class StoryParams:
    join: float = 0.22  # cosine to the centroid needed to join a story (splits undo blends)
    anchor_weight: float = 0.20  # how much agreeing (or clashing) names and numbers count
    # Shared names tip a close call, never make one: an item joins only when its plain
    # cosine (names as any other word) reaches this much (two ANI items, a ration-card app
    # and a leather export scheme, shared little but "Uttar Pradesh"). An editorial rule,
    # not fitted: ECB+ holds no such pairs, and cross-validation there prefers no floor
    # (the cost of this one is in BENCHMARKS.md).
    content_floor: float = 0.10
    name_boost: float = NAME_TERM_BOOST  # names' weight when an item meets a story
    window: timedelta = timedelta(days=7)  # a story keeps growing while items keep coming
    # A story whose members' words do not fall apart is still split when their names do
    # (:func:`story_parts`); 0 turns that off.
    name_separation: float = SPLIT_NAME_SEPARATION
    # Two stories are merged when their members name the same things about as much across
    # as within (:func:`same_event`); 0 turns that off.
    merge_names: float = MERGE_NAME_AGREEMENT
    # In both, a year among the names weighs this many times any other name (1: a year
    # is any name).
    year_weight: float = YEAR_WEIGHT


def anchor_agreement(item: frozenset[str], story: Counter[str], size: int) -> float:
    """In [-1, 1]: how well the item's names and numbers fit the story's usual ones.

    Anchors that at least two members (or the single member) share are the story's own;
    an item naming none of them points at a different event of the same kind.
    """
    if not item or not story:
        return 0.0
    floor = 1 if size < 3 else 2
    core = {a for a, c in story.items() if c >= floor}
    if not core:
        return 0.0
    shared = len(item & core)
    ratio = shared / min(len(item), len(core))
    return min(1.0, 2.0 * ratio) * 2.0 - 1.0 if ratio < 0.5 else 1.0


def named_cosine(vector: Mapping[str, float], centroid: Mapping[str, float],
                 names: Container[str], name_boost: float) -> float:
    """The cosine with the weights of ``names`` multiplied by ``name_boost``."""
    if name_boost == 1.0:
        return cosine(vector, centroid)
    return _boosted_cosine(vector, centroid, names, name_boost)


def _boosted_cosine(a: Mapping[str, float], b: Mapping[str, float], names: Container[str],
                    boost: float) -> float:
    """:func:`cosine` of the two with ``names``' weights times ``boost``, without building
    the weighted copies: each weight multiplied as the copy would hold it, the products
    and sums in the order :func:`cosine` makes them over the copies (the same figure to
    the bit, which ``tests/wire/test_similarity_stories.py`` checks)."""
    if len(a) > len(b):
        a, b = b, a
    get = b.get
    dot = sum([(w * boost) * (get(t, 0.0) * boost) if t in names else w * get(t, 0.0)
               for t, w in a.items()])
    na = math.sqrt(sum([(w * boost) * (w * boost) if t in names else w * w
                        for t, w in a.items()]))
    nb = math.sqrt(sum([(w * boost) * (w * boost) if t in names else w * w
                        for t, w in b.items()]))
    return dot / (na * nb) if na and nb else 0.0


def story_score(vector: Mapping[str, float], anchors: frozenset[str], story: StoryState,
                params: StoryParams, *, vector_norm: float | None = None) -> float | None:
    """How well an item fits a story, names weighted up; None when the plain cosine (names
    as any other word) is under :attr:`StoryParams.content_floor`: what they share is
    names and little else. ``vector_norm``: the vector's :func:`norm`, when the caller
    compares it with many stories."""
    if story.norm is None:
        story.norm = norm(story.centroid)
    if cosine(vector, story.centroid, vector_norm, story.norm) < params.content_floor:
        return None
    names = _Either(anchors, story.anchors)
    return (named_cosine(vector, story.centroid, names, params.name_boost)
            + params.anchor_weight * anchor_agreement(anchors, story.anchors, story.size))


class _Either:
    """Membership in either of two collections, without building their union."""

    __slots__ = ("first", "second")

    def __init__(self, first: Container[str], second: Container[str]) -> None:
        self.first, self.second = first, second

    def __contains__(self, item: object) -> bool:
        return item in self.first or item in self.second


def best_story(vector: Mapping[str, float], anchors: frozenset[str],
               candidates: Iterable[StoryState], params: StoryParams
               ) -> tuple[StoryState | None, float]:
    best, best_score = None, -1.0
    vector_norm = norm(vector)
    for story in candidates:
        score = story_score(vector, anchors, story, params, vector_norm=vector_norm)
        if score is None:
            continue
        if score > best_score or (score == best_score and best is not None
                                  and story.story_id < best.story_id):
            best, best_score = story, score
    if best is None or best_score < params.join:
        return None, best_score
    return best, best_score


def add_to_centroid(story: StoryState, vector: Mapping[str, float], anchors: Iterable[str]
                    ) -> None:
    merged = dict(story.centroid)
    for term, weight in vector.items():
        merged[term] = merged.get(term, 0.0) + weight
    story.centroid = dict(sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))
                          [:CENTROID_TERMS])
    story.norm = None
    story.anchors.update(anchors)
    if len(story.anchors) > 4 * MAX_ANCHORS:
        # The most common names; ties by name, not by the order a set of names happened
        # to be added in (a set's order changes from one process to the next).
        story.anchors = Counter(dict(sorted(story.anchors.items(),
                                            key=lambda kv: (-kv[1], kv[0]))
                                     [:2 * MAX_ANCHORS]))
    story.size += 1


def representative(vectors: Sequence[Mapping[str, float]], centroid: Mapping[str, float]
                   ) -> int | None:
    """The member that best stands for the story: the one nearest its centroid (ties:
    the earliest given). A story takes its headline, address and summary from it."""
    best, best_score = None, -1.0
    centroid_norm = norm(centroid)
    for index, vector in enumerate(vectors):
        score = cosine(vector, centroid, None, centroid_norm)
        if score > best_score:
            best, best_score = index, score
    return best


def story_from_members(story_id: int, vectors: Iterable[Mapping[str, float]],
                       anchors: Iterable[Iterable[str]], last_seen: datetime | None = None
                       ) -> StoryState:
    """A story's clustering state rebuilt from its members (after a split)."""
    state = StoryState(story_id, {}, Counter(), 0, last_seen)
    for vector, names in zip(vectors, anchors, strict=True):
        add_to_centroid(state, vector, names)
    return state
