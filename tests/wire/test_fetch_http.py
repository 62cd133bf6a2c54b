"""The fetcher against a real local HTTP server: caps, bombs, redirects, timeouts, backoff."""

import contextlib
import gzip
import threading
import time
import tracemalloc
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import rss, rss_item
from wiredesk.wire.fetch import USER_AGENT, FetchError, FetchPolicy
from wiredesk.wire.fetch import fetch as wire_fetch

# These servers run on loopback, which the default policy refuses (tests/security).
LOOPBACK = FetchPolicy(allow=["127.0.0.1"])


def fetch(url, **kwargs):
    return wire_fetch(url, policy=LOOPBACK, **kwargs)


FEED = rss(rss_item("f1", "Fetched item"))
CAP = 1024 * 1024


def _bomb(size: int) -> bytes:
    """``size`` zero bytes gzip-compressed, built without holding them in memory."""
    z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1024 * 1024)
    parts = [z.compress(block) for _ in range(size // len(block))]
    return b"".join(parts) + z.flush()


BOMB = _bomb(256 * 1024 * 1024)  # 256 MB of zeros in about 250 KB


class Handler(BaseHTTPRequestHandler):
    seen: list[dict] = []

    def log_message(self, *args):
        pass

    def _send(self, status, body=b"", headers=None):
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if "Content-Length" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            # The client may give up (timeouts, caps): that is the point.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

    def do_GET(self):
        Handler.seen.append({"path": self.path, "ua": self.headers.get("User-Agent"),
                             "inm": self.headers.get("If-None-Match"),
                             "ims": self.headers.get("If-Modified-Since")})
        if self.path == "/feed":
            if self.headers.get("If-None-Match") == '"v1"':
                return self._send(304)
            return self._send(200, FEED, {"ETag": '"v1"', "Content-Type": "application/rss+xml",
                                          "Last-Modified": "Sat, 12 Jul 2025 10:00:00 GMT"})
        if self.path == "/gzip":
            return self._send(200, gzip.compress(FEED), {"Content-Encoding": "gzip"})
        if self.path == "/big-declared":
            self.send_response(200)
            self.send_header("Content-Length", str(CAP * 5))
            self.end_headers()
            return None
        if self.path == "/big-streamed":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            # The client hangs up at the cap: that is the point.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                for _ in range(5):
                    self.wfile.write(b"x" * CAP)
            return None
        if self.path == "/bomb":
            return self._send(200, BOMB, {"Content-Encoding": "gzip"})
        if self.path.startswith("/loop"):
            n = int(self.path.removeprefix("/loop") or 0)
            return self._send(302, headers={"Location": f"/loop{n + 1}"})
        if self.path == "/hop":
            return self._send(301, headers={"Location": "/feed"})
        if self.path == "/slow":
            time.sleep(2)
            return self._send(200, FEED, {"Connection": "close"})
        if self.path == "/busy":
            return self._send(503, b"busy", {"Retry-After": "120"})
        return self._send(404, b"no")


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_conditional_get_and_user_agent(server):
    first = fetch(f"{server}/feed")
    assert first.status == 200 and first.body == FEED and first.etag == '"v1"'
    second = fetch(f"{server}/feed", etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified
    request = Handler.seen[-1]
    assert request["inm"] == '"v1"' and request["ims"] == "Sat, 12 Jul 2025 10:00:00 GMT"
    assert request["ua"] == USER_AGENT and "wiredesk" in USER_AGENT


def test_gzip_body_is_decoded(server):
    assert fetch(f"{server}/gzip").body == FEED


def test_declared_oversized_body_is_refused(server):
    with pytest.raises(FetchError, match="limit"):
        fetch(f"{server}/big-declared", max_bytes=CAP)


def test_streamed_oversized_body_stops_at_the_cap(server):
    with pytest.raises(FetchError, match="limit"):
        fetch(f"{server}/big-streamed", max_bytes=CAP)


def test_gzip_bomb_stops_at_the_cap_with_bounded_memory(server):
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match="after decompression"):
            fetch(f"{server}/bomb", max_bytes=CAP)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # 256 MB expanded; we never hold much more than the 1 MB cap.
    assert peak < 8 * CAP, peak


def test_redirects_followed_then_limited(server):
    assert fetch(f"{server}/hop").body == FEED
    with pytest.raises(FetchError, match="redirect"):
        fetch(f"{server}/loop")


def test_read_timeout(server):
    started = time.monotonic()
    with pytest.raises(FetchError):
        fetch(f"{server}/slow", timeout=0.3)
    assert time.monotonic() - started < 1.8


def test_retry_after_is_reported(server):
    with pytest.raises(FetchError) as caught:
        fetch(f"{server}/busy")
    assert caught.value.status == 503
    assert caught.value.retry_after.total_seconds() == 120


def test_connection_refused_is_a_clear_error():
    with pytest.raises(FetchError, match="cannot connect"):
        fetch("http://127.0.0.1:9/feed", timeout=1)
