"""py3langid's feature count, the same numbers without its per-byte Python loop.

py3langid finds an item's byte n-gram features by walking an Aho-Corasick automaton over
the text's bytes, one Python step per byte: about half of language detection's time, and
language detection was the largest cost of normalizing an item after feedparser
(BENCHMARKS.md, storing). In such an automaton the state after a byte is the longest
suffix of the input read so far that begins some feature, so it is never longer than the
automaton's depth: starting from the empty state ``DEPTH`` bytes back and reading those
bytes gives the same state. Every position's walk then takes ``DEPTH`` steps, each one
NumPy gather over all positions at once.

The features are counted in the order py3langid's ``Counter`` first meets them, so the
score (a float32 sum in that order) is the same to the bit. ``DEPTH`` holds for the model
whose table sizes ``MODEL_SIZES`` names (``tests/wire/test_langid_walk.py`` measures it);
any other model is walked by py3langid's own loop.
"""

from __future__ import annotations

from array import array

import numpy
from py3langid.langid import LanguageIdentifier

DEPTH = 6
# (transitions, states) of py3langid 0.4's model, the one DEPTH was measured on.
MODEL_SIZES = (9816576, 104583)


class FeatureWalk:
    """The automaton of one identifier, ready for vectorised walks."""

    def __init__(self, nextmove: array, rowbase, output) -> None:
        self.nextmove = numpy.frombuffer(nextmove, dtype=numpy.dtype(nextmove.typecode))
        self.rowbase = numpy.asarray(rowbase, dtype=numpy.int64)
        self.output = numpy.asarray(output, dtype=numpy.int64)

    def counts(self, data: bytes) -> tuple[numpy.ndarray, numpy.ndarray] | None:
        """(feature indexes, their counts) in the order the text first shows each; None
        when it shows none (py3langid's ``visit_counts``, as two arrays)."""
        codes = numpy.frombuffer(data, dtype=numpy.uint8)
        size = len(codes)
        states = numpy.zeros(size, dtype=numpy.int64)
        for back in range(min(DEPTH, size) - 1, -1, -1):
            # each position reads the byte ``back`` places before it (none yet: stays put)
            states[back:] = self.nextmove[self.rowbase[states[back:]] + codes[:size - back]]
        found = self.output[states]
        found = found[found >= 0]
        if not len(found):
            return None
        features, first, counts = numpy.unique(found, return_index=True, return_counts=True)
        order = numpy.argsort(first, kind="stable")
        return features[order], counts[order]


def fits(identifier) -> bool:
    """Whether ``DEPTH`` is known to hold for this identifier's model."""
    return (isinstance(identifier.tk_nextmove, array)
            and (len(identifier.tk_nextmove), len(identifier.tk_output)) == MODEL_SIZES)


class WalkingIdentifier(LanguageIdentifier):
    """py3langid's identifier, its features counted by ``FeatureWalk`` when the model fits
    (by py3langid's own loop otherwise)."""

    __slots__ = ("_walk",)

    def _raw_score(self, text: bytes):
        walk = getattr(self, "_walk", None)
        if walk is None:
            walk = self._walk = (FeatureWalk(self.tk_nextmove, self._rowbase, self.tk_output)
                                 if fits(self) else False)
        visits = walk.counts(text) if walk else None
        if visits is None:  # no features (py3langid's floor), or a model of another shape
            return super()._raw_score(text)
        features, counts = visits
        return numpy.log1p(counts.astype(numpy.float32)) @ self.nb_ptc[features] + self.nb_pc
