"""A WebSub subscriber (or an outside hub) on loopback, for WebSub tests.

As a subscriber it answers the hub's intent verification (echoing ``hub.challenge``
unless told to refuse) and keeps each content distribution with its headers. As a hub
it keeps each form POST (``hub.mode=publish&hub.url=...``).
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class LoopbackSubscriber:
    def __init__(self):
        self.echo = True
        self.verifications: list[dict] = []
        self.deliveries: list[dict] = []
        self.forms: list[dict] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _reply(self, status: int, body: bytes = b""):
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                owner.verifications.append(query)
                if owner.echo and "hub.challenge" in query:
                    self._reply(200, query["hub.challenge"].encode())
                else:
                    self._reply(404, b"not mine")

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Content-Type", "").startswith(
                        "application/x-www-form-urlencoded"):
                    owner.forms.append({k: v[0] for k, v in parse_qs(body.decode()).items()})
                else:
                    owner.deliveries.append({"body": body, "headers": dict(self.headers)})
                self._reply(204)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/callback?feed=1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LoopbackSubscriber:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
