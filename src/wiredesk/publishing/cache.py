"""Full-page cache and conditional GET for public edition pages.

A page is stored under (edition, generation, changed_at, host, path+query). The
generation is read from the database on every request (one primary-key read), and every
write that changes what an edition shows bumps it in its own transaction -- so a kill
made by the CLI, a worker or another web node is seen by every process on its next
request, whether the cache is this process's memory or a shared Redis. Stale entries
are never read again and age out of the cache on their own.

The key holds the stamp's ``changed_at`` (to the microsecond) beside the generation: a
restore takes generations back to numbers pages were already cached under, and the next
bump would reach one of those again with other content (an id reused by a new article
answered with the old article's redirect). A (generation, changed_at) pair is not
reached twice; ``wiredesk restore`` bumps every edition as well, so Last-Modified moves
forward too.

What may be stored is bounded by what the site publishes, not by what anyone asks for (so
flooding the cache cannot evict what it holds or fill Redis): only 200 and 410 answers
(never 404s or redirects, whose URLs anyone
can vary), only on a known host (an edition's own, or the site's: ``WIREDESK_ALLOWED_HOSTS``,
localhost, the ``WIREDESK_BASE_URL`` host), keyed on the edition host or the site rather
than the Host header (ports vary), and only when every query parameter is one the page
itself used with the same value (``editions.pages.used_query``): ``?page=99999``, an
unknown ``section`` or any other parameter is served, uncached. The store is the
``pages`` cache alias, apart from the rate counters.

Per-edition (not per-page) generations are deliberate: an article appears on its own
page, the edition home, its section, the feeds and sitemaps -- and in the "More
Information" rail of every other article page of the edition, so a change to one article
does change every page of the edition.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

import wiredesk
from wiredesk.editions.hosts import is_site_host
from wiredesk.editions.pages import STATIC_RENDER
from wiredesk.publishing.stamps import stamp_for_request

CACHEABLE_STATUS = {200, 410}
SKIP_PREFIXES = ("/admin/", "/api/", "/static/", "/media/")
# Set in the WSGI environ when the answer is the one every reader of this page gets (a hit,
# or a page just stored): the layer in front of Django (fastpath) may keep its final bytes.
SHARED_PAGE = "wiredesk.shared_page"
KEPT_HEADERS = ("Content-Type", "Location", "Content-Language", "Vary", "X-Robots-Tag")


def _stamp_for(request):
    """(edition id, generation, changed_at) for the edition this request is for, or None."""
    if request.host_edition is not None:
        return stamp_for_request(edition_id=request.host_edition.pk)
    first = request.path.lstrip("/").split("/", 1)[0]
    if not first or len(first) > 64 or "\x00" in first:
        return None
    return stamp_for_request(slug=first)


def _known_host(request) -> bool:
    """An edition's host or one the site names: never just any host, even where
    ``WIREDESK_ALLOWED_HOSTS=*`` lets every host be answered."""
    if request.host_edition is not None:
        return True
    try:
        host = request.get_host()
    except Exception:
        return False
    return is_site_host(host)


def _query(request) -> dict[str, str] | None:
    """The query's parameters, or None when one repeats (never a page's own link)."""
    found: dict[str, str] = {}
    for name, values in request.GET.lists():
        if len(values) != 1:
            return None
        found[name] = values[0]
    return found


def _canonical_query(request, asked: dict[str, str]) -> bool:
    """Every parameter asked for is one the page used, with the very same value."""
    used = getattr(request, "wiredesk_used_query", {})
    return all(used.get(name) == value for name, value in asked.items())


def page_key(edition_id: int, generation: int, changed_at: datetime, request) -> str:
    host = f"edition-host:{request.host_edition.pk}" if request.host_edition else "site"
    where = f"{host}|{request.get_full_path()}"
    digest = hashlib.blake2b(where.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    changed = changed_at.astimezone(UTC).strftime("%Y%m%d%H%M%S%f")
    return f"wd:page:{wiredesk.__version__}:{edition_id}:{generation}.{changed}:{digest}"


def _etag(content: bytes) -> str:
    return '"' + hashlib.blake2b(content, digest_size=12).hexdigest() + '"'


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._applies(request):
            return self.get_response(request)
        found = _stamp_for(request)
        if found is None:
            return self.get_response(request)
        edition_id, generation, changed_at = found
        last_modified = changed_at.timestamp()
        key = page_key(edition_id, generation, changed_at, request)
        asked = _query(request)
        use_cache = settings.WIREDESK_PAGE_CACHE and asked is not None and _known_host(request)
        cache = caches["pages"]
        entry = cache.get(key) if use_cache else None
        if entry is not None:
            response = HttpResponse(entry["content"], status=entry["status"])
            for name, value in entry["headers"].items():
                response[name] = value
            response["X-Cache"] = "HIT"
            request.META[SHARED_PAGE] = found
        else:
            response = self.get_response(request)
            if not self._cacheable(request, response):
                return response
            response["ETag"] = _etag(response.content)
            response["Last-Modified"] = http_date(last_modified)
            patch_cache_control(response, public=True,
                                max_age=settings.WIREDESK_PAGE_MAX_AGE)
            response["X-Cache"] = "MISS"
            if use_cache and _canonical_query(request, asked):
                headers = {name: response[name] for name in
                           (*KEPT_HEADERS, "ETag", "Last-Modified", "Cache-Control")
                           if response.has_header(name)}
                cache.set(key, {"status": response.status_code, "content": response.content,
                                "headers": headers},
                          timeout=settings.WIREDESK_PAGE_CACHE_SECONDS)
                request.META[SHARED_PAGE] = found
        if response.status_code == 200:
            conditional = get_conditional_response(
                request, etag=response["ETag"], last_modified=int(last_modified),
                response=response)
            if conditional is not response:
                conditional["X-Cache"] = response["X-Cache"]
                return conditional
        return response

    @staticmethod
    def _applies(request) -> bool:
        if request.method not in ("GET", "HEAD"):
            return False
        if request.path.startswith(SKIP_PREFIXES) or request.META.get(STATIC_RENDER):
            return False
        # Signed-in editors may see things readers do not (and carry CSRF tokens).
        return settings.SESSION_COOKIE_NAME not in request.COOKIES

    @staticmethod
    def _cacheable(request, response) -> bool:
        if response.status_code not in CACHEABLE_STATUS or response.streaming:
            return False
        if response.cookies:
            return False  # a response setting a cookie is for one visitor only
        # A page that used a CSRF token gets the csrftoken cookie on the way out: marked
        # public, a CDN would hand one visitor's token (and Set-Cookie) to everyone.
        # Public pages hold no token (the digest signup needs none); this keeps it so.
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            return False
        # Cookies set further out (session, flash messages) are not visible here yet: a
        # page that touched the session or queued a message is for one visitor too.
        session = getattr(request, "session", None)
        if session is not None and session.accessed:
            return False
        if getattr(getattr(request, "_messages", None), "added_new", False):
            return False
        control = response.get("Cache-Control", "")
        # An answer named by its content (an edition's brand.<hash>.css) keeps its own
        # lifetime: the page lifetime set below would cut "immutable" short.
        return not any(word in control for word in ("private", "no-store", "immutable"))
