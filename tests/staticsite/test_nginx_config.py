"""docs/static-mode.md's nginx configuration, run by a real nginx over a published site:
the page from its file with the headers Django sends and its compressed copies, wiredesk's
own files hidden, forms, queries, signed-in editors and paths with no file handed to
wiredesk, and a killed article's page gone on the very next request. Skipped without
nginx (Debian: apt-get install nginx-light libnginx-mod-http-brotli-static)."""

from __future__ import annotations

import gzip
import http.client
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import brotli
import pytest
from django.test import Client

from tests.staticsite.conftest import files_of
from wiredesk.editions.links import article_path_for
from wiredesk.newsroom.models import Article
from wiredesk.newsroom.services import article_kill

DOC = Path(__file__).resolve().parents[2] / "docs" / "static-mode.md"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
BROTLI = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
FROM_WIREDESK = b"answered by wiredesk"
SAME_AS_DJANGO = ("Content-Security-Policy", "Permissions-Policy", "X-Content-Type-Options",
                  "Referrer-Policy", "X-Frame-Options", "Cross-Origin-Opener-Policy")

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is not installed")]


class Upstream(BaseHTTPRequestHandler):
    """Stands in for wiredesk behind nginx: notes what it was asked."""

    protocol_version = "HTTP/1.1"
    seen: list[tuple[str, str, bytes]] = []

    def answer(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.seen.append((self.command, self.path, body))
        self.send_response(200)
        self.send_header("Content-Length", str(len(FROM_WIREDESK)))
        self.end_headers()
        self.wfile.write(FROM_WIREDESK)

    do_GET = do_POST = do_HEAD = do_PUT = answer

    def log_message(self, *args):
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def configuration(prefix: Path, root: Path, port: int, upstream: int) -> str:
    block = re.search(r"<!-- nginx-static-mode -->\s*```nginx\n(.*?)```", DOC.read_text(),
                      re.S).group(1)
    for documented, here in (("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};"),
                             ("listen 80;", f"listen 127.0.0.1:{port};"),
                             ("root /srv/wiredesk/www;", f"root {root};")):
        assert documented in block
        block = block.replace(documented, here)
    if not BROTLI.exists():
        block = block.replace("brotli_static on;", "")
    temp = " ".join(f"{name}_temp_path {prefix}/{name};"
                    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (f"{f'load_module {BROTLI};' if BROTLI.exists() else ''}\n"
            f"{'user root;' if os.geteuid() == 0 else ''}\n"  # pytest's folders are private
            f"worker_processes 1; pid {prefix}/nginx.pid; error_log {prefix}/error.log;\n"
            "events { worker_connections 64; }\n"
            "http { include /etc/nginx/mime.types; default_type application/octet-stream;\n"
            f"access_log off; {temp}\n{block}\n}}\n")


@pytest.fixture
def nginx(out, tmp_path):
    Upstream.seen = []
    wiredesk = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=wiredesk.serve_forever, daemon=True).start()
    prefix, port = tmp_path / "nginx", free_port()
    prefix.mkdir()
    conf = prefix / "nginx.conf"
    conf.write_text(configuration(prefix, out.parent, port, wiredesk.server_address[1]))
    server = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(prefix), "-g", "daemon off;"],
                              stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and server.poll() is None:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    assert server.poll() is None, server.stderr.read().decode()
    yield port
    server.terminate()
    server.wait(timeout=10)
    wiredesk.shutdown()


def url_of(article) -> str:
    return "/chile-sun" + article_path_for(article.pk, article.slug)


def fetch(port, path, method="GET", body=None, **headers):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path, body=body, headers={"Host": "news.example", **headers})
    response = connection.getresponse()
    content = response.read()
    connection.close()
    return response, content


def test_the_page_is_the_file_with_django_s_headers_and_copies(nginx, out):
    article = Article.objects.get(headline__startswith="Harbour")
    path = url_of(article)
    page = files_of(out, article)[0].read_bytes()
    response, content = fetch(nginx, path)
    assert response.status == 200 and content == page and not Upstream.seen
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    django = Client().get(path)
    assert django.status_code == 200
    for name in SAME_AS_DJANGO:
        assert response.getheader(name) == django[name], name
    # One address, several codings: a cache in front must keep them apart.
    assert response.getheader("Vary") == "Accept-Encoding"
    response, content = fetch(nginx, path, **{"Accept-Encoding": "gzip"})
    assert response.getheader("Content-Encoding") == "gzip"
    assert response.getheader("Vary") == "Accept-Encoding"
    assert gzip.decompress(content) == page
    if BROTLI.exists():
        response, content = fetch(nginx, path, **{"Accept-Encoding": "br, gzip"})
        assert response.getheader("Content-Encoding") == "br"
        assert response.getheader("Vary") == "Accept-Encoding"
        assert brotli.decompress(content) == page
    assert not Upstream.seen


def test_wiredesk_s_own_files_are_hidden(nginx, out):
    (out / ".index.html.partial").write_text("half a page")
    for name in (".published.json", ".stamp", ".index.html.partial"):
        assert (out / name).exists()
        response, content = fetch(nginx, f"/chile-sun/{name}")
        assert response.status == 404 and b"half" not in content, name
    assert not Upstream.seen


def test_forms_queries_editors_and_the_rest_go_to_wiredesk(nginx, out):
    article = Article.objects.get(headline__startswith="Harbour")
    path = url_of(article)
    asked = [
        ("POST", path, b"email=reader%40mail.example", {}),
        ("POST", "/chile-sun/", b"email=reader%40mail.example", {}),  # a front's index.html
        ("PUT", path, b"x", {}),
        ("POST", "/chile-sun/digest/subscribe", b"email=reader%40mail.example", {}),
        ("GET", "/chile-sun/?page=2", None, {}),
        ("GET", path, None, {"Cookie": "sessionid=abc"}),
        ("GET", "/chile-sun/search?q=harbour", None, {}),
        ("GET", "/desk/", None, {}),
        ("GET", "/api/v1/articles", None, {}),
        ("GET", "/chile-sun/tag/no-page-yet/", None, {}),  # a folder with no index.html
        ("GET", "/static/wiredesk/not-collected.css", None, {}),
    ]
    (out / "tag" / "no-page-yet").mkdir(parents=True)
    for method, where, body, headers in asked:
        response, content = fetch(nginx, where, method, body, **headers)
        assert (response.status, content) == (200, FROM_WIREDESK), (method, where)
    assert Upstream.seen == [(method, where, body or b"") for method, where, body, _ in asked]
    # A folder's address without its slash: sent to the address with it, on any host.
    response, _ = fetch(nginx, "/chile-sun")
    assert (response.status, response.getheader("Location")) == (301, "/chile-sun/")


def test_a_killed_article_is_gone_on_the_next_request(nginx, out):
    article = Article.objects.get(headline__startswith="Harbour")
    path = url_of(article)
    _, content = fetch(nginx, path)
    assert b"Harbour pilots" in content and not Upstream.seen
    article_kill(article=article, reason="legal", actor="test")
    for encoding in ("identity", "gzip", "br, gzip"):
        _, content = fetch(nginx, path, **{"Accept-Encoding": encoding})
        assert content == FROM_WIREDESK, encoding  # no file: wiredesk says what became of it
    assert [seen[:2] for seen in Upstream.seen] == [("GET", path)] * 3
    _, content = fetch(nginx, "/chile-sun/")
    assert b"Harbour pilots" not in content and b"Vineyard owners" in content
