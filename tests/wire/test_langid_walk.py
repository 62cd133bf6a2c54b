"""The vectorised feature walk (``wire.langid_walk``) gives py3langid's own scores, to the
bit, and its depth holds for the model it is used with."""

import random

import numpy
import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from tests.conftest import SHARED_DATA
from tests.wire.test_language import BODIES, HEADLINES
from wiredesk.wire import langid_walk, language


@pytest.fixture(scope="module")
def plain():
    """py3langid as it comes, restricted to the same languages as ours."""
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(sorted(language.NEWS_LANGUAGES))
    return identifier


def texts() -> list[str]:
    rnd = random.Random(16)
    found = [*HEADLINES.values(), *BODIES.values(), "", " ", "1234", "¡¿", "ÀÉÎÕÜ" * 40,
             "Ünïcödé façade — “quoted” … 😀 emoji " * 30]
    found += ["".join(chr(rnd.randrange(32, 0x3000)) for _ in range(rnd.randrange(0, 600)))
              for _ in range(150)]
    found += [bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 300))).decode("latin-1")
              for _ in range(150)]
    bbc = SHARED_DATA / "bbc_news"
    if bbc.is_dir():  # real copy, when the shared data is here
        found += [path.read_text(encoding="latin-1")[:language.READ_CHARS]
                  for path in sorted(bbc.glob("*/*.txt"))[::7]]
    return found


def test_the_walk_counts_what_py3langid_counts(plain):
    from py3langid.langid import visit_counts

    walk = langid_walk.FeatureWalk(plain.tk_nextmove, plain._rowbase, plain.tk_output)
    for text in texts():
        data = plain._encode(text)
        expected = visit_counts(plain.tk_nextmove, plain._rowbase, plain.tk_output, data)
        got = walk.counts(data)
        if expected is None:
            assert got is None
            continue
        features, counts = got
        assert list(zip(features.tolist(), counts.tolist(), strict=True)) \
            == list(expected.items())


def test_scores_are_py3langids_to_the_bit(plain):
    ours = language._identifier()
    assert isinstance(ours, langid_walk.WalkingIdentifier)
    for text in texts():
        assert ours.rank(text) == plain.rank(text), text[:80]
    assert ours._walk  # the walk was used, not py3langid's loop


def test_the_depth_holds_for_the_model(plain):
    """Breadth-first from the empty state: the longest shortest path is the automaton's
    depth (a state is reached by no fewer bytes than the suffix it stands for)."""
    assert langid_walk.fits(plain)
    nextmove = numpy.frombuffer(plain.tk_nextmove, dtype=numpy.dtype(plain.tk_nextmove.typecode))
    rowbase = numpy.asarray(plain._rowbase, dtype=numpy.int64)
    seen = numpy.zeros(len(rowbase), dtype=bool)
    seen[0] = True
    frontier, depth = numpy.array([0]), 0
    while True:
        reached = numpy.unique(nextmove[(rowbase[frontier][:, None]
                                         + numpy.arange(256)).ravel()])
        reached = reached[~seen[reached]]
        if not len(reached):
            break
        seen[reached] = True
        frontier, depth = reached, depth + 1
    assert depth == langid_walk.DEPTH


def test_another_model_keeps_py3langids_own_walk(plain):
    other = langid_walk.WalkingIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    other.set_languages(sorted(language.NEWS_LANGUAGES))
    other.tk_output = [*plain.tk_output, -1]  # not the model DEPTH was measured on
    assert not langid_walk.fits(other)
    for text in list(HEADLINES.values())[:3]:
        assert other.rank(text) == plain.rank(text)
    assert other._walk is False
