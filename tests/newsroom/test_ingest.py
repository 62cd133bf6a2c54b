import pytest

from tests.conftest import rss, rss_item
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article, Feed, Revision

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency():
    return services.agency_ensure(code="RFE", name="RFE wire", time_zone="Europe/Prague")


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_ingesting_the_same_feed_twice_changes_nothing(tmp_path, agency):
    path = write(tmp_path, "a.rss", rss(rss_item("g1", "One") + rss_item("g2", "Two")))
    feed = services.feed_add(source=str(path), agency=agency)
    first = services.feed_poll(feed, force=True)
    assert (first.created, first.updated) == (2, 0)
    before = list(Article.objects.values_list("pk", "modified_at", "version"))
    second = services.feed_poll(feed, force=True)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert list(Article.objects.values_list("pk", "modified_at", "version")) == before


def test_changed_item_updates_article_keeping_id_and_url(tmp_path, agency):
    path = write(tmp_path, "a.rss", rss(rss_item("g1", "First headline")))
    services.ingest_source(str(path), agency=agency)
    article = Article.objects.get()
    path.write_bytes(rss(rss_item("g1", "Corrected headline")))
    report = services.ingest_source(str(path), agency=agency)
    assert report.updated == 1
    updated = Article.objects.get()
    assert updated.pk == article.pk
    assert updated.headline == "Corrected headline"
    assert updated.version == 2
    assert Revision.objects.get().headline == "First headline"


def test_item_without_guid_falls_back_to_link_then_hash(tmp_path, agency):
    item = rss_item("", "No guid", link="https://wire.example.org/x?utm_source=feed")
    item = item.replace('<guid isPermaLink="false"></guid>', "")
    path = write(tmp_path, "a.rss", rss(item))
    services.ingest_source(str(path), agency=agency)
    path.write_bytes(rss(item.replace("utm_source=feed", "utm_source=other")))
    services.ingest_source(str(path), agency=agency)
    assert Article.objects.get().identity.startswith("url:")


def test_broken_feed_is_recorded_and_others_go_on(tmp_path, agency):
    good = services.feed_add(source=str(write(tmp_path, "good.rss", rss(rss_item("g", "G")))),
                             agency=agency)
    bad = services.feed_add(source=str(write(tmp_path, "bad.rss", b"<html>not a feed")),
                            agency=agency)
    empty = services.feed_add(source=str(write(tmp_path, "empty.rss", b"")), agency=agency)
    reports = services.poll_due_feeds()
    assert len(reports) == 3
    for feed in (bad, empty):
        feed.refresh_from_db()
        assert feed.last_status == Feed.Status.ERROR
        assert feed.last_error
        assert feed.last_error_at is not None
        assert feed.next_poll_at > feed.last_polled_at
    good.refresh_from_db()
    assert good.last_status == Feed.Status.OK
    assert Article.objects.count() == 1


def test_broken_feed_does_not_lose_stored_items(tmp_path, agency):
    path = write(tmp_path, "a.rss", rss(rss_item("g1", "Kept")))
    feed = services.feed_add(source=str(path), agency=agency)
    services.feed_poll(feed, force=True)
    path.write_bytes(b"<rss><channel><item><title>broken")
    services.feed_poll(feed, force=True)
    assert Article.objects.filter(headline="Kept").exists()


def test_backoff_grows_with_errors(tmp_path, agency):
    feed = services.feed_add(source=str(write(tmp_path, "bad.rss", b"junk")), agency=agency)
    services.feed_poll(feed, force=True)
    first_gap = feed.next_poll_at - feed.last_polled_at
    services.feed_poll(feed, force=True)
    assert feed.next_poll_at - feed.last_polled_at > first_gap


def test_killed_article_is_not_recreated(tmp_path, agency):
    path = write(tmp_path, "a.rss", rss(rss_item("g1", "To kill")))
    services.ingest_source(str(path), agency=agency)
    services.article_kill(article=Article.objects.get(), reason="legal")
    report = services.ingest_source(str(path), agency=agency)
    assert report.created == 0
    assert Article.objects.get().status == Article.Status.KILLED


def test_section_from_category(tmp_path, agency):
    services.section_ensure(slug="business", name="Business", aliases="economy,markets")
    path = write(tmp_path, "a.rss", rss(rss_item("g1", "Stocks", category="Markets")))
    services.ingest_source(str(path), agency=agency)
    assert Article.objects.get().section.slug == "business"
