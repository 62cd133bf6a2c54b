"""Per-host poll limits and refetching, in this process. Due-feed claiming and the limits
with a real Celery worker against Redis are in tests/e2e/test_newsroom_processes.py."""

import pytest

from wiredesk.newsroom.tasks import feed_host


def test_feed_host_is_the_network_location():
    assert feed_host("https://User@Wire.Example:8443/a.rss") == "wire.example:8443"
    assert feed_host("/srv/feeds/a.rss") == ""


@pytest.mark.django_db
def test_slots_admit_at_most_their_number_and_free_on_exit():
    from wiredesk.core.locks import one_of_slots

    with one_of_slots("h", slots=2) as a, one_of_slots("h", slots=2) as b, \
            one_of_slots("h", slots=2) as c:
        assert (a, b, c) == (True, True, False)
    with one_of_slots("h", slots=2) as again:
        assert again


@pytest.mark.django_db
def test_items_that_failed_to_store_are_fetched_again_soon(tmp_path, monkeypatch):
    from django.db import OperationalError
    from django.utils import timezone

    from tests.newsroom.feedserver import FeedServer as Server
    from wiredesk.newsroom import services
    from wiredesk.newsroom.models import Article
    from wiredesk.newsroom.services import documents as ingest

    real_store = ingest.store_item
    calls = {"n": 0}

    def database_goes_away_once(item, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OperationalError("server closed the connection unexpectedly")
        return real_store(item, **kwargs)

    with Server(items_per_feed=3) as server:
        feed = services.feed_add(source=f"{server.url}/wire.rss",
                                 agency=services.agency_ensure(code="RFE"))
        monkeypatch.setattr(ingest, "store_item", database_goes_away_once)
        now = timezone.now()
        report = services.feed_poll(feed, now=now)
        assert (report.created, report.store_failures) == (2, 1)
        feed.refresh_from_db()
        assert feed.etag == "" and feed.next_poll_at <= now + services.STORE_RETRY
        monkeypatch.setattr(ingest, "store_item", real_store)
        again = services.feed_poll(feed)
    assert again.created == 1 and Article.objects.count() == 3
