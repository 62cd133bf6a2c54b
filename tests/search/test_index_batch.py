"""The index written once for a batch (``newsroom.runs.batch``: a document's items, the
intelligence stage's turn): as if each article had been written in turn, on both engines."""

import pytest
from django.db import connection, transaction

from tests.conftest import rss, rss_item
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article
from wiredesk.newsroom.runs import batch, batch_savepoint
from wiredesk.newsroom.services.editorial import article_kill
from wiredesk.search.backends import backend_for
from wiredesk.search.services import search_edition

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition():
    services.section_ensure(slug="world", name="World")
    edition = edition_save(name="Chile Sun", time_zone="America/Santiago")
    services.ingest_bytes(rss(
        rss_item("old", "Lighthouse keeper retires after forty years")
        + rss_item("gone", "Orchard growers fear hailstorm damage")),
        agency=services.agency_ensure(code="PRS"), source="before")
    return edition


def indexed() -> int:
    with connection.cursor() as cursor:
        return backend_for(connection).indexed_count(cursor)


def found(edition, word: str) -> int:
    return search_edition(edition, word).total


def test_a_batch_writes_each_articles_last_state_once(edition):
    before = indexed()
    old = Article.objects.get(headline__startswith="Lighthouse")
    gone = Article.objects.get(headline__startswith="Orchard")
    with transaction.atomic(), batch():
        services.ingest_bytes(rss(rss_item("new", "Tramway opens its northern line")
                                  + rss_item("brief", "Salmon farms face new limits")),
                              agency=services.agency_ensure(code="PRS"), source="in batch")
        tram = Article.objects.get(headline__startswith="Tramway")
        tram.headline = "Tramway opens its northern extension"
        tram.save()  # a stored article written again in the same batch
        old.headline = "Lighthouse keeper hands over the lamp"
        old.save()  # an article indexed before the batch: its row replaced
        article_kill(article=Article.objects.get(headline__startswith="Salmon"), reason="test",
                     actor="t")
        article_kill(article=gone, reason="test", actor="t")  # indexed before: its row dropped
        assert indexed() == before  # nothing written before the batch ends
    assert indexed() == before + 1 - 1  # tramway in, orchard out; salmon never written
    assert found(edition, "extension") == 1 and found(edition, "northern") == 1
    assert found(edition, "lamp") == 1  # the row replaced, not added: the count above
    assert found(edition, "salmon") == 0 and found(edition, "hailstorm") == 0


def test_a_turn_undone_in_a_batch_leaves_no_row(edition):
    before = indexed()
    with transaction.atomic(), batch():
        services.ingest_bytes(rss(rss_item("kept", "Tramway opens its northern line")),
                              agency=services.agency_ensure(code="PRS"), source="kept")
        with pytest.raises(RuntimeError), batch_savepoint(), transaction.atomic():
            services.ingest_bytes(rss(rss_item("undone", "Salmon farms face new limits")),
                                  agency=services.agency_ensure(code="PRS"), source="undone")
            raise RuntimeError("the turn fails")
    assert indexed() == before + 1
    assert found(edition, "tramway") == 1 and found(edition, "salmon") == 0
