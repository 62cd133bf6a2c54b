"""An HTML article page turned into one item with trafilatura.

Set up for precision: a wire desk would rather lose a caption than publish the
site's own promotions, menus or comments as article text. The page is decoded by
our own rules first, so trafilatura never guesses the charset.
"""

from __future__ import annotations

import html
import re

import trafilatura
from trafilatura.settings import use_config

from wiredesk.wire.dates import parse_date
from wiredesk.wire.decode import decode_bytes
from wiredesk.wire.formats import agreement, boilerplate
from wiredesk.wire.types import Media, ParseResult, WireError, WireItem

_FIRST_TAG = re.compile(
    rb"^(?:\s|<!--.*?-->|<\?xml[^>]*\?>|<!doctype[^>]*>)*<(html|head|body|meta|title)\b",
    re.I | re.S)
MAX_HTML_CHARS = 5_000_000
# Less than this is a login wall, an error page or a stub, not an article.
MIN_ARTICLE_CHARS = 80

_CONFIG = use_config()
# trafilatura's own download timeout/signal handling is never used: we fetch ourselves,
# and signals do not work outside the main thread (web workers, the scheduler).
_CONFIG.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")


# Full publication timestamps in the page's metadata; trafilatura keeps only the day.
_META_NAMES = (r"(?:article:published_time|og:published_time|datePublished|pubdate|"
               r"publish[-_]date|dc\.date\.issued)")
_PUBLISHED_META = (
    re.compile(r"<meta[^>]+(?:property|name|itemprop)\s*=\s*[\"']" + _META_NAMES
               + r"[\"'][^>]*content\s*=\s*[\"']([^\"']{8,40})[\"']", re.I),
    re.compile(r"<meta[^>]+content\s*=\s*[\"']([^\"']{8,40})[\"'][^>]+"
               r"(?:property|name|itemprop)\s*=\s*[\"']" + _META_NAMES + r"[\"']", re.I),
    re.compile(r"\"datePublished\"\s*:\s*\"([^\"]{8,40})\""),
)


def page_published(markup: str, day: str):
    """The page's own publication time, preferred when it falls on trafilatura's day."""
    head = markup[:300_000]
    for pattern in _PUBLISHED_META:
        match = pattern.search(head)
        if match:
            value, naive = parse_date(match.group(1))
            if value is not None and (not day or value.date().isoformat() == day[:10]):
                return value, naive
    return parse_date(day) if day else (None, False)


def without_title(text: str, title: str) -> str:
    """Drop the headline where the page repeats it as the first line of the body."""
    lines = text.split("\n")
    folded = " ".join(title.split()).casefold()
    while lines and folded and " ".join(lines[0].split()).casefold() == folded:
        lines.pop(0)
    return "\n".join(lines)


def sniff(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    return bool(_FIRST_TAG.match(head))


def read_page(markup: str, *, url: str = "", precision: bool = True, clean: bool = True):
    """Both readings of a page, before they are compared: (trafilatura's Document or None,
    readability's text).

    With ``clean``, the blocks that are not the story (``boilerplate.strip_tree``) are
    taken out of the page first, the site's own lines out of trafilatura's text after,
    and readability reads the same cleaned page. Without it, trafilatura alone ("").
    """
    page, other = markup, ""
    if clean:
        tree = boilerplate.parse_html(markup)
        if tree is not None:
            boilerplate.strip_tree(tree)
            other = agreement.second_reading(tree)
            page = tree
    document = trafilatura.bare_extraction(
        page, url=url or None, favor_precision=precision, include_comments=False,
        include_tables=True, include_images=False, include_links=False,
        with_metadata=True, deduplicate=False, config=_CONFIG)
    if clean and document is not None:
        document.text = boilerplate.strip_text(document.text or "")
    return document, other


def extract_page(markup: str, *, url: str = "", precision: bool = True, clean: bool = True,
                 min_agreement: float = agreement.MIN_AGREEMENT,
                 max_dropped_lead: int = agreement.MAX_DROPPED_LEAD_CHARS):
    """The page's Document (text, title, author, date, image) or None: ``read_page``, then
    the text's edges trimmed where readability agrees on the rest (``agreement``)."""
    document, other = read_page(markup, url=url, precision=precision, clean=clean)
    if document is not None and other:
        document.text = agreement.trim_to_agreement(
            document.text or "", other, min_agreement=min_agreement,
            max_dropped_lead=max_dropped_lead)
    return document


def text_to_html(text: str) -> str:
    paragraphs = [line.strip() for line in (text or "").split("\n") if line.strip()]
    return "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)


def parse(data: bytes, *, base_url: str = "", content_type: str = "") -> ParseResult:
    text = decode_bytes(data, content_type=content_type).text
    if len(text) > MAX_HTML_CHARS:
        raise WireError(f"page is over {MAX_HTML_CHARS} characters; not extracted")
    try:
        document = extract_page(text, url=base_url)
    except (ValueError, TypeError, RecursionError) as exc:
        raise WireError(f"cannot read the page: {type(exc).__name__}: {exc}") from exc
    if document is None or len((document.text or "").strip()) < MIN_ARTICLE_CHARS:
        raise WireError("no article text found on the page")
    published, naive = page_published(text, document.date or "")
    media = [Media(url=document.image)] if (document.image or "").startswith("http") else []
    author = (document.author or "").strip()
    item = WireItem(
        title=html.escape(document.title or "", quote=False),
        guid="",
        link=document.url or base_url,
        body=text_to_html(without_title(document.text, document.title or "")),
        authors=[a.strip() for a in author.split(";") if a.strip()],
        categories=[c for c in (document.categories or []) if c],
        published=published,
        naive_dates=naive,
        media=media,
        language=document.language or "",
        source_format="html_page",
    )
    return ParseResult(items=[item], format="html_page", title=item.title,
                       link=item.link)
