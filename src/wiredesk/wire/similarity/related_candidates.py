"""SEE ALSO's candidates: each story the look-up found, compared with the story as a whole
(:mod:`wiredesk.wire.similarity.related` holds the rules that then rank them).

A ranking compares a story with up to 30 others, three times per arrival, and most of those
pairs come back unchanged in the next ranking: a caller may keep each story's stems
(:func:`stemmed_story`) and pass them back, and the likeness of a pair of kept stems is then
kept too. Pairs that cannot clear the floor are left out before their names are compared.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from wiredesk.wire.similarity.related import (
    RelatedCandidate,
    _core,
    _core_fit,
    _likeness,
    _names_likeness,
    _Stemmed,
    _whole_and_shared,
)
from wiredesk.wire.similarity.stories import StoryState


def stemmed_story(centroid: Mapping[str, float], anchors: Iterable[str]) -> _Stemmed:
    """A story's centroid and names as ``story_candidates`` compares them: a caller that
    meets the same unchanged story in many rankings may keep this and pass it back."""
    return _Stemmed.of(centroid, anchors)


# The likeness of two kept stems (``stemmed_story`` objects a caller passes back), by the
# pair of objects: a story ranked again while neither it nor a candidate changed (the stories
# a new SEE ALSO picked, ranked again at once) compares the same pairs again. Entries hold
# the objects, so an id is never reused while its entry lives; the names' likeness is None
# while no ranking has needed it (the pair was under the floor, ``_under_floor``).
_pairs: dict[tuple[int, int], tuple[_Stemmed, _Stemmed, float, float | None]] = {}
_PAIRS_KEPT = 1 << 15

# No names' likeness exceeds this: a cosine of vectors with no negative weight is at most 1,
# and its rounding errors are some 1e-14 (a hundred additions).
_NAMES_MOST = 1.0 + 1e-6


def _under_floor(whole: float, floor: tuple[float, float] | None) -> bool:
    """Whether a pair of this whole likeness fails ``clears_floor`` whatever its names'
    likeness: with the names' at their most it still does (the sum and product are
    monotonic in it for a weight not under 0, so any lesser names' likeness fails too)."""
    return (floor is not None and floor[1] >= 0
            and whole + floor[1] * _NAMES_MOST < floor[0])


def _pair_likeness(mine: _Stemmed, theirs: _Stemmed, kept: bool,
                   floor: tuple[float, float] | None) -> tuple[float, float] | None:
    """``_likeness`` of the pair, kept when ``kept``; None when ``floor`` (the minimum and
    the names' weight of ``clears_floor``) rules the pair out on its whole likeness."""
    found = _pairs.get((id(mine), id(theirs))) if kept else None
    if found is not None and found[0] is mine and found[1] is theirs:
        whole, names = found[2], found[3]
        if names is not None:
            return whole, names
        if _under_floor(whole, floor):
            return None
        names = _likeness(mine, theirs)[1]
    else:
        whole, shared = _whole_and_shared(mine, theirs)
        names = None if _under_floor(whole, floor) else _names_likeness(mine, theirs, shared)
    if kept:
        if len(_pairs) >= _PAIRS_KEPT and (id(mine), id(theirs)) not in _pairs:
            _pairs.pop(next(iter(_pairs)))  # the oldest entry
        _pairs[id(mine), id(theirs)] = (mine, theirs, whole, names)
    return None if names is None else (whole, names)


def story_candidates(story: StoryState, others: Iterable[StoryState], *,
                     picks: Mapping[int, int] | None = None,
                     sections: Mapping[int, str] | None = None,
                     stems: Sequence[_Stemmed] | None = None,
                     own_stems: _Stemmed | None = None,
                     floor: tuple[float, float] | None = None) -> list[RelatedCandidate]:
    """Each other story as a SEE ALSO candidate of ``story``, compared as wholes.
    ``stems``: each of ``others``' ``stemmed_story``, in order, when the caller keeps them;
    ``own_stems``: ``story``'s, when it keeps that too (the pairs of kept stems are then
    compared once and their likeness kept: the same figures). ``floor``: (minimum, names'
    weight) of ``clears_floor``: the stories that cannot clear it whatever their names'
    likeness are left out (``rank_related`` given the same floor would leave them out)."""
    picks = picks or {}
    sections = sections or {}
    found = []
    kept = own_stems is not None and stems is not None
    mine = own_stems if own_stems is not None else _Stemmed.of(story.centroid, story.anchors)
    my_core = _core(story)  # once per ranking (``core_agreement`` makes it for each pair)
    for index, other in enumerate(others):
        if other.story_id == story.story_id:
            continue
        theirs = stems[index] if stems is not None else _Stemmed.of(other.centroid,
                                                                    other.anchors)
        likeness = _pair_likeness(mine, theirs, kept, floor)
        if likeness is None:
            continue
        # ``_core(other)``, made once with its stems when they came with its names' counts.
        their_core = (theirs.cores[0 if other.size < 3 else 1]
                      if stems is not None and theirs.cores is not None else _core(other))
        agreement = 0.5 * (_core_fit(my_core, other, their_core)  # = core_agreement
                           + _core_fit(their_core, story, my_core))
        found.append(RelatedCandidate(story_id=other.story_id, similarity=likeness[0],
                                      last_seen=other.last_seen,
                                      section=sections.get(other.story_id, ""),
                                      names=likeness[1], agreement=agreement,
                                      picks=picks.get(other.story_id, 0)))
    return found
