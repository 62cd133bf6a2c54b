"""A real HTTP feed server for tests: serves RSS, optionally slowly, and records concurrency."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.conftest import rss, rss_item


class FeedServer:
    def __init__(self, *, delay: float = 0.0, items_per_feed: int = 2):
        self.delay = delay
        self.items_per_feed = items_per_feed
        self.in_flight = 0
        self.max_in_flight = 0
        self.requests: list[tuple[str, float]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                with server._lock:
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    time.sleep(server.delay)
                    # Items are named by the first path segment: /same/1.rss and
                    # /same/2.rss carry the same items (overlapping feeds).
                    name = self.path.split("?")[0].strip("/").split("/")[0] or "root"
                    body = rss("".join(rss_item(f"{name}-{i}", f"Story {i} from {name}")
                                       for i in range(server.items_per_feed)))
                    self.send_response(200)
                    self.send_header("Content-Type", "application/rss+xml")
                    self.send_header("ETag", "\"v1\"")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                finally:
                    with server._lock:
                        server.in_flight -= 1
                        server.requests.append((self.path, time.monotonic()))

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
