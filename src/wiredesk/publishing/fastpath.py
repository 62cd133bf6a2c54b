"""Cached public pages answered before Django: a small WSGI layer around the site.

A hit costs one raw query (the host's or the path's edition and its stamp) and one cache
read: no request object, no middleware, no URL resolving. What it sends is exactly what
Django sent the first time, final headers included (Content-Security-Policy,
Permissions-Policy, Cache-Control, Vary, ETag, the compressed body for the coding the
client prefers), because it stores the answer as it left Django, and only answers Django
itself marked as every reader's (``cache.SHARED_PAGE``: a 200 or 410 on a known host,
no cookie, canonical query). Everything else goes to Django unchanged.

Kills stay immediate: the key holds the edition's generation and ``changed_at``, read
from the database on every request (the same stamp the page cache uses), so a change
written by any process is seen on the next request. An embargo or front slot falling
due, a missing stamp, a signed-in editor (session cookie), a conditional request other
than a plain ``If-None-Match``, HEAD without a stored GET: all go to Django.

Database connections stay open between requests (``CONN_MAX_AGE``); a connection that
fails here is closed and the request handed to Django, which reconnects with its health
check.
"""

from __future__ import annotations

import hashlib
import time
from datetime import UTC

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connections
from django_http_compression.middleware import best_coding

import wiredesk
from wiredesk.editions.hosts import is_site_host
from wiredesk.publishing.cache import CACHEABLE_STATUS, SHARED_PAGE, SKIP_PREFIXES
from wiredesk.publishing.stamps import fresh_stamp_for_host

STATUS_LINES = {200: "200 OK", 304: "304 Not Modified", 410: "410 Gone"}
# Headers a 304 repeats (RFC 9110 15.4.5), besides the validators.
NOT_MODIFIED_HEADERS = ("cache-control", "content-location", "date", "etag", "expires",
                        "vary", "last-modified", "x-cache")


def _host(meta) -> str:
    host = meta.get("HTTP_HOST") or meta.get("SERVER_NAME", "")
    return host.split(":", 1)[0].strip().lower().rstrip(".")


def _where(meta) -> str:
    path = meta.get("PATH_INFO", "")
    query = meta.get("QUERY_STRING", "")
    return f"{path}?{query}" if query else path


def fast_key(edition_id: int, on_host: bool, generation: int, changed_at, meta) -> str:
    # Keyed on the edition's host or the site, never the Host header itself (ports and
    # names vary: a flood must not make keys), and on the coding the client gets.
    scope = f"edition-host:{edition_id}" if on_host else "site"
    coding = best_coding(meta.get("HTTP_ACCEPT_ENCODING", ""))
    where = f"{scope}|{coding}|{_where(meta)}".encode("latin-1", "replace")
    digest = hashlib.blake2b(where, digest_size=16).hexdigest()
    changed = changed_at.astimezone(UTC).strftime("%Y%m%d%H%M%S%f")
    return f"wd:fast:{wiredesk.__version__}:{edition_id}:{generation}.{changed}:{digest}"


def _etag_matches(asked: str, etag: str) -> bool:
    plain = etag.removeprefix("W/")
    return any(tag.strip() == "*" or tag.strip().removeprefix("W/") == plain
               for tag in asked.split(","))


class CachedPages:
    """WSGI middleware: ``CachedPages(get_wsgi_application())``. (``meta``: the WSGI
    environ, Django's ``request.META``.)"""

    def __init__(self, app):
        self.app = app

    def __call__(self, meta, start_response):
        found = self._stamp(meta)
        if found is None:
            return self.app(meta, start_response)
        key = fast_key(*found, meta)
        entry = caches["pages"].get(key)
        if entry is not None:
            return self._answer(entry, meta, start_response)
        if meta["REQUEST_METHOD"] != "GET":
            return self.app(meta, start_response)
        return self._through(found, key, meta, start_response)

    def _stamp(self, meta):
        if not settings.WIREDESK_PAGE_CACHE or meta["REQUEST_METHOD"] not in ("GET", "HEAD"):
            return None
        path = meta.get("PATH_INFO", "")
        if path.startswith(SKIP_PREFIXES) or "HTTP_IF_MODIFIED_SINCE" in meta:
            return None
        if f"{settings.SESSION_COOKIE_NAME}=" in meta.get("HTTP_COOKIE", ""):
            return None  # an editor may see what readers do not
        host = _host(meta)
        slug = path.lstrip("/").split("/", 1)[0]
        if not host or len(slug) > 64 or "\x00" in slug:
            return None
        connection = connections["default"]
        try:
            with connection.cursor() as cursor:
                found = fresh_stamp_for_host(cursor, host, slug)
        except DatabaseError:
            connection.close()  # Django reconnects, health check and all
            return None
        finally:
            self._close_if_obsolete(connection)
        if found is None:
            return None
        edition_id, on_host, generation, changed_at = found
        if not on_host and not is_site_host(host):
            return None  # Django refuses unknown hosts (editions.middleware)
        return edition_id, on_host, generation, changed_at

    @staticmethod
    def _close_if_obsolete(connection) -> None:
        """What Django does when a request ends, without its per-request health query:
        a connection past CONN_MAX_AGE (0: every request) or after an error is closed."""
        if connection.connection is None or connection.in_atomic_block:
            return
        if connection.errors_occurred or (connection.close_at is not None
                                          and time.monotonic() >= connection.close_at):
            connection.close()

    @staticmethod
    def _answer(entry, meta, start_response):
        status, headers, body = entry
        asked = meta.get("HTTP_IF_NONE_MATCH")
        etag = next((v for n, v in headers if n.lower() == "etag"), None)
        if asked and etag and status == 200 and _etag_matches(asked, etag):
            start_response(STATUS_LINES[304],
                           [(n, v) for n, v in headers if n.lower() in NOT_MODIFIED_HEADERS])
            return [b""]
        start_response(STATUS_LINES[status], headers)
        return [b""] if meta["REQUEST_METHOD"] == "HEAD" else [body]

    def _through(self, found, key, meta, start_response):
        """Django answers; an answer it marked as every reader's is kept as sent."""
        seen: dict = {}

        def recording_start_response(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info) if exc_info else \
                start_response(status, headers)

        result = self.app(meta, recording_start_response)
        shared = meta.get(SHARED_PAGE)
        if shared is None or tuple(shared) != (found[0], *found[2:]) or \
                "HTTP_IF_NONE_MATCH" in meta:
            return result
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        entry = self._entry(seen, body)
        if entry is not None:
            caches["pages"].set(key, entry, timeout=settings.WIREDESK_PAGE_CACHE_SECONDS)
        return [body]

    @staticmethod
    def _entry(seen, body: bytes):
        code = int(seen.get("status", "0").split(" ", 1)[0] or 0)
        if code not in CACHEABLE_STATUS:
            return None
        headers = []
        for name, value in seen["headers"]:
            lower = name.lower()
            if lower == "set-cookie":
                return None  # one visitor's answer after all
            if lower == "vary" and {v.strip().lower() for v in value.split(",")} - {
                    "accept-encoding"}:
                return None  # varies on something the key does not hold
            if lower == "content-length" and int(value) != len(body):
                return None
            headers.append((name, "HIT") if lower == "x-cache" else (name, value))
        return code, headers, body
