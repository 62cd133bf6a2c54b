"""Full-page cache and conditional GET for public edition pages.

A page is stored under (edition, generation, host, path+query). The generation is read
from the database on every request (one primary-key read), and every write that changes
what an edition shows bumps it in its own transaction -- so a kill made by the CLI, a
worker or another web node is seen by every process on its next request, whether the
cache is this process's memory or a shared Redis. Stale entries are never read again and
age out of the cache on their own.

Per-edition (not per-page) generations are deliberate: an article appears on its own
page, the edition home, its section, the feeds and sitemaps -- and in the "More
Information" rail of every other article page of the edition, so a change to one article
does change every page of the edition.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

import wiredesk
from wiredesk.editions.models import Edition
from wiredesk.publishing.stamps import current_stamp

CACHEABLE_STATUS = {200, 301, 404, 410}
SKIP_PREFIXES = ("/admin/", "/api/", "/static/", "/media/")
KEPT_HEADERS = ("Content-Type", "Location", "Content-Language", "Vary", "X-Robots-Tag")


def _edition_id_for(request) -> int | None:
    if request.host_edition is not None:
        return request.host_edition.pk
    first = request.path.lstrip("/").split("/", 1)[0]
    if not first:
        return None
    return Edition.objects.filter(slug=first).values_list("pk", flat=True).first()


def page_key(edition_id: int, generation: int, request) -> str:
    where = f"{request.get_host()}|{request.get_full_path()}"
    digest = hashlib.blake2b(where.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    return f"wd:page:{wiredesk.__version__}:{edition_id}:{generation}:{digest}"


def _etag(content: bytes) -> str:
    return '"' + hashlib.blake2b(content, digest_size=12).hexdigest() + '"'


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._applies(request):
            return self.get_response(request)
        edition_id = _edition_id_for(request)
        if edition_id is None:
            return self.get_response(request)
        stamp = current_stamp(edition_id)
        last_modified = stamp.changed_at.timestamp()
        key = page_key(edition_id, stamp.generation, request)
        use_cache = settings.WIREDESK_PAGE_CACHE
        entry = cache.get(key) if use_cache else None
        if entry is not None:
            response = HttpResponse(entry["content"], status=entry["status"])
            for name, value in entry["headers"].items():
                response[name] = value
            response["X-Cache"] = "HIT"
        else:
            response = self.get_response(request)
            if not self._cacheable(request, response):
                return response
            response["ETag"] = _etag(response.content)
            response["Last-Modified"] = http_date(last_modified)
            patch_cache_control(response, public=True,
                                max_age=settings.WIREDESK_PAGE_MAX_AGE)
            response["X-Cache"] = "MISS"
            if use_cache:
                headers = {name: response[name] for name in
                           (*KEPT_HEADERS, "ETag", "Last-Modified", "Cache-Control")
                           if response.has_header(name)}
                cache.set(key, {"status": response.status_code, "content": response.content,
                                "headers": headers},
                          timeout=settings.WIREDESK_PAGE_CACHE_SECONDS)
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
        if request.path.startswith(SKIP_PREFIXES):
            return False
        # Signed-in editors may see things readers do not (and carry CSRF tokens).
        return settings.SESSION_COOKIE_NAME not in request.COOKIES

    @staticmethod
    def _cacheable(request, response) -> bool:
        if response.status_code not in CACHEABLE_STATUS or response.streaming:
            return False
        if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            return False  # a page holding a per-visitor token must never be shared
        control = response.get("Cache-Control", "")
        return "private" not in control and "no-store" not in control
