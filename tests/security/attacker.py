"""An attacker's HTTP server on loopback: answers what a test scripts, records every request.

It stands for both sides of an SSRF: the outside host an attacker controls (a feed, a
redirect) and the inside service the attacker wants read (``/secret``). Whatever reaches
``/secret`` is what a fetch should never have reached.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = "INTERNAL-ADMIN-PAGE do-not-publish root-token-0xC0FFEE"
SECRET_PAGE = (f"<!DOCTYPE html><html><head><title>Internal admin</title></head><body>"
               f"<article><h1>Internal admin</h1><p>{SECRET} and the rest of the internal "
               "page, long enough to pass for an article body when extracted from it.</p>"
               f"<p>{SECRET} appears again in a second paragraph of the internal page.</p>"
               "</article></body></html>").encode()

Route = Callable[[BaseHTTPRequestHandler], None]


class Attacker:
    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.routes: dict[str, Route] = {"/secret": self.page(SECRET_PAGE, "text/html")}
        self.requests: list[tuple[str, str]] = []  # (path, Host header)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                server.requests.append((self.path, self.headers.get("Host", "")))
                route = server.routes.get(self.path.split("?")[0])
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    route(self)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @staticmethod
    def page(body: bytes, content_type: str) -> Route:
        def send(handler):
            handler.send_response(200)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        return send

    @staticmethod
    def redirect(location: str, status: int = 302) -> Route:
        def send(handler):
            handler.send_response(status)
            handler.send_header("Location", location)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
        return send

    @staticmethod
    def drip(head: bytes, *, every: float, give_up_after: float = 20.0) -> Route:
        """Send ``head`` at once, then one byte every ``every`` seconds: a slow-drip feed.

        It stops after ``give_up_after`` seconds so that a fetcher without a real
        deadline fails the test instead of hanging the run.
        """
        def send(handler):
            handler.wfile.write(head)
            handler.wfile.flush()
            ends = time.monotonic() + give_up_after
            while time.monotonic() < ends:
                time.sleep(every)
                handler.wfile.write(b" ")
                handler.wfile.flush()
            handler.close_connection = True
        return send

    def paths(self) -> list[str]:
        return [path for path, _host in self.requests]

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
