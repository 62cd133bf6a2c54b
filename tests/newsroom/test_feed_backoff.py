"""Per-feed backoff against a real local server: exponential, Retry-After honoured, visible."""

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from wiredesk.newsroom import services
from wiredesk.newsroom.models import Feed

pytestmark = pytest.mark.django_db


class Busy(BaseHTTPRequestHandler):
    retry_after = ""

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.send_response(503 if self.path == "/busy" else 500)
        if self.path == "/busy":
            self.send_header("Retry-After", "7200")
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Busy)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_errors_back_off_exponentially(server):
    agency = services.agency_ensure(code="ERR")
    feed = services.feed_add(source=f"{server}/broken", agency=agency,
                             every=timedelta(minutes=10))
    gaps = []
    for _ in range(3):
        services.feed_poll(feed, force=True)
        feed.refresh_from_db()
        gaps.append(feed.next_poll_at - feed.last_polled_at)
    assert gaps == [timedelta(minutes=20), timedelta(minutes=40), timedelta(minutes=80)]
    assert feed.last_status == Feed.Status.ERROR and "HTTP 500" in feed.last_error


def test_retry_after_is_honoured_and_next_check_is_visible(server, capsys):
    agency = services.agency_ensure(code="BSY")
    feed = services.feed_add(source=f"{server}/busy", agency=agency)
    services.feed_poll(feed, force=True)
    feed.refresh_from_db()
    assert feed.next_poll_at - feed.last_polled_at == timedelta(hours=2)
    from wiredesk.newsroom.cli import cmd_feed

    class Args:
        feed_command = "list"

    cmd_feed(Args())
    out = capsys.readouterr().out
    assert "next check" in out and feed.next_poll_at.strftime("%Y-%m-%d %H:%M") in out
