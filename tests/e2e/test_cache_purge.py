"""A kill made by another process (the CLI) while the server runs: the next request is 410.

Runs against the embedded local-memory cache and against Redis.
"""

import os
import signal
import subprocess
import time
import urllib.request

import pytest

from tests.conftest import rss, rss_item
from tests.e2e.processes import WIREDESK, free_port

pytestmark = pytest.mark.e2e

REDIS_TEST_URL = "redis://127.0.0.1:6379/7"


def fetch(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def run(env, *args) -> str:
    done = subprocess.run([WIREDESK, *args], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("cache", ["locmem", "redis"])
def test_cli_kill_reaches_a_running_server(tmp_path, data_dir, cache):
    env = dict(data_dir.env)
    if cache == "redis":
        redis = pytest.importorskip("redis")
        try:
            redis.Redis.from_url(REDIS_TEST_URL).flushdb()
        except redis.exceptions.ConnectionError:
            pytest.skip("no Redis at 127.0.0.1:6379")
        env["REDIS_URL"] = REDIS_TEST_URL
    feed = tmp_path / "wire.rss"
    feed.write_bytes(rss(rss_item("k1", "Story to be killed") + rss_item("k2", "Other story")))
    run(env, "ingest", str(feed), "--agency", "RFE")
    run(env, "edition", "add", "--name", "Chile Sun", "--timezone", "Australia/Sydney")
    article_id = run(env, "shell", "-c", "from wiredesk.newsroom.models import Article; "
                     "print(Article.objects.get(headline='Story to be killed').pk)").split()[-1]
    port = free_port()
    server = subprocess.Popen([WIREDESK, "serve", "--port", str(port), "--workers", "2",
                               "--no-scheduler"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/chile-sun/news/{article_id}/story-to-be-killed"
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _, _ = fetch(url)
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.3)
        assert status == 200
        # several requests so that every worker holds the page in its cache
        hits = [fetch(url)[1].get("X-Cache") for _ in range(8)]
        assert "HIT" in hits
        home = fetch(f"http://127.0.0.1:{port}/chile-sun/")[2]
        assert b"Story to be killed" in home
        run(env, "shell", "-c", "from wiredesk.newsroom.models import Article; "
            "from wiredesk.newsroom.services import article_kill; "
            f"article_kill(article=Article.objects.get(pk={article_id}), reason='legal')")
        for _ in range(8):  # whichever worker answers
            assert fetch(url)[0] == 410
            assert b"Story to be killed" not in fetch(f"http://127.0.0.1:{port}/chile-sun/")[2]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
