"""Related stories ("SEE ALSO"): another story of the same kind, or nothing.

A story is compared with others as a whole, centroid to centroid (the terms of all its
reports, so one odd report weighs little). A good SEE ALSO is *another* story of the same
kind — the other earthquake, the other rehab, the other route round the sanctions — so the
names two stories share count against a pick while what they say counts for it
(:func:`related_similarity`, :data:`NAME_WEIGHT`): sharing both is the same event told
again, which the story page already lists. So do the names each story keeps coming back
to, as clustering counts them (:func:`core_agreement`, :data:`AGREEMENT_WEIGHT`): the other
earthquake's core names clash with this one's. Then (:func:`rank_related`):

* a **confidence floor** (:data:`RELATED_FLOOR`) on the similarity with the names' likeness
  added (:data:`FLOOR_NAME_WEIGHT`): whether two stories are about the same kind of thing
  at all, where shared names (the same team, the same city) are evidence too. Below it a
  link is a guess, and no box is better than a wrong one;
* a **second account of the same event** is never shown (:data:`SAME_EVENT_RATIO`): a
  candidate whose names are more alike than its words and whose core names agree is this
  event told again, which the story page lists already;
* **diversity**: a story already shown by other stories loses weight with each of them
  (:data:`DIVERSITY_PICKS`), so no one story becomes the SEE ALSO of everything;
* recency and section only break near-ties (a few per cent of the score).

The floor, its names' weight, the same-event rule and the two weights were chosen on ECB+
(look-alike events in pairs) and checked by cross-validation over its topics:
``benchmarks/related.py``. Terms' stems are cached; the candidates themselves are compared
in :mod:`wiredesk.wire.similarity.related_candidates`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import lru_cache

from wiredesk.wire.similarity.stories import StoryState, anchor_agreement

# Cosine of two stories' (stemmed) centroids under which no link is made: on ECB+ the
# other event of a pair mostly scores 0.15-0.5, stories of another kind mostly under 0.05.
RELATED_FLOOR = 0.19
# How much the likeness of the two stories' names is added to the similarity the floor is
# on. Shared names say two stories are about one subject as much as shared words do; the
# ranking then prefers the one about another event (NAME_WEIGHT). On ECB+ the other event
# of a pair just under the floor often shares its topic's names (the same club, the same
# navy), while stories of another kind just under it share common words only.
FLOOR_NAME_WEIGHT = 0.15
# A candidate whose names are this many times as alike as the two stories are as a whole,
# with agreeing core names, is the same event told again (clustering kept the accounts
# apart): never a SEE ALSO. 0 turns the rule off.
SAME_EVENT_RATIO = 1.2
# Terms are compared by their first letters (see related_term).
STEM_CHARS = 6
# How much the likeness of the two stories' names alone is taken off the similarity.
# Half: the other event of a kind often shares names too (the 76ers firing Maurice Cheeks,
# then hiring him); at full weight it fell under a second account of this event (BENCHMARKS.md).
NAME_WEIGHT = 0.5
# How much agreeing on the names each story keeps coming back to (clustering's anchor
# agreement, in [-1, 1]) is taken off the score: clashing core names raise a candidate.
AGREEMENT_WEIGHT = 0.2
# A candidate already shown by this many other stories has its score halved (and so on).
DIVERSITY_PICKS = 4
# Tie-breakers: at most these shares of the score.
RECENCY_SHARE = 0.10
SECTION_SHARE = 0.05
RELATED_LIMIT = 6
# Candidate stories are looked up by this many of the story's strongest terms (a story is
# indexed under twice QUERY_TERMS of its own): kinds of news share their common words,
# which are seldom a story's very strongest.
RELATED_QUERY_TERMS = 60
# A story picked as SEE ALSO is ranked again at once (its best few picks), so an older
# story learns of the newer one that picked it.
REVERSE_LINKS = 2


@dataclass(frozen=True, slots=True)
class RelatedCandidate:
    story_id: int
    similarity: float
    last_seen: datetime | None = None
    section: str = ""
    names: float = 0.0  # likeness of the two stories' names alone (related_similarity)
    agreement: float = 0.0  # of the two stories' core names, in [-1, 1] (core_agreement)
    picks: int = 0  # how many other stories already show this one as SEE ALSO
    score: float = 0.0  # set by rank_related: the order the boxes are shown in


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    # Lists summed, not generators: the same additions in the same order, a third faster.
    get = b.get
    dot = sum([w * get(t, 0.0) for t, w in a.items()])
    na = math.sqrt(sum([w * w for w in a.values()]))
    nb = math.sqrt(sum([w * w for w in b.values()]))
    return dot / (na * nb) if na and nb else 0.0


@lru_cache(maxsize=1 << 16)  # the same few thousand terms, stemmed for every comparison
def related_term(term: str) -> str:
    """A term cut to its stem, roughly: the possessive and a plural ``s`` off, then its
    first :data:`STEM_CHARS` letters, so *Kazakhstan's*, *Kazakh* and *Kazakhs*, or
    *exporters* and *export*, count as one (truncation stemming)."""
    for tail in ("’s", "'s"):
        if term.endswith(tail):
            term = term[:-len(tail)]
    if len(term) > 4 and term.endswith("s") and not term.endswith("ss"):
        term = term[:-1]
    return term[:STEM_CHARS]


def _stemmed(vector: Mapping[str, float]) -> dict[str, float]:
    merged: dict[str, float] = {}
    for term, weight in vector.items():
        stem = related_term(term)
        merged[stem] = merged.get(stem, 0.0) + weight
    return merged


def related_similarity(centroid: Mapping[str, float], anchors: Iterable[str],
                       other_centroid: Mapping[str, float], other_anchors: Iterable[str]
                       ) -> tuple[float, float]:
    """How alike two stories are, and how alike in their names alone.

    The first figure is the cosine of the two centroids (all their terms); the second the
    cosine of their name terms only (the words either story has as anchors: people,
    places, organisations, numbers). Two stories that share most of what they say *and*
    the names they say it about are one event told twice; two that share what they say
    about different names are two events of one kind, the SEE ALSO a reader wants.
    """
    return _likeness(_Stemmed.of(centroid, anchors), _Stemmed.of(other_centroid, other_anchors))


@dataclass(frozen=True, slots=True)
class _Stemmed:
    """A story's centroid and names as stems, made once per ranking (not per pair)."""

    centroid: dict[str, float]
    names: frozenset[str]
    norm: float  # the centroid's, summed as _cosine sums it: the same figure to the bit
    named: dict[str, float]  # the centroid's own names, in its order
    plain: frozenset[str]  # the centroid's other terms
    # The story's core names (``_core``) as its size has them: under 3 members, then from
    # 3 on; None when its names came without their counts.
    cores: tuple[frozenset[str], frozenset[str]] | None = None
    terms: frozenset[str] = frozenset()  # the centroid's terms
    order: dict[str, int] | None = None  # each term's place in the centroid
    named_norm: float = 0.0  # ``named``'s, summed as _cosine sums it

    @classmethod
    def of(cls, centroid: Mapping[str, float], anchors: Iterable[str]) -> _Stemmed:
        stems = _stemmed(centroid)
        names = frozenset(related_term(a) for a in anchors)
        cores = None
        if isinstance(anchors, Mapping):
            cores = (frozenset(a for a, n in anchors.items() if n >= 1),
                     frozenset(a for a, n in anchors.items() if n >= 2))
        named = {t: w for t, w in stems.items() if t in names}
        return cls(stems, names, math.sqrt(sum(w * w for w in stems.values())), named,
                   frozenset(t for t in stems if t not in names), cores, frozenset(stems),
                   {t: i for i, t in enumerate(stems)},
                   math.sqrt(sum([w * w for w in named.values()])))


def _whole_and_shared(mine: _Stemmed, theirs: _Stemmed) -> tuple[float, frozenset[str]]:
    """``_cosine`` of the two centroids, and the terms they share.

    Only shared terms add to the dot product: ``_cosine`` adds a 0.0 for each other term
    of the shorter centroid, which leaves a sum of positive products as it was. So the
    shared terms' products are added alone, in the shorter centroid's order: the same
    additions in the same order, the same figure to the bit."""
    a, b = mine, theirs
    if len(a.centroid) > len(b.centroid):
        a, b = b, a
    shared = a.terms & b.terms
    if not shared:
        return 0.0, shared
    mine_w, theirs_w = a.centroid, b.centroid
    dot = sum([mine_w[t] * theirs_w[t] for t in sorted(shared, key=a.order.__getitem__)])
    return (dot / (a.norm * b.norm) if a.norm and b.norm else 0.0), shared


def _names_norm(story: _Stemmed, extra: frozenset[str]) -> float:
    """The norm ``_cosine`` makes of the story's centroid terms among its own names and
    ``extra`` (more of its terms), summed in the centroid's order."""
    if not extra:
        return story.named_norm
    weights = story.centroid
    terms = sorted(story.named.keys() | extra, key=story.order.__getitem__)
    return math.sqrt(sum([weights[t] * weights[t] for t in terms]))


def _likeness(mine: _Stemmed, theirs: _Stemmed) -> tuple[float, float]:
    whole, shared = _whole_and_shared(mine, theirs)
    return whole, _names_likeness(mine, theirs, shared)


def _names_likeness(mine: _Stemmed, theirs: _Stemmed, shared: frozenset[str]) -> float:
    """``_cosine`` of each centroid's terms among either story's names, without making
    them: each is the story's own names' terms (``named``) and those of its plain terms
    that are the other's names (mostly none); their common terms are the ``shared`` terms
    (``_whole_and_shared``) among the names, added alone in the shorter one's order (the
    other terms' products are 0.0), the norms summed in the centroids' orders."""
    if not mine.names and not theirs.names:
        return 0.0
    common = [t for t in shared if t in mine.names or t in theirs.names]
    if not common:
        return 0.0
    mine_extra = mine.plain & theirs.names
    theirs_extra = theirs.plain & mine.names
    na, nb = _names_norm(mine, mine_extra), _names_norm(theirs, theirs_extra)
    a, b = mine, theirs
    if len(mine.named) + len(mine_extra) > len(theirs.named) + len(theirs_extra):
        a, b = b, a
    a_w, b_w = a.centroid, b.centroid
    dot = sum([a_w[t] * b_w[t] for t in sorted(common, key=a.order.__getitem__)])
    return dot / (na * nb) if na and nb else 0.0


def core_agreement(story: StoryState, other: StoryState) -> float:
    """In [-1, 1]: whether the names each story keeps coming back to (named by at least two
    of its reports, as clustering counts them) are the other's names too, both ways.

    The other earthquake names another town and other rescuers: its core names clash. A
    second account of the same event, which clustering kept apart, names the same ones.
    """
    return 0.5 * (_agreement_with(story, other) + _agreement_with(other, story))


def _agreement_with(story: StoryState, other: StoryState) -> float:
    return anchor_agreement(_core(story), other.anchors, other.size)


def _core(story: StoryState) -> frozenset[str]:
    """The names a story keeps coming back to, as ``anchor_agreement`` counts its core."""
    least = 1 if story.size < 3 else 2
    return frozenset(a for a, n in story.anchors.items() if n >= least)


def _core_fit(core: frozenset[str], other: StoryState, other_core: frozenset[str]) -> float:
    """``anchor_agreement(core, other.anchors, other.size)``, the other's core made once
    per story instead of once per call: the same integers, so the same figure."""
    if not core or not other.anchors or not other_core:
        return 0.0
    ratio = len(core & other_core) / min(len(core), len(other_core))
    return min(1.0, 2.0 * ratio) * 2.0 - 1.0 if ratio < 0.5 else 1.0


def related_score(cand: RelatedCandidate, *, section: str = "", now: datetime | None = None,
                  half_life: timedelta = timedelta(days=3),
                  diversity: int = DIVERSITY_PICKS, name_weight: float | None = None,
                  agreement_weight: float = AGREEMENT_WEIGHT) -> float:
    """The ranking score: similarity less what says "the same event" (shared names, agreeing
    core names), slightly faded with age, slightly raised by a shared section, divided down
    when the story is already many others' SEE ALSO."""
    weight = NAME_WEIGHT if name_weight is None else name_weight
    score = cand.similarity - weight * cand.names - agreement_weight * cand.agreement
    if now is not None and cand.last_seen is not None:
        age = max((now - cand.last_seen).total_seconds(), 0.0)
        score *= 1.0 - RECENCY_SHARE + RECENCY_SHARE * 0.5 ** (age / half_life.total_seconds())
    if section and cand.section == section:
        score *= 1.0 + SECTION_SHARE
    if diversity > 0:
        score /= 1.0 + cand.picks / diversity
    return score


def is_same_event(cand: RelatedCandidate, ratio: float = SAME_EVENT_RATIO) -> bool:
    """Whether a candidate is this story's event told again: its names more alike than the
    two stories as a whole (``ratio`` times), and the names each keeps coming back to agree."""
    return ratio > 0 and cand.agreement > 0 and cand.names > ratio * cand.similarity


def clears_floor(cand: RelatedCandidate, minimum: float = RELATED_FLOOR,
                 floor_name_weight: float = FLOOR_NAME_WEIGHT) -> bool:
    """Whether two stories are alike enough for a link: the similarity with the names'
    likeness added (:data:`FLOOR_NAME_WEIGHT`) at least the floor."""
    return cand.similarity + floor_name_weight * cand.names >= minimum


def rank_related(candidates: Iterable[RelatedCandidate], *, own_story: int | None,
                 section: str = "", now: datetime | None = None, limit: int = RELATED_LIMIT,
                 half_life: timedelta = timedelta(days=3), minimum: float = RELATED_FLOOR,
                 name_weight: float | None = None, diversity: int = DIVERSITY_PICKS,
                 agreement_weight: float = AGREEMENT_WEIGHT,
                 floor_name_weight: float = FLOOR_NAME_WEIGHT,
                 same_event_ratio: float = SAME_EVENT_RATIO) -> list[RelatedCandidate]:
    """Other stories worth a SEE ALSO, best first; often none.

    Never the item's own story, never one reporting the same event (:func:`is_same_event`),
    never one under the confidence floor (:func:`clears_floor`: recency, section and
    diversity only reorder what cleared it); at most one entry per story.
    """
    best: dict[int, tuple[float, RelatedCandidate]] = {}
    for cand in candidates:
        if not may_rank(cand, own_story=own_story, minimum=minimum,
                        floor_name_weight=floor_name_weight,
                        same_event_ratio=same_event_ratio):
            continue
        score = related_score(cand, section=section, now=now, half_life=half_life,
                              diversity=diversity, name_weight=name_weight,
                              agreement_weight=agreement_weight)
        kept = best.get(cand.story_id)
        if kept is None or score > kept[0]:
            best[cand.story_id] = (score, cand)
    ranked = sorted(best.values(), key=lambda sc: (-sc[0], sc[1].story_id))
    return [replace(cand, score=score) for score, cand in ranked[:limit]]


def may_rank(cand: RelatedCandidate, *, own_story: int | None,
             minimum: float = RELATED_FLOOR, floor_name_weight: float = FLOOR_NAME_WEIGHT,
             same_event_ratio: float = SAME_EVENT_RATIO) -> bool:
    """Whether :func:`rank_related`, given the same rules, scores ``cand`` at all: only
    then does anything but its likeness (its picks, its section, its age) count."""
    return not (cand.story_id == own_story or not clears_floor(cand, minimum, floor_name_weight)
                or is_same_event(cand, same_event_ratio))
