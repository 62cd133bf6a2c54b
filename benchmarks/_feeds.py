"""A farm of agency feed servers on loopback: overlapping feeds, ETags, 304s.

Feed ``i`` carries items ``i*step .. i*step+per_feed-1`` of one agency, so neighbouring
feeds share items: polled at once, they race to store the same item.
"""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY = ("<p>{title} was reported on Friday by officials who spoke at length about what "
        "happened and why it matters to the region and its neighbours.</p>"
        "<p>Second paragraph with more detail on the {n}th development.</p>"
        "<p>Third paragraph.</p><p>Fourth paragraph, the end.</p>")


def feed_xml(index: int, per_feed: int, step: int, generation: int = 0,
             prefix: str = "story") -> bytes:
    items = []
    for n in range(index * step, index * step + per_feed):
        title = f"Wire {prefix} {n}" + (f" (update {generation})" if generation else "")
        items.append(
            f"<item><title>{title}</title><guid isPermaLink=\"false\">{prefix}-{n}</guid>"
            f"<link>https://wire.example.org/{prefix}/{n}</link><category>World</category>"
            f"<pubDate>Fri, 11 Jul 2025 {n % 24:02d}:{n % 60:02d}:00 GMT</pubDate>"
            f"<description><![CDATA[{BODY.format(title=title, n=n)}]]></description></item>")
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Feed {index}</title><link>https://wire.example.org/</link>"
            f"<description>bench</description>{''.join(items)}</channel></rss>").encode()


class FeedFarm:
    def __init__(self, *, hosts: int, feeds: int, per_feed: int, step: int,
                 prefix: str = "story"):
        self.feeds, self.per_feed, self.step = feeds, per_feed, step
        self.prefix = prefix
        self.bodies = {i: feed_xml(i, per_feed, step, prefix=prefix) for i in range(feeds)}
        self.etags = {i: '"' + hashlib.sha1(b).hexdigest() + '"'
                      for i, b in self.bodies.items()}
        self.hits = 0
        self.not_modified = 0
        farm = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                farm.hits += 1
                index = int(self.path.rsplit("/", 1)[-1].split(".")[0][1:])
                etag = farm.etags[index]
                if self.headers.get("If-None-Match") == etag:
                    farm.not_modified += 1
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = farm.bodies[index]
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.servers = [ThreadingHTTPServer(("127.0.0.1", 0), Handler) for _ in range(hosts)]
        for server in self.servers:
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()

    @property
    def unique_items(self) -> int:
        return (self.feeds - 1) * self.step + self.per_feed

    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{self.servers[i % len(self.servers)].server_address[1]}"
                f"/{self.prefix}/f{i}.rss" for i in range(self.feeds)]

    def close(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()
