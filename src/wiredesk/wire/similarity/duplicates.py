"""Near-duplicates: is this item a copy of one already seen?

LSH band keys over the signature (:func:`band_keys`) find candidates by exact key lookup
(an indexed table in the database), never by scanning the archive. A candidate is a copy
when it shares most of its words (a copy keeps its vocabulary through edits) *and* a good
part of its word sequences (a rewrite of the same event by another reporter shares names
and words, but not sentences).
"""

from __future__ import annotations

import numpy as np

from wiredesk.wire.similarity.item_features import MIN_WORDS, NUM_PERM, Features

COPY_WORDS = 0.80  # share of the smaller item's distinct words found in the other
COPY_SHINGLES = 0.35  # share of its word 3-shingles found in the other
CANDIDATE_WORDS = 0.50  # estimated from signatures: below this, not worth a closer look


def estimated_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.count_nonzero(a == b)) / NUM_PERM


def estimated_containment(a: np.ndarray, a_count: int, b: np.ndarray, b_count: int) -> float:
    """Share of the smaller set found in the other, estimated from two signatures."""
    if a_count < MIN_WORDS or b_count < MIN_WORDS:
        return 0.0
    jaccard = estimated_jaccard(a, b)
    intersection = jaccard * (a_count + b_count) / (1.0 + jaccard)
    return min(1.0, intersection / min(a_count, b_count))


def worth_comparing(a: np.ndarray, a_count: int, b: np.ndarray, b_count: int) -> bool:
    """Cheap filter on stored signatures before the exact comparison."""
    if min(a_count, b_count) * 4 < max(a_count, b_count):
        return False  # a short brief inside a long feature is not a copy of it
    return estimated_containment(a, a_count, b, b_count) >= CANDIDATE_WORDS


def containment(a: frozenset[int], b: frozenset[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def copy_score(a: Features, b: Features) -> float:
    """0 when not a copy; otherwise the shingle containment (higher is closer)."""
    if a.word_set_size < MIN_WORDS or b.word_set_size < MIN_WORDS:
        return 0.0
    if min(a.word_set_size, b.word_set_size) * 4 < max(a.word_set_size, b.word_set_size):
        return 0.0
    if containment(a.word_set, b.word_set) < COPY_WORDS:
        return 0.0
    score = containment(a.shingles, b.shingles)
    return score if score >= COPY_SHINGLES else 0.0


def is_near_duplicate(a: Features, b: Features) -> bool:
    return copy_score(a, b) > 0.0
