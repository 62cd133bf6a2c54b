"""More ways in, with real processes: a Celery worker (through the Redis on this machine)
takes a file from an FTP drop folder on the feed's schedule, and the feed list goes out
and back in as OPML through the `wiredesk` command."""

import subprocess
import sys
import time

import pytest

from tests.e2e.processes import REDIS_URL, WIREDESK, redis_up
from tests.ftp_server import FtpServer
from tests.newsroom.test_drop_folders import NITF


@pytest.mark.skipif(not redis_up(), reason=f"no Redis at {REDIS_URL}")
def test_worker_takes_a_file_from_an_ftp_drop_folder(tmp_path, data_dir):
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    env = data_dir.env_with(REDIS_URL=REDIS_URL, WIREDESK_DROP_SETTLE_SECONDS=0,
                            WIREDESK_FETCH_ALLOW="127.0.0.1")
    with FtpServer(tmp_path / "ftp") as server:
        (server.home / "harbour.xml").write_bytes(NITF)
        subprocess.run([WIREDESK, "feed", "add", server.url("/"), "--agency", "AAP"],
                       env=env, check=True, capture_output=True)
        worker = subprocess.Popen([WIREDESK, "worker", "--concurrency", "1"], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True)
        try:
            beat = ("from wiredesk.cli import _setup_django; _setup_django();"
                    "from wiredesk.newsroom.tasks import poll_due_feeds; poll_due_feeds.delay()")
            listing = ""
            deadline = time.monotonic() + 90
            # The beat's turns: the first poll sees the file, a later one takes it.
            while time.monotonic() < deadline and not (server.home / "done").exists():
                subprocess.run([sys.executable, "-c", beat], env=env, check=True, timeout=60)
                time.sleep(1)
            listing = subprocess.run([WIREDESK, "feed", "list"], env=env,
                                     capture_output=True, text=True).stdout
            assert (server.home / "done" / "harbour.xml").exists(), listing
            assert "ftp://agency:***@127.0.0.1" in listing and server.password not in listing
            assert "     1     1" in listing  # items seen, created
        finally:
            worker.terminate()
            worker.wait(timeout=30)


def test_feed_list_out_and_back_in_as_opml(tmp_path, data_dir):
    def wiredesk(*args, env=data_dir.env):
        return subprocess.run([WIREDESK, *args], env=env, capture_output=True, text=True,
                              timeout=120)

    assert wiredesk("feed", "add", "https://wire.example/a.rss", "--agency", "RFE",
                    "--every", "5m", "--full-text").returncode == 0
    exported = tmp_path / "feeds.opml"
    assert wiredesk("feed", "export", "--opml", "--output", str(exported)).returncode == 0
    other = data_dir.env_with(WIREDESK_DATA_DIR=tmp_path / "other")
    result = wiredesk("feed", "import", str(exported), env=other)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "imported 1 of 1 feed(s)"
    listing = wiredesk("feed", "list", env=other).stdout
    assert "https://wire.example/a.rss" in listing and "RFE" in listing
