"""Structured data and sharing tags for article pages: schema.org NewsArticle JSON-LD,
OpenGraph, Twitter cards, hreflang alternates; and the edition's own pictures (its card,
shown when an article has no picture, and its logo)."""

from __future__ import annotations

import dataclasses
import json
from urllib.parse import urlsplit

from django.templatetags.static import static
from django.utils.translation import gettext

from wiredesk.editions.brand import brand_file_url
from wiredesk.editions.canonical import canonical_url
from wiredesk.editions.formatting import iso_local
from wiredesk.editions.languages import article_language, same_language
from wiredesk.editions.links import article_path, edition_base_url, media_url
from wiredesk.editions.models import Edition, Placement
from wiredesk.newsroom.models import Article
from wiredesk.wire.types import Picture

# Shipped in the package's static files: (path, width, height).
CARD = ("wiredesk/card.png", 1200, 630)
LOGO = ("wiredesk/logo.png", 512, 512)


def static_url(edition: Edition, path: str) -> str:
    """A static file's absolute address on the edition's canonical host (static files are
    served at the root of every host, not under ``/<slug>/``)."""
    base = urlsplit(edition_base_url(edition))
    return f"{base.scheme}://{base.netloc}{static(path)}"


def _shipped(edition: Edition, spec: tuple[str, int, int]) -> Picture:
    path, width, height = spec
    return Picture(url=static_url(edition, path), alt=edition.name, width=width, height=height,
                   mime_type="image/png")


def edition_card(edition: Edition) -> Picture:
    """The edition's picture for an article that has none (sharing cards, structured data)."""
    return _shipped(edition, CARD)


def edition_logo(edition: Edition) -> Picture:
    """The publisher's logo: the edition's own (its admin), else the shipped one."""
    if edition.logo and edition.logo_width and edition.logo_height:
        base = urlsplit(edition_base_url(edition))
        return Picture(url=f"{base.scheme}://{base.netloc}{brand_file_url(edition.logo)}",
                       alt=edition.name, width=edition.logo_width,
                       height=edition.logo_height, mime_type="image/png")
    return _shipped(edition, LOGO)


def article_picture(article: Article, edition: Edition) -> Picture | None:
    """The article's picture (its widest local rendition) at an absolute address, for
    what is read away from the page: feeds, sitemaps, structured data, sharing cards."""
    picture = article.picture
    if picture is None:
        return None
    return dataclasses.replace(picture, url=media_url(edition, picture.url))


def image_object(picture: Picture) -> dict:
    """schema.org ImageObject: what search engines show beside the article."""
    data: dict = {"@type": "ImageObject", "url": picture.url, "contentUrl": picture.url}
    if picture.width and picture.height:
        data["width"] = picture.width
        data["height"] = picture.height
    if picture.caption:
        data["caption"] = picture.caption
    if picture.credit:
        data["creditText"] = picture.credit
    if picture.rights:
        data["copyrightNotice"] = picture.rights
    return data


def news_article_data(article: Article, edition: Edition, canonical: str = "") -> dict:
    """schema.org NewsArticle; ``url`` and ``mainEntityOfPage`` are the article's one
    canonical URL (``editions.canonical``), whichever edition's page it is on."""
    url = canonical or canonical_url(article, edition)
    modified = article.source_updated_at or article.published_at
    if article.corrected_at and article.corrected_at > modified:
        modified = article.corrected_at
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
        "inLanguage": article_language(article, edition),
        "isAccessibleForFree": True,
        "publisher": {"@type": "NewsMediaOrganization", "name": edition.name,
                      "url": edition_base_url(edition) + "/",
                      "logo": image_object(edition_logo(edition))},
        "sourceOrganization": {"@type": "NewsMediaOrganization", "name": article.agency.name,
                               "alternateName": article.agency.code},
    }
    if article.byline_shown:
        data["author"] = [{"@type": "Person", "name": article.byline_shown}]
    else:
        data["author"] = [{"@type": "Organization", "name": article.agency.name,
                           "alternateName": article.agency.code}]
    data["image"] = [image_object(article_picture(article, edition) or edition_card(edition))]
    if article.section:
        data["articleSection"] = article.section.display_name
    if article.dateline:
        data["dateline"] = article.dateline
    if article.corrected_at:
        data["correction"] = {
            "@type": "CorrectionComment",
            "text": article.correction_note or gettext("This article has been corrected."),
            "datePublished": iso_local(article.corrected_at, edition.time_zone)}
    return data


def json_ld(data: dict) -> str:
    """JSON safe inside <script>: no "</script>", no HTML comment openers."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def hreflang_alternates(article: Article, edition: Edition) -> list[tuple[str, str]]:
    """(language, url) for the editions carrying the article in its own language, when
    they name it differently (``es-ES``, ``es-MX``): an article is one language's, so an
    English edition's copy of an Arabic item is never its English alternate."""
    language = article_language(article, edition)
    placements = (Placement.objects.filter(article=article).select_related("edition")
                  .order_by("edition__position", "edition__name"))
    editions = [p.edition for p in placements]
    if edition.pk not in {e.pk for e in editions}:
        editions.insert(0, edition)
    editions = [e for e in editions if same_language(e.language, language)]
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
