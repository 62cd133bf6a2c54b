"""feedparser's own 2,107-file test corpus through our parse+normalize path."""

from pathlib import Path

import pytest

from tests.conftest import SHARED_DATA
from tests.wire.feedparser_oracle import run_corpus

CORPUS = SHARED_DATA / "feedparser-corpus"
# Measured: 626 of the 638 Expect lines that apply to our output hold. The other 12 ask
# for feedparser's own bozo flags, CDF, or behaviour that changed on feedparser's main.
MET_AT_LEAST = 626

pytestmark = [pytest.mark.shared_data,
              pytest.mark.skipif(not CORPUS.is_dir(), reason=f"{CORPUS} is absent")]


@pytest.fixture(scope="module")
def report():
    return run_corpus(Path(CORPUS))


def test_every_file_goes_through_without_an_unhandled_exception(report):
    assert report.files == 2107
    assert report.crashes == []


def test_expect_lines_that_apply_to_our_output_hold(report):
    assert report.applicable >= 630
    assert report.met >= MET_AT_LEAST, report.failed
