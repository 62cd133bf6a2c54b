"""A published static copy of one edition (WIREDESK_STATIC_DIR), for the static-mode tests."""

import pytest

from tests.conftest import rss, rss_item
from wiredesk.editions.links import article_path_for
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services
from wiredesk.staticsite import mirror


def ingest(tmp_path, items):
    agency = services.agency_ensure(code="RFE")
    feed = tmp_path / f"{items[0][0]}.rss"
    feed.write_bytes(rss("".join(rss_item(guid, headline) for guid, headline in items)))
    services.ingest_source(str(feed), agency=agency)


@pytest.fixture
def out(tmp_path, settings):
    settings.WIREDESK_STATIC_DIR = str(tmp_path / "out")
    services.section_ensure(slug="world", name="World")
    ingest(tmp_path, [("g1", "Harbour pilots count cruise ships"),
                      ("g2", "Vineyard owners count frost damage")])
    edition_save(name="Chile Sun", time_zone="UTC")
    assert [r.edition for r in mirror.publish_changed()] == ["chile-sun"]
    return tmp_path / "out" / "chile-sun"


def files_of(root, article):
    page = root / article_path_for(article.pk, article.slug).lstrip("/")  # no extension
    return [page, page.with_name(page.name + ".gz"), page.with_name(page.name + ".br")]
