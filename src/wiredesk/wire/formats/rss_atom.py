"""RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 through feedparser.

feedparser is given bytes we fetched and decoded ourselves (it never touches the
network): the text is re-encoded as UTF-8 with a declaration that says so, the
DOCTYPE is removed (we never expand entities), and the base URL goes in as
Content-Location so relative links and ``xml:base`` resolve.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime

import feedparser

from wiredesk.wire.dates import has_zone, parse_date
from wiredesk.wire.decode import as_utf8_xml, decode_bytes
from wiredesk.wire.formats.rss_media import MRSS, absolute, contents, media_from_xml, media_of
from wiredesk.wire.types import (
    MAX_ITEMS_PER_DOCUMENT,
    ParseResult,
    WireError,
    WireItem,
)
from wiredesk.wire.xmlsafe import (
    refuse_deep_nesting,
    refuse_entity_declarations,
    strip_doctype,
)

_FEED_MARKERS = (b"<rss", b"<feed", b"<rdf:rdf", b"<channel", b"purl.org/rss/1.0")

# feedparser resolves relative URIs and sanitizes HTML on its own; we sanitize
# later with our own allow-list (the sanitizer always runs last), so its copy
# is only a first line of defence.
feedparser.RESOLVE_RELATIVE_URIS = True


def sniff(data: bytes) -> bool:
    head = data[:4096].replace(b"\x00", b"").lower()
    return any(marker in head for marker in _FEED_MARKERS)


def _to_datetime(struct) -> datetime | None:
    if not struct:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(struct), tz=UTC)
    except (OverflowError, ValueError, OSError, TypeError):
        return None


def _entry_date(entry, *names: str) -> tuple[datetime | None, bool]:
    """The first date present; naive when the raw string carried no zone."""
    for name in names:
        raw = dict.get(entry, name) or ""
        parsed = _to_datetime(dict.get(entry, f"{name}_parsed"))
        if parsed is None and raw:
            value, naive = parse_date(raw)
            if value is not None:
                return value, naive
            continue
        if parsed is not None:
            if raw and not has_zone(raw):
                # feedparser assumed UTC; hand the wall-clock time on without a zone.
                return parsed.replace(tzinfo=None), True
            return parsed, False
    return None, False


def _content_of(entry, *, is_rss: bool) -> str:
    html = [c.get("value", "") for c in contents(entry, is_rss=is_rss, captions=False)]
    return max(html, key=len) if html else ""


def _authors(entry) -> list[str]:
    names = []
    for author in entry.get("authors") or []:
        name = (author.get("name") or author.get("email") or "").strip()
        if name and name not in names:
            names.append(name)
    if not names and entry.get("author"):
        names = [entry["author"].strip()]
    return names


_ITEM_START = re.compile(rb"<(?:[\w.-]+:)?(?:item|entry)[\s/>]")
_ROOT_END = ((b"<feed", b"</feed>"), (b"<rdf:rdf", b"</rdf:RDF>"))


def _first_items(utf8: bytes) -> tuple[bytes, int]:
    """The document cut before its (MAX_ITEMS_PER_DOCUMENT + 1)th item and closed again,
    so feedparser never builds the rest; (document, items seen, when it was cut)."""
    starts = _ITEM_START.finditer(utf8)
    for count, match in enumerate(starts, start=1):
        if count > MAX_ITEMS_PER_DOCUMENT:
            head = utf8[:4096].lower()
            end = next((closer for opener, closer in _ROOT_END if opener in head),
                       b"</channel></rss>")
            more = sum(1 for _ in starts) + count
            return utf8[:match.start()] + end, more
    return utf8, 0


def parse(data: bytes, *, base_url: str = "", content_type: str = "") -> ParseResult:
    decoded = decode_bytes(data, content_type=content_type)
    text = strip_doctype(decoded.text)
    utf8 = as_utf8_xml(text)
    refuse_entity_declarations(utf8)
    utf8, item_count = _first_items(utf8)
    refuse_deep_nesting(utf8)
    headers = {"content-type": "application/xml; charset=utf-8"}
    if base_url:
        headers["content-location"] = base_url
    try:
        parsed = feedparser.parse(utf8, response_headers=headers, sanitize_html=True,
                                  resolve_relative_uris=True)
    except Exception as error:  # feedparser's own handlers can fail on
        # hostile markup (a GML position outside any georss:where raises KeyError): the
        # document is refused with what went wrong, never the worker's turn.
        raise WireError(f"the feed parser failed on this document "
                        f"({type(error).__name__}: {error})") from error
    version = parsed.get("version") or ""
    entries = parsed.get("entries") or []
    if not version and not entries:
        problem = parsed.get("bozo_exception")
        detail = f" ({type(problem).__name__}: {problem})" if problem else ""
        raise WireError(f"not a feed: no RSS or Atom content found{detail}")

    feed = parsed.get("feed") or {}
    feed_language = feed.get("language") or ""
    is_rss = version.startswith("rss")
    base = base_url or (feed.get("link") or "")
    from_xml = (media_from_xml(utf8, len(entries), base)
                if MRSS.encode() in utf8 else None)
    items = []
    for position, entry in enumerate(entries):
        published, naive_published = _entry_date(entry, "published", "created", "updated")
        updated, naive_updated = _entry_date(entry, "updated")
        items.append(WireItem(
            title=entry.get("title", "") or "",
            guid=(entry.get("id") or "").strip(),
            link=absolute(base, (entry.get("link") or "").strip()),
            summary=entry.get("summary", "") or "",
            body=_content_of(entry, is_rss=is_rss),
            authors=_authors(entry),
            categories=[t.get("term", "").strip() for t in entry.get("tags") or []
                        if (t.get("term") or "").strip()],
            published=published,
            updated=updated,
            naive_dates=naive_published or naive_updated,
            media=(from_xml[position] if from_xml is not None
                   else media_of(entry, is_rss=is_rss, base=base)),
            language=(entry.get("language") or feed_language or ""),
            source_format=version or "rss_atom",
        ))
    warnings = []
    if item_count:
        warnings.append(f"the document holds {item_count} items; only the first "
                        f"{MAX_ITEMS_PER_DOCUMENT} were read")
    if decoded.source not in ("bom", "http", "declaration") and not data.isascii():
        warnings.append(f"encoding not declared correctly; read as {decoded.encoding}")
    if parsed.get("bozo") and parsed.get("bozo_exception") is not None:
        warnings.append(f"feed is not well-formed: {parsed['bozo_exception']}")
    return ParseResult(items=items, format=version or "rss_atom",
                       title=feed.get("title", ""), link=feed.get("link", ""),
                       warnings=warnings)
