"""The Celery path with a real worker process against the Redis on this machine."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import rss, rss_item

REDIS_URL = os.environ.get("WIREDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


@pytest.mark.e2e
@pytest.mark.skipif(not redis_up(), reason=f"no Redis at {REDIS_URL}")
def test_worker_polls_a_feed_queued_through_redis(tmp_path):
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    wiredesk = str(Path(sys.executable).parent / "wiredesk")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(WIREDESK_DATA_DIR=str(tmp_path / "data"), REDIS_URL=REDIS_URL)
    feed = tmp_path / "wire.rss"
    feed.write_bytes(rss(rss_item("g1", "Queued one") + rss_item("g2", "Queued two")))
    subprocess.run([wiredesk, "feed", "add", str(feed), "--agency", "RFE"], env=env,
                   check=True, capture_output=True)
    worker = subprocess.Popen([wiredesk, "worker", "--concurrency", "1"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        code = ("from wiredesk.cli import _setup_django; _setup_django();"
                "from wiredesk.newsroom.tasks import poll_due_feeds; poll_due_feeds.delay()")
        subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
        deadline = time.monotonic() + 60
        listing = ""
        while time.monotonic() < deadline:
            listing = subprocess.run([wiredesk, "feed", "list"], env=env, capture_output=True,
                                     text=True).stdout
            if " ok " in listing:
                break
            time.sleep(0.5)
        assert " ok " in listing, listing
        assert "     2     2" in listing  # items seen, created
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_worker_without_broker_is_a_clear_error(tmp_path):
    wiredesk = str(Path(sys.executable).parent / "wiredesk")
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "WIREDESK_BROKER_URL")}
    env["WIREDESK_DATA_DIR"] = str(tmp_path / "data")
    result = subprocess.run([wiredesk, "worker"], env=env, capture_output=True, text=True)
    assert result.returncode == 2
    assert "no broker configured" in result.stderr


@pytest.mark.django_db
def test_single_flight_lock_excludes_a_second_holder():
    from wiredesk.core.locks import single_flight

    with single_flight("x", ttl=60) as first, single_flight("x", ttl=60) as second:
        assert first and not second
    with single_flight("x", ttl=60) as again:
        assert again
