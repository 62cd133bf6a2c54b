"""RSS 0.9x/1.0/2.0 and Atom through feedparser.

feedparser is given bytes we fetched ourselves (it never touches the network)
and the HTTP headers, so its own encoding detection sees the declared charset.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime

import feedparser

from wiredesk.wire.types import Media, ParseResult, WireError, WireItem

_FEED_MARKERS = (b"<rss", b"<feed", b"<rdf:rdf", b"<channel")

# feedparser resolves relative URIs and sanitizes HTML on its own; we sanitize
# later with our own allow-list (the sanitizer always runs last), so its copy
# is only a first line of defence.
feedparser.RESOLVE_RELATIVE_URIS = True


def sniff(data: bytes) -> bool:
    head = data[:2048].lower()
    return any(marker in head for marker in _FEED_MARKERS)


def _to_datetime(struct) -> datetime | None:
    if not struct:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(struct), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _content_of(entry) -> str:
    contents = entry.get("content") or []
    html = [c.get("value", "") for c in contents if c.get("value")]
    return max(html, key=len) if html else ""


def _media_of(entry) -> list[Media]:
    found: list[Media] = []
    seen: set[str] = set()
    credit = ""
    credits = entry.get("media_credit") or []
    if credits and isinstance(credits, list):
        credit = (credits[0].get("content") or "").strip()
    caption = ""
    desc = entry.get("media_description")
    if isinstance(desc, str):
        caption = desc.strip()
    for content in entry.get("media_content") or []:
        url = content.get("url")
        medium = content.get("medium", "") or content.get("type", "")
        if url and url not in seen and (not medium or "image" in medium):
            seen.add(url)
            found.append(Media(url=url, caption=caption, credit=credit,
                               mime_type=content.get("type", "")))
    for link in entry.get("links") or []:
        url = link.get("href")
        if (link.get("rel") == "enclosure" and url and url not in seen
                and str(link.get("type", "")).startswith("image")):
            seen.add(url)
            found.append(Media(url=url, caption=caption, credit=credit,
                               mime_type=link.get("type", "")))
    return found


def parse(data: bytes, *, base_url: str = "", content_type: str = "") -> ParseResult:
    headers = {"content-location": base_url} if base_url else {}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(data, response_headers=headers, sanitize_html=True,
                              resolve_relative_uris=True)
    version = parsed.get("version") or ""
    entries = parsed.get("entries") or []
    if not version and not entries:
        problem = parsed.get("bozo_exception")
        detail = f" ({type(problem).__name__}: {problem})" if problem else ""
        raise WireError(f"not a feed: no RSS or Atom content found{detail}")

    items = []
    for entry in entries:
        authors = [a.get("name", "").strip() for a in entry.get("authors") or []
                   if a.get("name")]
        if not authors and entry.get("author"):
            authors = [entry["author"].strip()]
        published_struct = (dict.get(entry, "published_parsed")
                            or dict.get(entry, "created_parsed"))
        items.append(WireItem(
            title=entry.get("title", "") or "",
            guid=(entry.get("id") or "").strip(),
            link=(entry.get("link") or "").strip(),
            summary=entry.get("summary", "") or "",
            body=_content_of(entry),
            authors=authors,
            categories=[t.get("term", "").strip() for t in entry.get("tags") or []
                        if t.get("term")],
            published=_to_datetime(published_struct),
            # dict.get: feedparser's own get() maps a missing updated to published, with a warning.
            updated=_to_datetime(dict.get(entry, "updated_parsed")),
            media=_media_of(entry),
            language=(entry.get("language") or parsed.feed.get("language") or ""),
            source_format=version or "rss_atom",
        ))
    warnings = []
    if parsed.get("bozo") and parsed.get("bozo_exception") is not None:
        warnings.append(f"feed is not well-formed: {parsed['bozo_exception']}")
    feed = parsed.get("feed") or {}
    return ParseResult(items=items, format=version or "rss_atom",
                       title=feed.get("title", ""), link=feed.get("link", ""),
                       warnings=warnings)
