"""`wiredesk serve` as a real process: graceful reload on SIGHUP, static files."""

import gzip
import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest

from tests.e2e.processes import WIREDESK, free_port


def children(pid: int) -> set[int]:
    out = subprocess.run(["ps", "-o", "pid=,args=", "--ppid", str(pid)], capture_output=True,
                         text=True).stdout
    return {int(line.split()[0]) for line in out.splitlines() if "jobs" not in line}


def wait_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except Exception:
            time.sleep(0.2)
    raise AssertionError(f"{url} never answered")


@pytest.fixture
def server(tmp_path, data_dir):
    port = free_port()
    pid_file = tmp_path / "serve.pid"
    process = subprocess.Popen(
        [WIREDESK, "serve", "--port", str(port), "--workers", "2", "--no-scheduler",
         "--pid-file", str(pid_file)], env=data_dir.env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_up(base + "/healthz")
        yield base, process, pid_file
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.e2e
def test_sighup_replaces_workers_without_failing_a_request(server):
    base, process, pid_file = server
    assert int(pid_file.read_text()) == process.pid
    # /healthz answers once one worker is up; on a busy machine the second comes later.
    deadline = time.monotonic() + 30
    while len(before := children(process.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(before) == 2
    failures, answered, stop = [], [], threading.Event()

    def hammer():
        while not stop.is_set():
            try:
                with urllib.request.urlopen(base + "/", timeout=10) as response:
                    answered.append(response.status)
            except Exception as exc:
                failures.append(repr(exc))

    threads = [threading.Thread(target=hammer) for _ in range(3)]
    for t in threads:
        t.start()
    time.sleep(1)
    os.kill(process.pid, signal.SIGHUP)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        now = children(process.pid)
        if len(now) == 2 and not now & before:
            break
        time.sleep(0.2)
    time.sleep(1)
    stop.set()
    for t in threads:
        t.join()
    after = children(process.pid)
    assert process.poll() is None  # the same master goes on
    assert len(after) == 2 and not after & before  # every worker was replaced
    assert failures == []
    assert len(answered) > 10


@pytest.mark.e2e
def test_static_files_are_served_compressed_and_cacheable(server):
    base, _process, _pid = server
    request = urllib.request.Request(base + "/static/wiredesk/site.css",
                                     headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request) as response:
        body = response.read()
        headers = response.headers
    assert headers["Content-Type"].startswith("text/css")
    assert headers["Content-Encoding"] == "gzip"
    assert b"{" in gzip.decompress(body)
    assert "max-age=" in headers["Cache-Control"]
    assert headers["Vary"] == "Accept-Encoding"
    etag = headers["ETag"]
    again = urllib.request.Request(base + "/static/wiredesk/site.css",
                                   headers={"If-None-Match": etag})
    with pytest.raises(urllib.error.HTTPError) as not_modified:
        urllib.request.urlopen(again)
    assert not_modified.value.code == 304
