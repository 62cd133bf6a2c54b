"""Per-host poll limits and due-feed claiming, with a real Celery worker against Redis."""

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.newsroom.feedserver import FeedServer
from tests.ops.helpers import REDIS_URL, base_env, migrate, redis_up, run_django
from wiredesk.newsroom.tasks import feed_host

WIREDESK = str(Path(sys.executable).parent / "wiredesk")


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


def add_feeds(env, urls):
    for url in urls:
        subprocess.run([WIREDESK, "feed", "add", url, "--agency", "SLOW"], env=env,
                       check=True, capture_output=True)


@pytest.mark.skipif(not redis_up(), reason="no Redis at 127.0.0.1:6379")
def test_due_feeds_are_queued_once_however_often_the_beat_runs(tmp_path):
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    env = base_env(tmp_path / "data", REDIS_URL=REDIS_URL)
    migrate(env)
    add_feeds(env, [f"http://wire.invalid/{i}.rss" for i in range(3)])
    out = run_django(
        "from wiredesk.newsroom.tasks import poll_due_feeds\n"
        "print(poll_due_feeds.run(), poll_due_feeds.run())\n"
        "from wiredesk.ops.checks import queue_depth; print(queue_depth()['wiredesk'])", env)
    assert out.split() == ["3", "0", "3"]


@pytest.mark.e2e
@pytest.mark.skipif(not redis_up(), reason="no Redis at 127.0.0.1:6379")
def test_a_slow_host_cannot_take_every_worker(tmp_path):
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    env = base_env(tmp_path / "data", REDIS_URL=REDIS_URL, WIREDESK_POLL_PER_HOST="1")
    migrate(env)
    with FeedServer(delay=1.5) as slow, FeedServer() as fast:
        add_feeds(env, [f"{slow.url}/s{i}.rss" for i in range(4)])
        add_feeds(env, [f"{fast.url}/f.rss"])
        worker = subprocess.Popen([WIREDESK, "worker", "--concurrency", "3"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            run_django("from wiredesk.newsroom.tasks import poll_due_feeds;"
                       "poll_due_feeds.run()", env)
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and (len(slow.requests) < 4
                                                   or not fast.requests):
                time.sleep(0.2)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
        assert len(slow.requests) == 4 and len(fast.requests) == 1
        # One place for the slow host: its feeds were fetched one at a time...
        assert slow.max_in_flight == 1
        # ...and the other agency was not kept waiting behind them.
        assert fast.requests[0][1] < sorted(t for _, t in slow.requests)[-1]
    out = run_django(
        "from wiredesk.newsroom.models import Article, Feed;"
        "from wiredesk.core import metrics;"
        "print(Article.objects.count(), Feed.objects.filter(last_status='ok').count(),"
        "metrics.counters().get('feed_polls_deferred_total', 0))", env)
    articles, ok_feeds, deferred = (int(v) for v in out.split())
    assert (articles, ok_feeds) == (10, 5)
    assert deferred >= 1


@pytest.mark.django_db
def test_items_that_failed_to_store_are_fetched_again_soon(tmp_path, monkeypatch):
    from django.db import OperationalError
    from django.utils import timezone

    from tests.newsroom.feedserver import FeedServer as Server
    from wiredesk.newsroom import services
    from wiredesk.newsroom.models import Article
    from wiredesk.newsroom.services import ingest

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
