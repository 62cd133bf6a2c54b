"""Absolute URLs: an edition's canonical address is its first host, else a path on the base.

The scheme and port come from ``WIREDESK_BASE_URL`` so one setting serves development
(``http://...:8000``) and production (``https://...``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

from wiredesk.editions.models import Edition
from wiredesk.newsroom.models import Article


def edition_base_url(edition: Edition) -> str:
    cached = getattr(edition, "_canonical_base", None)
    if cached is not None:
        return cached
    host = edition.hosts.order_by("pk").values_list("host", flat=True).first()
    if host:
        base = urlsplit(settings.BASE_URL)
        port = f":{base.port}" if base.port else ""
        url = f"{base.scheme or 'https'}://{host}{port}"
    else:
        url = f"{settings.BASE_URL}/{edition.slug}"
    edition._canonical_base = url
    return url


def article_path(article: Article) -> str:
    return f"/news/{article.pk}/{article.slug}"


def article_url(edition: Edition, article: Article) -> str:
    return edition_base_url(edition) + article_path(article)


def story_path(story) -> str:
    return f"/story/{story.pk}/{story.slug}"


def section_path(section_slug: str) -> str:
    return f"/section/{section_slug}/"


def tag_path(tag_key: str) -> str:
    return f"/tag/{tag_key}/"
