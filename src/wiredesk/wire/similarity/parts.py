"""A story's members read as one event or as two: blends split, fragments merged.

Single-pass clustering (:mod:`.stories`) cannot undo an early mistake: when the first
reports of two look-alike events meet while both are small, every later report joins the
blend; and the first reports of one event that missed each other grow two stories. So
each time a story grows, its recent members are checked for the shape of two events
(:func:`story_parts`, by their words, then by their names: :func:`name_parts`), and it is
compared with the stories near it for a fragment of its own event (:func:`same_event`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

# Two look-alike events told in the same words (two offers to one baseball player, two
# patches of one browser) still name different people, places, dates and figures: the
# members' names are cut in two when the parts share at most this share of what each
# part shares within. Chosen by cross-validation over ECB+ topics
# (``benchmarks/stories.py --cv 5``).
SPLIT_NAME_SEPARATION = 0.5
# Single-pass clustering also leaves fragments: the first reports of an event that did not
# meet its story's words start stories of their own, and later reports grow both. Two
# stories are one event when their members are about as alike across as within: they
# share names across at least this share of what each shares within (the split on names,
# the other way round) and words at least MERGE_WORD_AGREEMENT of it. Chosen by
# cross-validation over ECB+ topics (``benchmarks/stories.py --cv 5``); 0 turns it off.
MERGE_NAME_AGREEMENT = 0.6
MERGE_WORD_AGREEMENT = 0.6
# Among the names compared (in the split on names and in the merge of fragments), a year
# weighs this many times any other name. Look-alike events of different years (two
# emergency patches of one browser, two elections in one country) share every name but
# the year their reports give; reports of one event give the same one. Years are
# recognised as four-digit numbers 1900-2099. Chosen by cross-validation over ECB+
# topics (``benchmarks/stories.py --cv 5``) among 1 (a year is any name) and 6, with the
# two thresholds above; 1 gives the previous rule.
YEAR_WEIGHT = 6.0
_YEAR = re.compile(r"(?:19|20)\d\d")
MERGE_MIN_SIZE = 2  # a single report's names say too little of what its event names


# A story is checked for blended events once it has this many members; each part of a
# split must have SPLIT_MIN_PART members (fewer is an odd report, not a second event).
SPLIT_MIN_SIZE = 6
SPLIT_MIN_PART = 4
SPLIT_NEIGHBOURS = 2
SPLIT_WINDOW = 40  # the most recent members are checked: the cost stays flat as stories grow
SPLIT_SEPARATION = 0.8  # parts must be this much less alike than the members of each


def story_parts(vectors: Sequence[Mapping[str, float]],
                anchors: Sequence[Iterable[str]] | None = None, *,
                neighbours: int = SPLIT_NEIGHBOURS, min_part: int = SPLIT_MIN_PART,
                name_separation: float = SPLIT_NAME_SEPARATION,
                year_weight: float = YEAR_WEIGHT) -> list[list[int]]:
    """The members of one story grouped by the event they report: indices into ``vectors``.

    One group (every index) when the story is about one event. Each member is linked to its
    ``neighbours`` most similar fellow members; reports of one event link to each other, so
    a story whose links fall apart into two or more groups of at least ``min_part`` members
    has blended events. Smaller groups join the part they are closest to on average.
    Members without terms cannot be placed and go with the largest part. Parts come largest
    first (ties: the one holding the earliest member). When the words find one event and
    the members' ``anchors`` are given, their names get a say (:func:`name_parts`).
    """
    parts = _word_parts(vectors, neighbours=neighbours, min_part=min_part)
    if len(parts) > 1 or anchors is None or not name_separation:
        return parts
    return name_parts([frozenset(a) for a in anchors], min_part=min_part,
                      separation=name_separation, year_weight=year_weight) or parts


def name_parts(anchors: Sequence[frozenset[str]], *, min_part: int = SPLIT_MIN_PART,
               separation: float = SPLIT_NAME_SEPARATION,
               year_weight: float = YEAR_WEIGHT) -> list[list[int]] | None:
    """Two groups of members that name different things, or None.

    Members are compared by the overlap (weighted Jaccard: a year weighs ``year_weight``,
    any other name 1) of their names and numbers and cut in
    two along the weakest seam (the sign of the graph's Fiedler vector, normalised
    spectral bisection). The cut stands only when each side has ``min_part`` members and
    the two sides share at most ``separation`` of what each shares within. Members
    sharing no name with any other go with the larger part.
    """
    named = [i for i, a in enumerate(anchors) if a]
    if len(named) < 2 * min_part:
        return None
    alike = _name_overlap([anchors[i] for i in named], year_weight=year_weight)
    np.fill_diagonal(alike, 0.0)
    # A member sharing no name with any other cannot be placed: it goes with the larger part.
    linked = np.flatnonzero(alike.sum(axis=1) > 0)
    named = [named[row] for row in linked]
    if len(named) < 2 * min_part:
        return None
    links = alike[np.ix_(linked, linked)]
    alike = links.copy()
    degree = links.sum(axis=1)
    scale = 1.0 / np.sqrt(degree)
    laplacian = np.eye(len(named)) - scale[:, None] * links * scale[None, :]
    fiedler = scale * np.linalg.eigh(laplacian)[1][:, 1]
    sides = [list(np.flatnonzero(fiedler < 0)), list(np.flatnonzero(fiedler >= 0))]
    if min(len(side) for side in sides) < min_part:
        return None
    np.fill_diagonal(alike, np.nan)
    within = min(float(np.nanmean(alike[np.ix_(side, side)])) for side in sides)
    between = float(np.nanmean(alike[np.ix_(sides[0], sides[1])]))
    if within <= 0 or between > separation * within:
        return None
    parts = sorted(([named[row] for row in side] for side in sides),
                   key=lambda part: (-len(part), part[0]))
    placed = set(named)
    parts[0] = sorted(parts[0] + [i for i in range(len(anchors)) if i not in placed])
    return parts


def _word_parts(vectors: Sequence[Mapping[str, float]], *, neighbours: int, min_part: int
                ) -> list[list[int]]:
    placed = [i for i, v in enumerate(vectors) if v]
    everyone = [list(range(len(vectors)))]
    if len(placed) < 2 * min_part:
        return everyone
    vocabulary = _columns(vectors[i] for i in placed)
    matrix = np.zeros((len(placed), len(vocabulary)), dtype=np.float64)
    for row, i in enumerate(placed):
        for term, weight in vectors[i].items():
            matrix[row, vocabulary[term]] = weight
    norms = np.linalg.norm(matrix, axis=1)
    norms[norms == 0] = 1.0
    matrix /= norms[:, None]
    similar = matrix @ matrix.T
    np.fill_diagonal(similar, -np.inf)
    links: list[set[int]] = [set() for _ in placed]
    for row in range(len(placed)):
        for other in np.argsort(-similar[row], kind="stable")[:neighbours]:
            links[row].add(int(other))
            links[int(other)].add(row)
    groups: list[list[int]] = []
    seen: set[int] = set()
    for start in range(len(placed)):
        if start in seen:
            continue
        seen.add(start)
        stack, group = [start], []
        while stack:
            node = stack.pop()
            group.append(node)
            for other in links[node] - seen:
                seen.add(other)
                stack.append(other)
        groups.append(sorted(group))
    parts = [g for g in groups if len(g) >= min_part]
    if len(parts) < 2:
        return everyone
    np.fill_diagonal(similar, np.nan)
    # Links alone can cut a tight, even group into cliques (near-equal similarities tie);
    # two events are only called when the parts are clearly further apart than within.
    parts.sort(key=lambda part: (-len(part), part[0]))
    within = min(float(np.nanmean(similar[np.ix_(p, p)])) for p in parts[:2])
    between = float(np.nanmean(similar[np.ix_(parts[0], parts[1])]))
    if within <= 0 or between > SPLIT_SEPARATION * within:
        return everyone
    np.fill_diagonal(similar, 0.0)
    for group in groups:
        if len(group) < min_part:
            closest = max(range(len(parts)),
                          key=lambda p: (similar[np.ix_(group, parts[p])].mean(), -p))
            parts[closest] = sorted(parts[closest] + group)
    parts.sort(key=lambda part: (-len(part), part[0]))
    result = [[placed[row] for row in part] for part in parts]
    result[0] = sorted(result[0] + [i for i, v in enumerate(vectors) if not v])
    return result


def same_event(first: Sequence[tuple[Mapping[str, float], Iterable[str]]],
               second: Sequence[tuple[Mapping[str, float], Iterable[str]]], *,
               name_agreement: float = MERGE_NAME_AGREEMENT,
               word_agreement: float = MERGE_WORD_AGREEMENT,
               year_weight: float = YEAR_WEIGHT) -> bool:
    """Whether two stories, given as their members' (vector, anchors), report one event.

    Members are compared by the overlap (weighted Jaccard, a year weighing
    ``year_weight``) of their names and by the cosine of their words; across the two
    stories the mean must reach ``name_agreement`` (names) and
    ``word_agreement`` (words) of the lower mean within a story. Each story needs
    :data:`MERGE_MIN_SIZE` members: within is undefined for one. Only the recent members
    count (as many as a split looks at).
    """
    if not name_agreement or min(len(first), len(second)) < MERGE_MIN_SIZE:
        return False
    first, second = first[-SPLIT_WINDOW:], second[-SPLIT_WINDOW:]
    members = [*first, *second]
    names = _name_overlap([frozenset(a) for _, a in members], year_weight=year_weight)
    if _agreement(names, len(first)) < name_agreement:
        return False
    return _agreement(_word_similarity([v for v, _ in members]), len(first)) >= word_agreement


def _agreement(similar: np.ndarray, split: int) -> float:
    """Mean similarity across rows [:split] and [split:], over the lower mean within."""
    similar = similar.copy()
    np.fill_diagonal(similar, np.nan)
    within = min(float(np.nanmean(similar[:split, :split])),
                 float(np.nanmean(similar[split:, split:])))
    across = float(np.mean(similar[:split, split:]))
    return across / within if within > 0 else 0.0


def _name_overlap(anchors: Sequence[frozenset[str]], *, year_weight: float = YEAR_WEIGHT
                  ) -> np.ndarray:
    """Members by members: the weighted Jaccard overlap of their names (the weights of
    the names both have over the weights of the names either has; a year weighs
    ``year_weight``, any other name 1; 0 for members without names)."""
    vocabulary = _columns(anchors)
    has = np.zeros((len(anchors), len(vocabulary)))
    for row, names in enumerate(anchors):
        has[row, [vocabulary[name] for name in names]] = 1.0
    weights = np.array([year_weight if is_year(name) else 1.0 for name in vocabulary])
    shared = (has * weights) @ has.T
    sizes = has @ weights
    union = sizes[:, None] + sizes[None, :] - shared
    return np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)


def _word_similarity(vectors: Sequence[Mapping[str, float]]) -> np.ndarray:
    """Members by members: the cosine of their vectors (0 for members without terms)."""
    vocabulary = _columns(vectors)
    matrix = np.zeros((len(vectors), len(vocabulary)))
    for row, vector in enumerate(vectors):
        for term, weight in vector.items():
            matrix[row, vocabulary[term]] = weight
    norms = np.linalg.norm(matrix, axis=1)
    norms[norms == 0] = 1.0
    matrix /= norms[:, None]
    return matrix @ matrix.T


def is_year(name: str) -> bool:
    """Whether a name (an anchor) is a year: four digits, 1900 to 2099."""
    return len(name) == 4 and _YEAR.fullmatch(name) is not None


def _columns(rows: Iterable[Iterable[str]]) -> dict[str, int]:
    """Each key's column in a members-by-keys matrix, in order of first appearance."""
    columns: dict[str, int] = {}
    for row in rows:
        for key in row:
            columns.setdefault(key, len(columns))
    return columns
