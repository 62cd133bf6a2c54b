"""RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 through feedparser.

feedparser is given bytes we fetched and decoded ourselves (it never touches the
network): the text is re-encoded as UTF-8 with a declaration that says so, the
DOCTYPE is removed (we never expand entities), and the base URL goes in as
Content-Location so relative links and ``xml:base`` resolve.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser

from wiredesk.wire.dates import has_zone, parse_date
from wiredesk.wire.decode import as_utf8_xml, decode_bytes
from wiredesk.wire.pictures import byte_length, dimension
from wiredesk.wire.types import (
    MAX_ITEMS_PER_DOCUMENT,
    Media,
    ParseResult,
    WireError,
    WireItem,
)
from wiredesk.wire.xmlsafe import (
    local,
    parse_xml,
    refuse_deep_nesting,
    refuse_entity_declarations,
    strip_doctype,
    text_of,
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
    """The pictures as feedparser saw them: used when the feed is not well-formed XML.

    feedparser keeps one caption and one credit per entry (a ``media:description``
    beside a ``<description>`` it drops), so a well-formed feed is read by
    :func:`_media_from_xml` instead.
    """
    found: list[Media] = []
    seen: set[str] = set()
    credit = _first_text(entry.get("media_credit"))
    captions = _contents(entry, is_rss=is_rss, captions=True)
    caption = (_first_text(entry.get("media_description"))
               or (captions[0]["value"].strip() if captions else "")
               or _first_text(entry.get("media_title")))

    def add(url: str, mime: str = "", *, role: str = "", width=None, height=None,
            length=None) -> None:
        url = _absolute(base, (url or "").strip())
        if url and url not in seen:
            seen.add(url)
            found.append(Media(url=url, caption=caption, credit=credit, mime_type=mime,
                               width=dimension(width), height=dimension(height),
                               length=byte_length(length), role=role))

    for content in entry.get("media_content") or []:
        url, mime = content.get("url", ""), content.get("type", "") or ""
        if _is_image(mime, content.get("medium", "") or "", url):
            add(url, mime, width=content.get("width"), height=content.get("height"),
                length=content.get("filesize"))
    for link in entry.get("links") or []:
        if link.get("rel") == "enclosure":
            mime = str(link.get("type", "") or "")
            if _is_image(mime, "", link.get("href", "")):
                add(link.get("href", ""), mime, length=link.get("length"))
    for thumb in entry.get("media_thumbnail") or []:
        add(thumb.get("url", ""), role="thumbnail", width=thumb.get("width"),
            height=thumb.get("height"))
    return found


# --- Media RSS read from the XML itself ---------------------------------------------------

_MRSS = "search.yahoo.com/mrss"
_ITEM_NAMESPACES = {"item": ("", "http://purl.org/rss/1.0/",
                             "http://my.netscape.com/rdf/simple/0.9/"),
                    "entry": ("http://www.w3.org/2005/Atom", "http://purl.org/atom/ns#")}
# In a media:group, the rendition a page wants: the widest up to this, else the smallest
# above it (the original of a 6000-pixel photo is not for a web page).
GROUP_MAX_WIDTH = 2048


def _namespace(tag) -> str:
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _is_mrss(element, name: str = "") -> bool:
    return (_MRSS in _namespace(element.tag)
            and (not name or local(element.tag) == name))


def _mrss_children(element, name: str) -> list:
    return [child for child in element if _is_mrss(child, name)]


@dataclass(frozen=True)
class _Said:
    """What a level of Media RSS says about the pictures below it (item, group, content):
    the nearest level that says something wins."""

    caption: str = ""
    title: str = ""
    credit: str = ""
    rights: str = ""

    def below(self, element) -> _Said:
        credits = []
        for node in _mrss_children(element, "credit"):
            if text_of(node) and text_of(node) not in credits:
                credits.append(text_of(node))
        rights = [text_of(n) for n in _mrss_children(element, "copyright") if text_of(n)]
        rights += [text_of(n) or (n.get("href") or "").strip()
                   for n in _mrss_children(element, "license")
                   if text_of(n) or n.get("href")]
        return _Said(
            caption=_mrss_text(element, "description") or self.caption,
            title=_mrss_text(element, "title") or self.title,
            credit=", ".join(credits) or self.credit,
            rights="; ".join(rights) or self.rights,
        )


def _mrss_text(element, name: str) -> str:
    for node in _mrss_children(element, name):
        if text_of(node):
            return text_of(node)
    return ""


def _content_media(content, said: _Said, base: str) -> Media | None:
    said = said.below(content)
    url = _absolute(base, (content.get("url") or "").strip())
    mime = (content.get("type") or "").strip()
    if not url or not _is_image(mime, (content.get("medium") or "").strip(), url):
        return None
    return Media(url=url, caption=said.caption or said.title, credit=said.credit,
                 mime_type=mime, width=dimension(content.get("width")),
                 height=dimension(content.get("height")),
                 length=byte_length(content.get("fileSize")), rights=said.rights)


def _thumbnail(thumb, said: _Said, base: str) -> Media:
    return Media(url=_absolute(base, (thumb.get("url") or "").strip()),
                 caption=said.caption or said.title, credit=said.credit,
                 width=dimension(thumb.get("width")), height=dimension(thumb.get("height")),
                 rights=said.rights, role="thumbnail")


def _thumbnails(element, said: _Said, base: str) -> list[Media]:
    return [_thumbnail(thumb, said, base) for thumb in _mrss_children(element, "thumbnail")]


def _group_order(media: list[Media], contents: list) -> list[Media]:
    """A group's renditions, the one a page should show first."""
    default = [m for m, c in zip(media, contents, strict=True)
               if (c.get("isDefault") or "").strip().lower() == "true"]
    fitting = sorted((m for m in media if m.width and m.width <= GROUP_MAX_WIDTH),
                     key=lambda m: -m.width)
    larger = sorted((m for m in media if m.width and m.width > GROUP_MAX_WIDTH),
                    key=lambda m: m.width)
    unsized = [m for m in media if not m.width]
    ordered = []
    for m in [*default, *fitting, *unsized, *larger]:
        if m not in ordered:
            ordered.append(m)
    return ordered


def _item_media(element, base: str) -> list[Media]:
    said = _Said().below(element)
    found: list[Media] = []
    thumbs: list[Media] = []
    for child in element:
        if _is_mrss(child, "content"):
            picture = _content_media(child, said, base)
            if picture is not None:
                found.append(picture)
            else:  # a video's poster frame is a picture too, if nothing better comes
                thumbs += _thumbnails(child, said.below(child), base)
        elif _is_mrss(child, "group"):
            group_said = said.below(child)
            contents = _mrss_children(child, "content")
            pairs = [(m, c) for c in contents
                     if (m := _content_media(c, group_said, base)) is not None]
            found += _group_order([m for m, _ in pairs], [c for _, c in pairs])
            thumbs += _thumbnails(child, group_said, base)
        elif _is_mrss(child, "thumbnail"):
            thumbs.append(_thumbnail(child, said, base))
        elif local(child.tag) == "enclosure" and not _namespace(child.tag):
            url, mime = (child.get("url") or "").strip(), (child.get("type") or "").strip()
            if url and _is_image(mime, "", url):
                found.append(Media(url=_absolute(base, url), caption=said.caption or said.title,
                                   credit=said.credit, mime_type=mime, rights=said.rights,
                                   length=byte_length(child.get("length"))))
        elif (local(child.tag) == "link" and (child.get("rel") or "") == "enclosure"
              and _namespace(child.tag) in _ITEM_NAMESPACES["entry"]):
            url, mime = (child.get("href") or "").strip(), (child.get("type") or "").strip()
            if url and _is_image(mime, "", url):
                found.append(Media(url=_absolute(base, url), caption=said.caption or said.title,
                                   credit=said.credit, mime_type=mime, rights=said.rights,
                                   length=byte_length(child.get("length"))))
    out, seen = [], set()
    for media in [*found, *thumbs]:
        if media.url and media.url not in seen:
            seen.add(media.url)
            out.append(media)
    return out


def _media_from_xml(utf8: bytes, count: int, base: str) -> list[list[Media]] | None:
    """Each entry's pictures read from the XML, in feed order; None when the document is
    not well-formed or its items cannot be matched one to one with feedparser's."""
    try:
        root = parse_xml(utf8, content_type="application/xml; charset=utf-8")
    except WireError:
        return None
    elements = [node for node in root.iter() if local(node.tag) in _ITEM_NAMESPACES
                and _namespace(node.tag) in _ITEM_NAMESPACES[local(node.tag)]]
    if len(elements) != count:
        return None
    return [_item_media(element, base) for element in elements]


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
    from_xml = (_media_from_xml(utf8, len(entries), base)
                if _MRSS.encode() in utf8 else None)
    items = []
    for position, entry in enumerate(entries):
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
            media=(from_xml[position] if from_xml is not None
                   else _media_of(entry, is_rss=is_rss, base=base)),
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
