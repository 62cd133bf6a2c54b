"""Cached pages answered before Django (publishing.fastpath): the same bytes and headers
Django sent, one query per hit, kills seen on the next request."""

import gzip
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext

from wiredesk.newsroom.models import Article
from wiredesk.newsroom.services import article_kill
from wiredesk.publishing.fastpath import CachedPages

pytestmark = pytest.mark.django_db


class CountingDjango:
    def __init__(self):
        self.django = WSGIHandler()
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.django(environ, start_response)


@pytest.fixture
def app():
    # As Django's test client does: the request signals must not close the test's
    # connection (it is inside the test's transaction; PostgreSQL would lose it).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield CachedPages(CountingDjango())
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def get(app, path, host="testserver", method="GET", **headers):
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "HTTP_HOST": host,
               **{f"HTTP_{k.upper()}": v for k, v in headers.items()}}
    setup_testing_defaults(environ)
    seen = {}

    def start_response(status, response_headers, exc_info=None):
        seen["status"], seen["headers"] = status, response_headers

    result = app(environ, start_response)
    body = b"".join(result)
    if hasattr(result, "close"):
        result.close()
    return int(seen["status"].split()[0]), {n.lower(): v for n, v in seen["headers"]}, body


def article_path(prefix="/chile-sun"):
    article = Article.objects.get(headline="Fresh world story")
    return article, f"{prefix}/news/{article.pk}/{article.slug}"


def test_a_hit_is_the_bytes_and_headers_django_sent(app, site):
    _, path = article_path()
    status, first, body = get(app, path)
    assert status == 200 and first["x-cache"] == "MISS" and app.app.calls == 1
    with CaptureQueriesContext(connection) as queries:
        status, second, again = get(app, path)
    assert app.app.calls == 1, "answered before Django"
    assert len(queries) == 1, [q["sql"] for q in queries]
    assert status == 200 and again == body
    assert second.pop("x-cache") == "HIT"
    first.pop("x-cache")
    assert second == first
    for name in ("content-security-policy", "permissions-policy", "cache-control", "etag",
                 "content-type", "last-modified"):
        assert second[name], name
    assert "set-cookie" not in second and b"csrfmiddlewaretoken" not in again


def test_each_coding_is_kept_apart(app, site):
    _, path = article_path()
    plain = get(app, path)
    get(app, path, accept_encoding="gzip")
    _, headers, body = get(app, path, accept_encoding="gzip")
    assert app.app.calls == 2 and headers["x-cache"] == "HIT"
    assert headers["content-encoding"] == "gzip" and "accept-encoding" in headers["vary"].lower()
    assert gzip.decompress(body) == plain[2]
    assert get(app, path)[2] == plain[2]  # the plain copy is still the plain one


def test_a_kill_is_seen_on_the_next_request(app, site):
    article, path = article_path()
    get(app, path)
    get(app, "/chile-sun/")
    assert get(app, "/chile-sun/")[1]["x-cache"] == "HIT"
    article_kill(article=article, reason="legal", actor="test")
    status, _, _ = get(app, path)
    assert status == 410
    _, _, home = get(app, "/chile-sun/")
    assert b"Fresh world story" not in home


def test_edition_host_pages_and_conditional_requests(app, site):
    _, path = article_path(prefix="")
    _, first, body = get(app, path, host="chilesun.example")
    status, _, _ = get(app, path, host="chilesun.example")
    assert status == 200 and app.app.calls == 1
    status, headers, empty = get(app, path, host="chilesun.example",
                                 if_none_match=first["etag"])
    assert status == 304 and not empty and headers["etag"] == first["etag"]
    assert app.app.calls == 1
    status, headers, empty = get(app, path, host="chilesun.example", method="HEAD")
    assert status == 200 and not empty and headers["content-length"] == str(len(body))


def test_editors_and_unknown_hosts_go_to_django(app, site):
    _, path = article_path()
    get(app, path)
    get(app, path, cookie="sessionid=abc")
    assert app.app.calls == 2
    status, _, _ = get(app, path, host="attacker.example")
    assert status == 400 and app.app.calls == 3
    get(app, path + "?utm=1")  # not the page's own query: Django answers, nothing kept
    get(app, path + "?utm=1")
    assert app.app.calls == 5


def test_a_broken_connection_is_handed_to_django(app, site, monkeypatch):
    from django.db import DatabaseError

    from wiredesk.publishing import fastpath

    _, path = article_path()
    get(app, path)

    def broken(*args):
        raise DatabaseError("server closed the connection")

    monkeypatch.setattr(fastpath, "fresh_stamp_for_host", broken)
    closed = []
    monkeypatch.setattr(connection, "close", lambda: closed.append(True))
    status, _, _ = get(app, path)
    assert status == 200 and app.app.calls == 2 and closed
