"""RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 through feedparser.

feedparser is given bytes we fetched and decoded ourselves (it never touches the
network): the text is re-encoded as UTF-8 with a declaration that says so, the
DOCTYPE is removed (we never expand entities), and the base URL goes in as
Content-Location so relative links and ``xml:base`` resolve.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser

from wiredesk.wire.dates import has_zone, parse_date
from wiredesk.wire.decode import as_utf8_xml, decode_bytes
from wiredesk.wire.types import Media, ParseResult, WireError, WireItem
from wiredesk.wire.xmlsafe import refuse_entity_declarations, strip_doctype

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
    html = [c.get("value", "") for c in _contents(entry, is_rss=is_rss, captions=False)]
    return max(html, key=len) if html else ""


def _contents(entry, *, is_rss: bool, captions: bool) -> list[dict]:
    """Body contents, or (captions=True) the media:description texts.

    RSS has no plain-text content element of its own: feedparser files Media RSS
    descriptions under ``content`` as text/plain, and they are captions, not bodies.
    """
    out = []
    for content in entry.get("content") or []:
        if not content.get("value"):
            continue
        is_caption = is_rss and content.get("type") == "text/plain"
        if is_caption == captions:
            out.append(content)
    return out


def _first_text(value) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return (value[0].get("content") or "").strip()
    if isinstance(value, dict):
        return (value.get("content") or "").strip()
    return ""


def _is_image(mime: str, medium: str, url: str) -> bool:
    if medium:
        return medium == "image"
    if mime:
        return mime.startswith("image")
    return url.lower().rsplit("?", 1)[0].endswith((".jpg", ".jpeg", ".png", ".gif", ".webp"))


def _media_of(entry, *, is_rss: bool, base: str) -> list[Media]:
    found: list[Media] = []
    seen: set[str] = set()
    credit = _first_text(entry.get("media_credit"))
    captions = _contents(entry, is_rss=is_rss, captions=True)
    caption = (_first_text(entry.get("media_description"))
               or (captions[0]["value"].strip() if captions else "")
               or _first_text(entry.get("media_title")))

    def add(url: str, mime: str = "") -> None:
        url = _absolute(base, (url or "").strip())
        if url and url not in seen:
            seen.add(url)
            found.append(Media(url=url, caption=caption, credit=credit, mime_type=mime))

    for content in entry.get("media_content") or []:
        url, mime = content.get("url", ""), content.get("type", "") or ""
        if _is_image(mime, content.get("medium", "") or "", url):
            add(url, mime)
    for link in entry.get("links") or []:
        if link.get("rel") == "enclosure":
            mime = str(link.get("type", "") or "")
            if _is_image(mime, "", link.get("href", "")):
                add(link.get("href", ""), mime)
    for thumb in entry.get("media_thumbnail") or []:
        add(thumb.get("url", ""))
    return found


def _absolute(base: str, url: str) -> str:
    if not url or not base or url.startswith(("http://", "https://")):
        return url
    try:
        return urljoin(base, url)
    except ValueError:
        return url


def _authors(entry) -> list[str]:
    names = []
    for author in entry.get("authors") or []:
        name = (author.get("name") or author.get("email") or "").strip()
        if name and name not in names:
            names.append(name)
    if not names and entry.get("author"):
        names = [entry["author"].strip()]
    return names


def parse(data: bytes, *, base_url: str = "", content_type: str = "") -> ParseResult:
    decoded = decode_bytes(data, content_type=content_type)
    text = strip_doctype(decoded.text)
    utf8 = as_utf8_xml(text)
    refuse_entity_declarations(utf8)
    headers = {"content-type": "application/xml; charset=utf-8"}
    if base_url:
        headers["content-location"] = base_url
    parsed = feedparser.parse(utf8, response_headers=headers, sanitize_html=True,
                              resolve_relative_uris=True)
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
    items = []
    for entry in entries:
        published, naive_published = _entry_date(entry, "published", "created", "updated")
        updated, naive_updated = _entry_date(entry, "updated")
        items.append(WireItem(
            title=entry.get("title", "") or "",
            guid=(entry.get("id") or "").strip(),
            link=_absolute(base, (entry.get("link") or "").strip()),
            summary=entry.get("summary", "") or "",
            body=_content_of(entry, is_rss=is_rss),
            authors=_authors(entry),
            categories=[t.get("term", "").strip() for t in entry.get("tags") or []
                        if (t.get("term") or "").strip()],
            published=published,
            updated=updated,
            naive_dates=naive_published or naive_updated,
            media=_media_of(entry, is_rss=is_rss, base=base),
            language=(entry.get("language") or feed_language or ""),
            source_format=version or "rss_atom",
        ))
    warnings = []
    if decoded.source not in ("bom", "http", "declaration") and not data.isascii():
        warnings.append(f"encoding not declared correctly; read as {decoded.encoding}")
    if parsed.get("bozo") and parsed.get("bozo_exception") is not None:
        warnings.append(f"feed is not well-formed: {parsed['bozo_exception']}")
    return ParseResult(items=items, format=version or "rss_atom",
                       title=feed.get("title", ""), link=feed.get("link", ""),
                       warnings=warnings)
