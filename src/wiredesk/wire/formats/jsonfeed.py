"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1)."""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin

from wiredesk.wire.dates import parse_date
from wiredesk.wire.decode import decode_bytes
from wiredesk.wire.pictures import byte_length
from wiredesk.wire.types import MAX_ITEMS_PER_DOCUMENT, Media, ParseResult, WireError, WireItem

_VERSION = re.compile(rb'"version"\s*:\s*"https?://jsonfeed\.org/version/', re.I)
MAX_ITEMS = MAX_ITEMS_PER_DOCUMENT


def sniff(data: bytes) -> bool:
    head = data[:8192].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{") and (bool(_VERSION.search(data[:65536]))
                                      or b'"items"' in data[:65536])


def _str(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _authors(obj: dict) -> list[str]:
    people = obj.get("authors")
    if not isinstance(people, list):
        people = [obj["author"]] if isinstance(obj.get("author"), dict) else []
    names = []
    for person in people:
        if isinstance(person, dict):
            name = _str(person.get("name")) or _str(person.get("url"))
            if name and name not in names:
                names.append(name)
    return names


def _media(item: dict, base: str) -> list[Media]:
    """``image`` (the item's main picture), then image attachments, then the banner (a
    wide strip made for the top of a page, the least likely to show the story)."""
    found = []
    image = _str(item.get("image"))
    if image:
        found.append(Media(url=_absolute(base, image)))
    for attachment in item.get("attachments") or []:
        if isinstance(attachment, dict) and _str(attachment.get("mime_type")).startswith("image"):
            found.append(Media(url=_absolute(base, _str(attachment.get("url"))),
                               caption=_str(attachment.get("title")),
                               mime_type=_str(attachment.get("mime_type")),
                               length=byte_length(attachment.get("size_in_bytes"))))
    banner = _str(item.get("banner_image"))
    if banner:
        found.append(Media(url=_absolute(base, banner)))
    return [m for m in found if m.url]


def _absolute(base: str, url: str) -> str:
    if not url or not base or url.startswith(("http://", "https://")):
        return url
    try:
        return urljoin(base, url)
    except ValueError:
        return url


def parse(data: bytes, *, base_url: str = "", content_type: str = "") -> ParseResult:
    text = decode_bytes(data, content_type=content_type).text
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise WireError(f"not valid JSON: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        raise WireError("not a JSON Feed: no \"items\" list")
    version = _str(document.get("version"))
    fmt = "jsonfeed11" if version.endswith("1.1") else "jsonfeed10"
    feed_authors = _authors(document)
    feed_language = _str(document.get("language"))
    base = base_url or _str(document.get("feed_url")) or _str(document.get("home_page_url"))
    items = []
    warnings = []
    for raw in document["items"][:MAX_ITEMS]:
        if not isinstance(raw, dict):
            warnings.append("an item that is not an object was skipped")
            continue
        published, naive_p = parse_date(_str(raw.get("date_published")))
        updated, naive_u = parse_date(_str(raw.get("date_modified")))
        body = _str(raw.get("content_html"))
        if not body and _str(raw.get("content_text")):
            body = _str(raw.get("content_text"))
        tags = raw.get("tags") if isinstance(raw.get("tags"), list) else []
        items.append(WireItem(
            title=_str(raw.get("title")),
            guid=str(raw.get("id")).strip() if raw.get("id") is not None else "",
            link=_str(raw.get("url")) or _str(raw.get("external_url")),
            summary=_str(raw.get("summary")),
            body=body,
            authors=_authors(raw) or feed_authors,
            categories=[t.strip() for t in tags if isinstance(t, str) and t.strip()],
            published=published,
            updated=updated,
            naive_dates=naive_p or naive_u,
            media=_media(raw, base),
            language=_str(raw.get("language")) or feed_language,
            source_format=fmt,
        ))
    return ParseResult(items=items, format=fmt, title=_str(document.get("title")),
                       link=_str(document.get("home_page_url")), warnings=warnings)
