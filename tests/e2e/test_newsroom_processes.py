"""The newsroom's Celery path with real processes: a worker against the Redis on this
machine, the beat's due-feed claiming, and per-host poll limits."""

import subprocess
import sys
import time

import pytest

from tests.conftest import rss, rss_item
from tests.e2e.processes import REDIS_URL, WIREDESK, migrate, redis_up, run_django
from tests.newsroom.feedserver import FeedServer


@pytest.mark.skipif(not redis_up(), reason=f"no Redis at {REDIS_URL}")
def test_worker_polls_a_feed_queued_through_redis(tmp_path, data_dir):
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    env = data_dir.env_with(REDIS_URL=REDIS_URL)
    feed = tmp_path / "wire.rss"
    feed.write_bytes(rss(rss_item("g1", "Queued one") + rss_item("g2", "Queued two")))
    subprocess.run([WIREDESK, "feed", "add", str(feed), "--agency", "RFE"], env=env,
                   check=True, capture_output=True)
    worker = subprocess.Popen([WIREDESK, "worker", "--concurrency", "1"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        code = ("from wiredesk.cli import _setup_django; _setup_django();"
                "from wiredesk.newsroom.tasks import poll_due_feeds; poll_due_feeds.delay()")
        subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
        deadline = time.monotonic() + 60
        listing = ""
        while time.monotonic() < deadline:
            listing = subprocess.run([WIREDESK, "feed", "list"], env=env, capture_output=True,
                                     text=True).stdout
            if " ok " in listing:
                break
            time.sleep(0.5)
        assert " ok " in listing, listing
        assert "     2     2" in listing  # items seen, created
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_worker_without_broker_is_a_clear_error(data_dir):
    result = subprocess.run([WIREDESK, "worker"], env=data_dir.env, capture_output=True,
                            text=True)
    assert result.returncode == 2
    assert "no broker configured" in result.stderr


def add_feeds(env, urls):
    for url in urls:
        subprocess.run([WIREDESK, "feed", "add", url, "--agency", "SLOW"], env=env,
                       check=True, capture_output=True)


@pytest.mark.skipif(not redis_up(), reason="no Redis at 127.0.0.1:6379")
def test_due_feeds_are_queued_once_however_often_the_beat_runs(data_dir):
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    env = data_dir.env_with(REDIS_URL=REDIS_URL)
    migrate(env)
    add_feeds(env, [f"http://wire.invalid/{i}.rss" for i in range(3)])
    out = run_django(
        "from wiredesk.newsroom.tasks import poll_due_feeds\n"
        "print(poll_due_feeds.run(), poll_due_feeds.run())\n"
        "from wiredesk.ops.checks import queue_depth; print(queue_depth()['wiredesk'])", env)
    assert out.split() == ["3", "0", "3"]


@pytest.mark.skipif(not redis_up(), reason="no Redis at 127.0.0.1:6379")
def test_a_slow_host_cannot_take_every_worker(data_dir):
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    env = data_dir.env_with(REDIS_URL=REDIS_URL, WIREDESK_POLL_PER_HOST="1")
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


@pytest.mark.skipif(not redis_up(), reason=f"no Redis at {REDIS_URL}")
def test_worker_enriches_what_a_poll_stored_when_intelligence_is_deferred(tmp_path, data_dir):
    """The poll stores the items; the intelligence task it queues after the document
    groups the three reports of one fire into one story, on a real worker."""
    import redis

    from tests.newsroom.test_enrichment_stage import _story_texts

    redis.Redis.from_url(REDIS_URL).flushdb()
    env = data_dir.env_with(REDIS_URL=REDIS_URL, WIREDESK_INTELLIGENCE="deferred")
    feed = tmp_path / "wire.rss"
    feed.write_bytes(rss("".join(rss_item(f"g{i}", headline, body) for i, (headline, body)
                                 in enumerate(_story_texts(4)))))
    subprocess.run([WIREDESK, "feed", "add", str(feed), "--agency", "RFE"], env=env,
                   check=True, capture_output=True)
    worker = subprocess.Popen([WIREDESK, "worker", "--concurrency", "1"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    check = ("from wiredesk.newsroom.models import Article, EnrichmentDue\n"
             "fire = Article.objects.filter(headline__startswith='Fire at Hartwell')\n"
             "print(Article.objects.count(), EnrichmentDue.objects.count(),"
             " fire.exclude(story=None).values('story').distinct().count())")
    try:
        run_django("from wiredesk.newsroom.tasks import poll_due_feeds\n"
                   "poll_due_feeds.delay()", env)
        deadline = time.monotonic() + 90
        seen = ""
        while time.monotonic() < deadline:
            seen = run_django(check, env).strip()
            if seen == "4 0 1":
                break
            time.sleep(1)
        assert seen == "4 0 1", seen  # all stored, none waiting, the fire one story
    finally:
        worker.terminate()
        worker.wait(timeout=30)
