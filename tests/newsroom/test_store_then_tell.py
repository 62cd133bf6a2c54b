"""store_item stores, returns the article, and tells the apps above with ``article_stored``."""

import pytest

from tests.conftest import rss, rss_item
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article
from wiredesk.newsroom.signals import article_stored
from wiredesk.wire.pipeline import process

pytestmark = pytest.mark.django_db


def clean(guid: str, title: str):
    return process(rss(rss_item(guid, title)), zone="UTC").items[0]


@pytest.fixture
def agency():
    return services.agency_ensure(code="RFE")


@pytest.fixture
def told():
    heard = []

    def listen(sender, article, outcome, feed=None, **kwargs):
        heard.append((outcome, article.pk, Article.objects.filter(pk=article.pk).exists()))

    article_stored.connect(listen, weak=False, dispatch_uid="test-told")
    yield heard
    article_stored.disconnect(dispatch_uid="test-told")


def test_store_item_returns_the_outcome_and_the_article(agency):
    first = services.store_item(clean("g1", "One"), agency=agency)
    assert first.outcome == "created" and first.article == Article.objects.get()
    again = services.store_item(clean("g1", "One"), agency=agency)
    assert again.outcome == "unchanged" and again.article == first.article
    revised = services.store_item(clean("g1", "One, corrected"), agency=agency)
    assert revised.outcome == "updated" and revised.article.pk == first.article.pk
    assert revised.article.headline == "One, corrected"


def test_a_skipped_item_has_no_article(agency):
    stored = services.store_item(clean("g1", "One"), agency=agency)
    services.article_kill(article=stored.article, reason="wrong")
    skipped = services.store_item(clean("g1", "One, again"), agency=agency)
    assert skipped.outcome == "skipped" and skipped.article is None


def test_article_stored_tells_created_and_updated_with_the_article_written(agency, told):
    created = services.store_item(clean("g1", "One"), agency=agency).article
    services.store_item(clean("g1", "One"), agency=agency)  # unchanged: nothing to tell
    services.store_item(clean("g1", "One, corrected"), agency=agency)
    assert told == [("created", created.pk, True), ("updated", created.pk, True)]


def test_article_stored_is_sent_inside_the_items_transaction(agency):
    def refuse(sender, article, **kwargs):
        raise RuntimeError("a receiver failed")

    article_stored.connect(refuse, weak=False, dispatch_uid="test-refuse")
    try:
        with pytest.raises(RuntimeError):
            services.store_item(clean("g1", "One"), agency=agency)
    finally:
        article_stored.disconnect(dispatch_uid="test-refuse")
    assert not Article.objects.exists()  # the article went with the receiver's failure


def test_ingest_reports_the_articles_it_created_or_updated(tmp_path, agency, told):
    report = services.ingest_bytes(rss(rss_item("g1", "One") + rss_item("g2", "Two")),
                                   agency=agency, source="test")
    assert report.article_ids == sorted(Article.objects.values_list("pk", flat=True))
    again = services.ingest_bytes(rss(rss_item("g1", "One") + rss_item("g2", "Two, again")),
                                  agency=agency, source="test")
    assert again.article_ids == [Article.objects.get(guid="g2").pk]
    assert [outcome for outcome, _pk, _written in told] == ["created", "created", "updated"]
