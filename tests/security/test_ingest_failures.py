"""Issue 23, item 17 (ingest part): items that fail to store make a failed run.

On a full disk, ``wiredesk ingest`` with 2,980 of 3,000 items failing exited 0 after
logging 5,960 traceback lines. Now: one summary line (how many failed, the first error),
a non-zero exit, one compact line per failed item and at most one traceback per run.
"""

import logging

import pytest
from django.db import OperationalError

from tests.conftest import rss, rss_item
from wiredesk import cli
from wiredesk.newsroom.models import Article
from wiredesk.newsroom.services import documents as ingest

pytestmark = pytest.mark.django_db

ITEMS, STORED = 100, 2


class Collect(logging.Handler):
    """What an operator's log shows of ``wiredesk`` (the CLI reconfigures the root logger,
    so this listens on the app's own logger)."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.records, self.lines = [], []

    def emit(self, record):
        self.records.append(record)
        self.lines.extend(self.format(record).splitlines())


@pytest.fixture
def wiredesk_log():
    handler = Collect()
    logger = logging.getLogger("wiredesk")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


@pytest.fixture
def disk_full(monkeypatch):
    real = ingest.store_item

    def store_item(item, **kwargs):
        if int(item.guid.rsplit("-", 1)[1]) >= STORED:
            raise OperationalError("database or disk is full")
        return real(item, **kwargs)

    monkeypatch.setattr(ingest, "store_item", store_item)


def test_items_failing_to_store_fail_the_run_with_one_summary(tmp_path, disk_full, capsys,
                                                              wiredesk_log):
    feed = tmp_path / "wire.xml"
    feed.write_bytes(rss("".join(rss_item(f"item-{i}", f"Story number {i} of the day")
                                 for i in range(ITEMS))))
    code = cli.main(["ingest", str(feed), "--agency", "RFE"])
    out = capsys.readouterr().out
    assert code != 0
    assert Article.objects.count() == STORED
    summary = [line for line in out.splitlines() if "failed to store" in line]
    assert len(summary) == 1, out
    assert f"{ITEMS - STORED} of {ITEMS} item(s) failed to store" in summary[0]
    assert "OperationalError: database or disk is full" in summary[0]

    log_lines = wiredesk_log.lines
    assert sum("Traceback (most recent call last)" in line for line in log_lines) <= 1
    per_item = [r for r in wiredesk_log.records if "storing item" in r.getMessage()]
    assert len(per_item) == ITEMS - STORED
    assert all("\n" not in r.getMessage() for r in per_item)
    # a traceback on one item at most, and the run's own summary
    assert sum(bool(r.exc_info) for r in wiredesk_log.records) <= 1
    # each failed item once, plus its first error's traceback, plus a summary: bounded
    assert len(log_lines) < (ITEMS - STORED) + 40, len(log_lines)


def test_a_clean_run_still_exits_zero(tmp_path, capsys):
    feed = tmp_path / "wire.xml"
    feed.write_bytes(rss(rss_item("ok-1", "A quiet day in the capital")))
    assert cli.main(["ingest", str(feed), "--agency", "RFE"]) == 0
    assert "1 new" in capsys.readouterr().out
