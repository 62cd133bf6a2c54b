"""Which language an article is shown in, and what a page says of it.

An article's own language (``Article.language``, detected at ingest by
``wire.language.detect``) wins; when it is unknown the edition's stands in. Pages keep the
edition's language on ``<html>`` (its menus and footer are in it) and mark the article
with its own ``lang`` and ``dir`` where the two differ, so an Arabic item in an English
edition reads right to left and is never announced as English.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.conf import settings
from django.utils import translation

from wiredesk.wire.language import direction, normalize_tag, primary

__all__ = ["article_language", "direction", "edition_translation", "interface_language",
           "lang_attributes", "primary", "same_language"]


def edition_language(edition) -> str:
    return normalize_tag(getattr(edition, "language", "")) or "en"


def interface_language(edition) -> str:
    """The interface language an edition's pages and mail are written in: its own tag
    when ``settings.LANGUAGES`` has it, else its primary language (``pt-BR`` -> ``pt``),
    else English (``hi``, ``xx``): a missing translation is never a broken page."""
    try:
        return translation.get_supported_language_variant(
            edition_language(edition).lower())
    except LookupError:
        return settings.LANGUAGE_CODE


@contextlib.contextmanager
def edition_translation(edition) -> Iterator[str]:
    """Render what an edition says (its pages, feeds, mail) in its interface language;
    the thread's language is restored after, as it serves other editions next."""
    language = interface_language(edition)
    with translation.override(language):
        yield language


def article_language(article, edition=None) -> str:
    """The article's BCP 47 tag, the edition's when its own is unknown."""
    return normalize_tag(article.language) or edition_language(edition)


def same_language(first: str, second: str) -> bool:
    return primary(first) == primary(second)


def lang_attributes(article, edition) -> dict[str, str]:
    """``{"lang": ..., "dir": ...}`` for the article's container when its language is not
    the edition's (the page's), else nothing."""
    language = article_language(article, edition)
    if same_language(language, edition_language(edition)):
        return {}
    return {"lang": language, "dir": direction(language)}
