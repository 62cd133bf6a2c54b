"""Structured data and sharing tags for article pages: schema.org NewsArticle JSON-LD,
OpenGraph, Twitter cards, hreflang alternates."""

from __future__ import annotations

import json

from wiredesk.editions.formatting import iso_local
from wiredesk.editions.links import article_path, article_url, edition_base_url
from wiredesk.editions.models import Edition, Placement
from wiredesk.newsroom.models import Article


def news_article_data(article: Article, edition: Edition) -> dict:
    url = article_url(edition, article)
    modified = article.source_updated_at or article.published_at
    if modified < article.published_at:
        modified = article.published_at
    data: dict = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.headline[:110],
        "description": article.teaser or article.lead,
        "datePublished": iso_local(article.published_at, edition.time_zone),
        "dateModified": iso_local(modified, edition.time_zone),
        "inLanguage": edition.language,
        "isAccessibleForFree": True,
        "publisher": {"@type": "NewsMediaOrganization", "name": edition.name,
                      "url": edition_base_url(edition) + "/"},
        "sourceOrganization": {"@type": "NewsMediaOrganization", "name": article.agency.name,
                               "alternateName": article.agency.code},
    }
    if article.byline:
        data["author"] = [{"@type": "Person", "name": article.byline}]
    else:
        data["author"] = [{"@type": "Organization", "name": article.agency.name,
                           "alternateName": article.agency.code}]
    if article.image_url:
        data["image"] = [article.image_url]
    if article.section:
        data["articleSection"] = article.section.name
    if article.dateline:
        data["dateline"] = article.dateline
    return data


def json_ld(data: dict) -> str:
    """JSON safe inside <script>: no "</script>", no HTML comment openers."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def hreflang_alternates(article: Article, edition: Edition) -> list[tuple[str, str]]:
    """(language, url) for every edition carrying the article, when their languages differ."""
    placements = (Placement.objects.filter(article=article).select_related("edition")
                  .order_by("edition__position", "edition__name"))
    editions = [p.edition for p in placements]
    if edition.pk not in {e.pk for e in editions}:
        editions.insert(0, edition)
    if len({e.language for e in editions}) < 2:
        return []
    seen: set[str] = set()
    out = []
    for other in editions:
        if other.language in seen:
            continue  # one URL per language: the first edition (by position) speaks for it
        seen.add(other.language)
        out.append((other.language, edition_base_url(other) + article_path(article)))
    return out
