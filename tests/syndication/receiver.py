"""A partner's webhook receiver on loopback, over HTTPS with a test CA, that checks each
push's signature as a partner would, and fails on demand.

    with Receiver(secrets=["s3cret"], tls_dir=tmp_path) as hook:
        hook.mode = "fail"        # answer 500
        hook.mode = "slow"        # wait ``hook.delay`` seconds before answering
        hook.mode = "redirect"    # 307 to ``hook.location`` (e.g. a private address)
        hook.mode = "gone"        # answer 410
        hook.ca_bundle            # the PEM file to trust (WIREDESK_PUSH_CA_BUNDLE)

A push with no valid signature (any of ``secrets``), or signed outside the replay window,
is answered 401 and not kept. ``received`` holds every push kept, in order;
``applied`` the idempotency keys applied once each (what an exactly-once partner keeps).
"""

from __future__ import annotations

import contextlib
import json
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import trustme

from wiredesk.syndication import signing


class Receiver:
    def __init__(self, *, secrets: list[str], tls_dir: Path | None = None,
                 ca: trustme.CA | None = None):
        self.secrets = list(secrets)
        self.mode = "ok"
        self.delay = 0.0
        self.location = ""
        self.received: list[dict] = []
        self.refused: list[dict] = []
        self.applied: dict[str, dict] = {}
        self.lock = threading.Lock()
        self.tls_dir = tls_dir
        self.ca_bundle = ""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver._handle(self, body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls_dir is not None:
            ca = ca or trustme.CA()
            cert = ca.issue_cert("127.0.0.1", "localhost")
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            cert.configure_cert(context)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            self.ca_bundle = str(tls_dir / "partner-ca.pem")
            ca.cert_pem.write_to_path(self.ca_bundle)
        self.port = self.server.server_address[1]
        scheme = "https" if tls_dir is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _reply(self, handler, status: int, text: str = "", headers: dict | None = None):
        data = text.encode()
        # A pusher that gave up (its time limit) has gone: that is the point of the test.
        with contextlib.suppress(OSError):
            handler.send_response(status)
            for name, value in (headers or {}).items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)

    def _handle(self, handler, body: bytes) -> None:
        header = handler.headers.get(signing.HEADER, "")
        key = handler.headers.get("Idempotency-Key", "")
        seen = {"key": key, "body": body, "signature": header,
                "delivery": handler.headers.get("X-Wiredesk-Delivery", ""),
                "event": handler.headers.get("X-Wiredesk-Event", ""),
                "content_type": handler.headers.get("Content-Type", ""), "at": time.time()}
        if not any(signing.verify(header, body, secret) for secret in self.secrets):
            with self.lock:
                self.refused.append(seen)
            self._reply(handler, 401, "bad signature")
            return
        if self.mode == "slow":
            time.sleep(self.delay)
        elif self.mode == "fail":
            self._reply(handler, 500, "<html><body>Internal error</body></html>")
            return
        elif self.mode == "gone":
            self._reply(handler, 410, "gone")
            return
        elif self.mode == "redirect":
            self._reply(handler, 307, "", {"Location": self.location})
            return
        with self.lock:
            self.received.append(seen)
            self.applied.setdefault(key, seen)
        self._reply(handler, 200, "ok")

    def documents(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.received]

    def keys(self) -> list[str]:
        return [r["key"] for r in self.received]
