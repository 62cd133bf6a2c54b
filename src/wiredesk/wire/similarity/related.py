"""Related stories ("SEE ALSO"): another story of the same kind, or nothing.

A story is compared with others as a whole, centroid to centroid (the terms of all its
reports, so one odd report weighs little). A good SEE ALSO is *another* story of the same
kind — the other earthquake, the other rehab, the other route round the sanctions — so the
names two stories share count against a pick while what they say counts for it
(:func:`related_similarity`, :data:`NAME_WEIGHT`): sharing both is the same event told
again, which the story page already lists. Then (:func:`rank_related`):

* a **confidence floor** (:data:`RELATED_FLOOR`) on the plain similarity: below it a link
  is a guess, and no box is better than a wrong one;
* **diversity**: a story already shown by other stories loses weight with each of them
  (:data:`DIVERSITY_PICKS`), so no one story becomes the SEE ALSO of everything;
* recency and section only break near-ties (a few per cent of the score).

The floor and the name weight were chosen on ECB+ (look-alike events in pairs) and checked
by cross-validation over its topics: ``benchmarks/related.py``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from wiredesk.wire.similarity.stories import StoryState

# Cosine of two stories' (stemmed) centroids under which no link is made: on ECB+ the
# other event of a pair mostly scores 0.15-0.5, stories of another kind mostly under 0.05.
RELATED_FLOOR = 0.18
# Terms are compared by their first letters (see related_term).
STEM_CHARS = 6
# How much the likeness of the two stories' names alone is taken off the similarity.
NAME_WEIGHT = 1.0
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
    picks: int = 0  # how many other stories already show this one as SEE ALSO
    score: float = 0.0  # set by rank_related: the order the boxes are shown in


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(w * b.get(t, 0.0) for t, w in a.items())
    na = math.sqrt(sum(w * w for w in a.values()))
    nb = math.sqrt(sum(w * w for w in b.values()))
    return dot / (na * nb) if na and nb else 0.0


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
    names = {related_term(a) for a in (*anchors, *other_anchors)}
    centroid, other_centroid = _stemmed(centroid), _stemmed(other_centroid)
    whole = _cosine(centroid, other_centroid)
    if not names:
        return whole, 0.0
    mine = {t: w for t, w in centroid.items() if t in names}
    theirs = {t: w for t, w in other_centroid.items() if t in names}
    return whole, _cosine(mine, theirs)


def related_score(cand: RelatedCandidate, *, section: str = "", now: datetime | None = None,
                  half_life: timedelta = timedelta(days=3),
                  diversity: int = DIVERSITY_PICKS, name_weight: float | None = None
                  ) -> float:
    """The ranking score: similarity, slightly faded with age, slightly raised by a shared
    section, divided down when the story is already many others' SEE ALSO."""
    weight = NAME_WEIGHT if name_weight is None else name_weight
    score = cand.similarity - weight * cand.names
    if now is not None and cand.last_seen is not None:
        age = max((now - cand.last_seen).total_seconds(), 0.0)
        score *= 1.0 - RECENCY_SHARE + RECENCY_SHARE * 0.5 ** (age / half_life.total_seconds())
    if section and cand.section == section:
        score *= 1.0 + SECTION_SHARE
    if diversity > 0:
        score /= 1.0 + cand.picks / diversity
    return score


def rank_related(candidates: Iterable[RelatedCandidate], *, own_story: int | None,
                 section: str = "", now: datetime | None = None, limit: int = RELATED_LIMIT,
                 half_life: timedelta = timedelta(days=3), minimum: float = RELATED_FLOOR,
                 name_weight: float | None = None, diversity: int = DIVERSITY_PICKS
                 ) -> list[RelatedCandidate]:
    """Other stories worth a SEE ALSO, best first; often none.

    Never the item's own story, never one reporting the same event, never one under the
    confidence floor (``minimum``, on the similarity itself: recency, section and
    diversity only reorder what cleared it); at most one entry per story.
    """
    best: dict[int, tuple[float, RelatedCandidate]] = {}
    for cand in candidates:
        if cand.story_id == own_story or cand.similarity < minimum:
            continue
        score = related_score(cand, section=section, now=now, half_life=half_life,
                              diversity=diversity, name_weight=name_weight)
        kept = best.get(cand.story_id)
        if kept is None or score > kept[0]:
            best[cand.story_id] = (score, cand)
    ranked = sorted(best.values(), key=lambda sc: (-sc[0], sc[1].story_id))
    return [replace(cand, score=score) for score, cand in ranked[:limit]]


def story_candidates(story: StoryState, others: Iterable[StoryState], *,
                     picks: Mapping[int, int] | None = None,
                     sections: Mapping[int, str] | None = None) -> list[RelatedCandidate]:
    """Each other story as a SEE ALSO candidate of ``story``, compared as wholes."""
    picks = picks or {}
    sections = sections or {}
    found = []
    for other in others:
        if other.story_id == story.story_id:
            continue
        similarity, names = related_similarity(story.centroid, story.anchors,
                                               other.centroid, other.anchors)
        found.append(RelatedCandidate(story_id=other.story_id, similarity=similarity,
                                      last_seen=other.last_seen,
                                      section=sections.get(other.story_id, ""),
                                      names=names, picks=picks.get(other.story_id, 0)))
    return found
