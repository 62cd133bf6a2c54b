"""Pushes under the fetch rules against a real local server: one-shot and kept alive."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from wiredesk.wire.fetch import FetchError, FetchPolicy, PushSession, post

LOOPBACK = FetchPolicy(allow=["127.0.0.1"])


class Endpoint:
    def __init__(self):
        self.seen: list[dict] = []
        self.delay = 0.0
        self.close_after_each = False
        self.redirect_to = ""
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                owner.seen.append({"body": body, "peer": self.client_address[1],
                                   "path": self.path})
                if owner.delay:
                    time.sleep(owner.delay)
                if owner.redirect_to and self.path == "/first":
                    self.send_response(307)
                    self.send_header("Location", owner.redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Length", "2")
                if owner.close_after_each:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                self.wfile.write(b"ok")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint():
    server = Endpoint()
    yield server
    server.close()


def test_a_session_keeps_one_connection_for_many_pushes(endpoint):
    with PushSession(policy=LOOPBACK) as session:
        for n in range(5):
            answer = session.post(endpoint.url + "/hook", f"push {n}".encode(),
                                  content_type="text/plain")
            assert answer.ok and answer.body == b"ok"
    assert [s["body"] for s in endpoint.seen] == [f"push {n}".encode() for n in range(5)]
    assert len({s["peer"] for s in endpoint.seen}) == 1


def test_a_connection_the_server_closed_is_replaced(endpoint):
    endpoint.close_after_each = True
    with PushSession(policy=LOOPBACK) as session:
        for _ in range(3):
            assert session.post(endpoint.url + "/hook", b"x", content_type="text/plain").ok
    assert len({s["peer"] for s in endpoint.seen}) == 3


def test_every_push_is_checked_against_the_policy(endpoint):
    with PushSession(policy=LOOPBACK) as session:
        assert session.post(endpoint.url + "/hook", b"x", content_type="text/plain").ok
        session.policy = FetchPolicy()
        with pytest.raises(FetchError, match="loopback"):
            session.post(endpoint.url + "/hook", b"x", content_type="text/plain")
    with pytest.raises(FetchError, match="refused"):
        post(endpoint.url + "/hook", b"x", content_type="text/plain")


def test_the_time_limit_holds_on_a_kept_connection(endpoint):
    with PushSession(policy=LOOPBACK) as session:
        assert session.post(endpoint.url + "/hook", b"x", content_type="text/plain").ok
        endpoint.delay = 3
        with pytest.raises(FetchError, match=r"gave up after 0\.5s"):
            session.post(endpoint.url + "/hook", b"x", content_type="text/plain", timeout=0.5)


def test_307_keeps_the_body_and_each_hop_is_checked(endpoint):
    endpoint.redirect_to = "/second"
    answer = post(endpoint.url + "/first", b"payload", content_type="text/plain",
                  policy=LOOPBACK)
    assert answer.ok and [s["path"] for s in endpoint.seen] == ["/first", "/second"]
    assert endpoint.seen[1]["body"] == b"payload"
    endpoint.redirect_to = "http://10.1.2.3/inside"
    with PushSession(policy=LOOPBACK) as session, pytest.raises(FetchError, match="private"):
        session.post(endpoint.url + "/first", b"x", content_type="text/plain")
