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
from wiredesk.wire.types import Media, ParseResult, WireError, WireItem

_FIRST_TAG = re.compile(
    rb"^(?:\s|<!--.*?-->|<\?xml[^>]*\?>)*<(!doctype\s+html|html|head|body|meta|title)\b",
    re.I | re.S)
MAX_HTML_CHARS = 5_000_000
# Less than this is a login wall, an error page or a stub, not an article.
MIN_ARTICLE_CHARS = 80

_CONFIG = use_config()
# trafilatura's own download timeout/signal handling is never used: we fetch ourselves,
# and signals do not work outside the main thread (web workers, the scheduler).
_CONFIG.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")


def sniff(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    return bool(_FIRST_TAG.match(head))


def extract_page(markup: str, *, url: str = "", precision: bool = True):
    """trafilatura's reading of a page: a Document (text, title, author, date, image) or None."""
    return trafilatura.bare_extraction(
        markup, url=url or None, favor_precision=precision, include_comments=False,
        include_tables=True, include_images=False, include_links=False,
        with_metadata=True, deduplicate=False, config=_CONFIG)


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
    published, naive = parse_date(document.date or "")
    media = [Media(url=document.image)] if (document.image or "").startswith("http") else []
    author = (document.author or "").strip()
    item = WireItem(
        title=html.escape(document.title or "", quote=False),
        guid="",
        link=document.url or base_url,
        body=text_to_html(document.text),
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
