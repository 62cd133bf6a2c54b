"""Filters for edition templates: links from editions/links.py, times in the edition's zone.

``{{ base }}{{ article|article_path }}`` links an article on the page's own edition (``base``
comes from ``page_context``); ``{{ moment|edition_time }}`` shows a time as
``12 Jul 2025, 05:14 GMT+10`` (``12 jul 2025, 05:14 GMT-4`` in Spanish) in the zone and
language ``edition_page`` activated, and ``{{ count|edition_number }}`` a count.
"""

from __future__ import annotations

from django import template
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join

from wiredesk.editions import formatting, languages, links

register = template.Library()


@register.filter
def edition_time(moment) -> str:
    return formatting.local_time(moment, timezone.get_current_timezone(), _reading())


@register.filter
def edition_number(number) -> str:
    if number in (None, ""):
        return ""
    return formatting.local_number(number, _reading())


def _reading() -> str:
    """The edition's own language on its pages, else the active one."""
    return formatting.reading_language() or translation.get_language()


@register.filter
def article_path(article) -> str:
    return links.article_path(article)


@register.filter
def story_path(story) -> str:
    return links.story_path(story)


@register.filter
def story_folder(story_id) -> str:
    return links.story_folder(story_id)


@register.filter
def tag_path(tag_key: str) -> str:
    return links.tag_path(tag_key)


@register.filter
def section_path(section_slug: str) -> str:
    return links.section_path(section_slug)


@register.filter
def feed_path(folder: str, extension: str) -> str:
    return links.feed_path(folder, extension)


@register.simple_tag
def digest_archive_path() -> str:
    return links.digest_archive_path()


@register.filter
def digest_issue_path(day) -> str:
    return links.digest_issue_path(day)


@register.simple_tag(takes_context=True)
def edition_brand(context):
    """``{% edition_brand as brand %}``: the page's edition's look (editions/brand.py)."""
    from wiredesk.editions.brand import brand_of

    edition = context.get("edition")
    return brand_of(edition) if edition is not None else None


@register.simple_tag(takes_context=True)
def edition_footer(context):
    """``{% edition_footer as footer %}``: its text pages and footer links."""
    from wiredesk.editions.brand import footer_items

    edition = context.get("edition")
    return footer_items(edition) if edition is not None else []


@register.filter
def isolate(text) -> str:
    """``<bdi>text</bdi>``: a name or term inside a sentence of the page's language keeps
    its own direction apart (a Latin name in Arabic, its parentheses where they belong);
    for a value a ``blocktranslate`` places, so the message stays the same."""
    return format_html("<bdi>{}</bdi>", text) if text else ""


@register.filter
def text_direction(language: str) -> str:
    """``rtl`` for a right-to-left language (``ar``, ``he``, ``fa``...), else ``ltr``."""
    return languages.direction(language)


@register.simple_tag(takes_context=True)
def article_lang(context, article) -> str:
    """` lang="ar" dir="rtl"` on an article's container (or teaser) when its language is not
    the edition's; nothing when they agree."""
    attributes = languages.lang_attributes(article, context.get("edition"))
    return format_html_join("", ' {}="{}"', attributes.items())
