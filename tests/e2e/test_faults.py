"""kill -9 a Celery worker mid-ingest: afterwards every item is stored exactly once and
no feed stays stuck. The CI-sized version of benchmarks/faults.py (kill9-worker)."""

import os
import signal
import subprocess
import time

import pytest

from tests.e2e.processes import REDIS_URL, WIREDESK, migrate, redis_up, run_django
from tests.newsroom.feedserver import FeedServer

FEEDS = 6
ITEMS = 3

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not redis_up(), reason="no Redis at 127.0.0.1:6379")]


def start_worker(env, log):
    return subprocess.Popen([WIREDESK, "worker", "--concurrency", "2"], env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


def test_killed_worker_loses_nothing_and_stores_nothing_twice(tmp_path, data_dir):
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    env = data_dir.env_with(REDIS_URL=REDIS_URL, WIREDESK_POLL_LEASE="4",
                            WIREDESK_TASK_VISIBILITY_TIMEOUT="8", WIREDESK_POLL_PER_HOST="2")
    migrate(env)
    beat = "from wiredesk.newsroom.tasks import poll_due_feeds; poll_due_feeds.run()"
    with FeedServer(delay=1.0, items_per_feed=ITEMS) as server:
        for i in range(FEEDS):
            # Every feed carries the same items: they all race to store them.
            subprocess.run([WIREDESK, "feed", "add", f"{server.url}/same/{i}.rss",
                            "--agency", "RFE"], env=env, check=True, capture_output=True)
        log = (tmp_path / "worker.log").open("w")
        worker = start_worker(env, log)
        try:
            run_django(beat, env)
            deadline = time.monotonic() + 60
            while not server.requests and time.monotonic() < deadline:
                time.sleep(0.05)
            assert server.in_flight or server.requests, "the worker never started polling"
            time.sleep(0.3)  # mid-fetch of the next polls
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
            worker = start_worker(env, log)
            # Celery beat's job, every two seconds, until every feed was polled.
            deadline = time.monotonic() + 90
            done = ""
            while time.monotonic() < deadline:
                run_django(beat, env)
                done = run_django("from wiredesk.newsroom.models import Feed;"
                                  "print(Feed.objects.filter(last_status='ok').count())", env)
                if int(done) == FEEDS:
                    break
                time.sleep(2)
            assert int(done) == FEEDS
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=60)
            log.close()
    out = run_django("from wiredesk.newsroom.models import Article, Revision;"
                     "print(Article.objects.count(), Revision.objects.count(),"
                     "Article.objects.values('guid').distinct().count())", env)
    assert out.split() == [str(ITEMS), "0", str(ITEMS)]
    assert not client.keys("wiredesk:lock:poll-feed:*")  # no lock left behind
