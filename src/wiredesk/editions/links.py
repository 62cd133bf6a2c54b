"""Every link to an edition's pages, in one place: the routes and the paths built from them.

An edition is served on its own host names (at ``/``) and under ``/<slug>/`` on any host.
Paths here are relative to that base (``/news/12/some-headline``); put a base in front:

- ``edition_path(edition)``: ``/<slug>``, the base that works on every host;
- ``edition_base_url(edition)``: the canonical absolute base, for anything read away from
  the request (feeds, sitemaps, mail, the API, structured data).

The canonical address rule: the edition's first host by id (the one it was given first),
else ``/<slug>`` on ``WIREDESK_BASE_URL``. The scheme and port always come from
``WIREDESK_BASE_URL``, so one setting serves development (``http://...:8000``) and
production (``https://...``), and a forged ``Host`` header never reaches a link.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from django.conf import settings

if TYPE_CHECKING:
    from datetime import date

    from wiredesk.editions.models import Edition
    from wiredesk.newsroom.models import Article, Story

# The URL routes of the pages these links point at, so a path and its pattern are read
# (and changed) together; editions/urls.py mounts them.
ARTICLE_ROUTE = "news/<int:article_id>/<slug:headline_slug>"
ARTICLE_SHORT_ROUTE = "news/<int:article_id>/"
STORY_ROUTE = "story/<int:story_id>/<slug:story_slug>"
STORY_FOLDER_ROUTE = "story/<int:story_id>/"
TAG_ROUTE = "tag/<slug:tag_key>/"
SECTION_ROUTE = "section/<slug:section_slug>/"
# The digest's public archive (digest/urls.py mounts it): no reader's link is ever in it.
DIGEST_ARCHIVE_ROUTE = "digest/archive/"
DIGEST_ISSUE_ROUTE = "digest/archive/<str:day>/"  # day: YYYY-MM-DD, read by the view
TEXT_PAGE_ROUTE = r"^(?P<kind>about|contact|terms|privacy)$"  # EditionPage.Kind


def article_path_for(article_id: int, slug: str) -> str:
    """The article page, from its id and headline slug (for rows read without a model)."""
    return f"/news/{article_id}/{slug}"


def article_path(article: Article) -> str:
    return article_path_for(article.pk, article.slug)


def story_path(story: Story) -> str:
    return f"/story/{story.pk}/{story.slug}"


def story_folder(story_id: int) -> str:
    """``/story/<id>/``: where a story's feeds live (the bare folder redirects to its page)."""
    return f"/story/{story_id}/"


_PATH_SEGMENT_SAFE = "!$&'()*+,;=:@"  # RFC 3986 pchar, besides letters, digits and -._~


def tag_path(tag_key: str) -> str:
    return f"/tag/{quote(tag_key, safe=_PATH_SEGMENT_SAFE)}/"


def section_path(section_slug: str) -> str:
    # Percent-encoded (RFC 3987's IRI to URI): a section made with a non-ASCII slug
    # ("económica") is the same address in pages, sitemaps, feeds and canonical links.
    return f"/section/{quote(section_slug, safe=_PATH_SEGMENT_SAFE)}/"


def feed_path(folder: str, extension: str) -> str:
    """A feed beside a page: ``feed_path(tag_path(key), "rss")`` -> ``/tag/<key>/feed.rss``."""
    return f"{folder.rstrip('/')}/feed.{extension}"


def digest_archive_path() -> str:
    """``/digest/archive/``: the past issues of the edition's daily email."""
    return "/" + DIGEST_ARCHIVE_ROUTE


def digest_issue_path(day: date) -> str:
    """``/digest/archive/2025-07-12/``: one day's issue."""
    return f"{digest_archive_path()}{day.isoformat()}/"


def edition_path(edition: Edition) -> str:
    """``/<slug>``: the edition's base on any host (empty on its own host, see pages.py)."""
    return f"/{edition.slug}"


def canonical_host(edition: Edition) -> str | None:
    """The host name that speaks for the edition: its first by id, or None."""
    prefetched = getattr(edition, "_prefetched_objects_cache", {}).get("hosts")
    if prefetched is not None:
        first = min(prefetched, key=lambda h: h.pk, default=None)
        return first.host if first is not None else None
    return edition.hosts.order_by("pk").values_list("host", flat=True).first()


def edition_base_url(edition: Edition) -> str:
    """The edition's canonical absolute base, without a trailing slash."""
    cached = getattr(edition, "_canonical_base", None)
    if cached is not None:
        return cached
    host = canonical_host(edition)
    if host:
        # A host written in Unicode ("noticias.ñandú.example") is sent as its IDNA A-label.
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
        base = urlsplit(settings.BASE_URL)
        port = f":{base.port}" if base.port else ""
        url = f"{base.scheme or 'https'}://{host}{port}"
    else:
        url = f"{settings.BASE_URL}{edition_path(edition)}"
    # Feeds and sitemaps ask once per item: one query per edition object is enough.
    edition._canonical_base = url
    return url


def article_url(edition: Edition, article: Article) -> str:
    return edition_base_url(edition) + article_path(article)


def story_url(edition: Edition, story: Story) -> str:
    return edition_base_url(edition) + story_path(story)


def media_url(edition: Edition | None, url: str) -> str:
    """A stored picture's address, absolute: as the media store gives it when it is (a
    bucket, a CDN), else on the edition's canonical host (files are served at the root of
    every host), or on ``WIREDESK_BASE_URL`` without an edition."""
    if url.startswith(("http://", "https://")) or not url:
        return url
    base = urlsplit(edition_base_url(edition) if edition is not None else settings.BASE_URL)
    if url.startswith("//"):
        return f"{base.scheme or 'https'}:{url}"
    return f"{base.scheme}://{base.netloc}{url}"
