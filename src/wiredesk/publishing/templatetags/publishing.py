"""``{% edition_head %}`` for every edition page, ``{% article_head %}`` for articles."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from wiredesk.editions.canonical import canonical_url
from wiredesk.editions.languages import article_language
from wiredesk.editions.links import edition_base_url, section_path
from wiredesk.publishing.feeds import ATOM_TYPE, JSON_FEED_TYPE, RSS_TYPE
from wiredesk.publishing.seo import (
    article_picture,
    edition_card,
    hreflang_alternates,
    json_ld,
    news_article_data,
)

register = template.Library()


@register.simple_tag(takes_context=True)
def edition_head(context) -> str:
    edition = context.get("edition")
    if edition is None:
        return ""
    base = edition_base_url(edition)
    section = context.get("current_section")
    links = []
    scopes = [(edition.name, base)]
    if section is not None and context.get("article") is None:
        scopes.append((f"{edition.name}: {section.display_name}",
                       base + section_path(section.slug).rstrip("/")))
    for title, prefix in scopes:
        for kind, mime, ext in (("RSS", RSS_TYPE, "rss"), ("Atom", ATOM_TYPE, "atom"),
                                ("JSON Feed", JSON_FEED_TYPE, "json")):
            links.append((mime, f"{title} ({kind})", f"{prefix}/feed.{ext}"))
    html = format_html_join("\n", '<link rel="alternate" type="{}" title="{}" href="{}">', links)
    if not context.get("noindex"):
        # Search engines may show our pictures large (they are the agencies' to license).
        html += format_html('\n<meta name="robots" content="{}">', "max-image-preview:large")
    request = context.get("request")
    prefix = context.get("base", "")
    if request is not None and context.get("article") is None and not context.get("noindex"):
        path = request.path[len(prefix):] if prefix and request.path.startswith(prefix) \
            else request.path
        html += format_html('\n<link rel="canonical" href="{}">', base + (path or "/"))
    return html


@register.simple_tag(takes_context=True)
def article_head(context) -> str:
    article = context.get("article")
    edition = context.get("edition")
    if article is None or edition is None:
        return ""
    # Every edition's page of the article names its one canonical URL (cross-domain when
    # another edition's), and so do og:url and the JSON-LD.
    url = canonical_url(article, edition)
    description = article.teaser or article.lead
    parts = [format_html('<link rel="canonical" href="{}">', url)]
    parts += [format_html('<link rel="alternate" hreflang="{}" href="{}">', lang, href)
              for lang, href in hreflang_alternates(article, edition)]
    meta = [("og:type", "article"), ("og:site_name", edition.name), ("og:url", url),
            ("og:title", article.headline), ("og:description", description),
            ("og:locale", article_language(article, edition).replace("-", "_")),
            ("article:published_time", article.published_at.isoformat())]
    if article.source_updated_at:
        meta.append(("article:modified_time", article.source_updated_at.isoformat()))
    if article.section:
        meta.append(("article:section", article.section.display_name))
    picture = article_picture(article, edition)
    shown = picture or edition_card(edition)  # a share card is never without a picture
    meta.append(("og:image", shown.url))
    if shown.mime_type:
        meta.append(("og:image:type", shown.mime_type))
    if shown.width and shown.height:
        meta += [("og:image:width", str(shown.width)), ("og:image:height", str(shown.height))]
    if shown.alt:
        meta.append(("og:image:alt", shown.alt))
    parts += [format_html('<meta property="{}" content="{}">', k, v) for k, v in meta]
    twitter = [("twitter:card", "summary_large_image" if picture else "summary"),
               ("twitter:title", article.headline), ("twitter:description", description),
               ("twitter:image", shown.url)]
    if shown.alt:
        twitter.append(("twitter:image:alt", shown.alt))
    parts += [format_html('<meta name="{}" content="{}">', k, v) for k, v in twitter]
    # json_ld() escapes <, > and & itself; every other part went through format_html.
    parts.append(mark_safe(
        '<script type="application/ld+json">'
        + json_ld(news_article_data(article, edition, url)) + "</script>"))
    return mark_safe("\n".join(str(p) for p in parts))
