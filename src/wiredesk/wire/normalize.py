"""Turn a raw WireItem into a CleanItem: repaired text, safe HTML, UTC dates.

Order matters and is fixed: repair text, find the parts (credit, byline, lead),
then sanitize last, so nothing added later can reintroduce unsafe markup.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import ftfy

from wiredesk.wire.identity import canonical_url, fingerprint, identity_key
from wiredesk.wire.sanitize import html_to_text, plain_text, sanitize_html
from wiredesk.wire.teaser import make_teaser
from wiredesk.wire.types import CleanItem, WireItem

FUTURE_TOLERANCE = timedelta(minutes=15)
_HAS_BLOCK = re.compile(r"<(p|div|h\d|ul|ol|blockquote|table|figure)\b", re.I)
_PARAGRAPH = re.compile(r"<p\b[^>]*>(.*?)</p>", re.I | re.S)


def repair_text(value: str) -> str:
    """Fix mojibake and stray control characters without dropping anything real."""
    if not value:
        return ""
    return ftfy.fix_text(value, normalization="NFC", uncurl_quotes=False,
                         fix_latin_ligatures=False, fix_character_width=False)


def paragraphs_html(markup: str) -> str:
    """Give plain-text or <br>-separated copy real paragraphs."""
    if not markup.strip():
        return ""
    if _HAS_BLOCK.search(markup):
        return markup
    parts = re.split(r"(?:<br\s*/?>\s*){2,}|\n\s*\n", markup)
    if len(parts) == 1 and "\n" in markup and "<" not in markup:
        parts = markup.split("\n")
    return "".join(f"<p>{part.strip()}</p>" for part in parts if part.strip())


def first_paragraph_text(body_html: str) -> str:
    for match in _PARAGRAPH.finditer(body_html):
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).split())
        if len(text) >= 20:
            return text
    return html_to_text(body_html).split("\n", 1)[0] if body_html else ""


def to_utc(value: datetime | None, *, naive: bool, zone: str) -> datetime | None:
    """A source time in UTC; a time without a zone is read in the source's zone."""
    if value is None:
        return None
    if value.tzinfo is None or naive:
        value = value.replace(tzinfo=ZoneInfo(zone or "UTC"))
    return value.astimezone(UTC)


def normalize(item: WireItem, *, zone: str = "UTC", now: datetime | None = None,
              trust_guid: bool = True) -> CleanItem:
    """Normalize one item. ``zone`` is the agency's zone for times given without one."""
    now = now or datetime.now(UTC)
    flags: list[str] = []
    headline = plain_text(repair_text(item.title))
    raw_body = item.body if len(item.body) >= len(item.summary) else item.summary
    body_html = sanitize_html(paragraphs_html(repair_text(raw_body)))
    body_text = html_to_text(body_html)
    if not headline:
        headline = make_teaser(body_text.split("\n", 1)[0], 90).removesuffix("...")
        flags.append("headline-from-body")
    lead = first_paragraph_text(body_html)
    published = to_utc(item.published or item.updated, naive=item.naive_dates, zone=zone)
    updated = to_utc(item.updated, naive=item.naive_dates, zone=zone)
    if published and published > now + FUTURE_TOLERANCE:
        published = now
        flags.append("future-date-clamped")
    if updated and updated > now + FUTURE_TOLERANCE:
        updated = now
    image = item.media[0] if item.media else None
    link = canonical_url(item.link)
    return CleanItem(
        headline=headline,
        body_html=body_html,
        lead=lead,
        teaser=make_teaser(lead),
        identity=identity_key(item.guid, item.link, headline, body_text,
                              trust_guid=trust_guid),
        fingerprint=fingerprint(headline, body_html, item.byline,
                                image.url if image else ""),
        guid=item.guid[:500],
        canonical_url=link,
        byline=plain_text(repair_text(item.byline or ", ".join(item.authors))),
        dateline=plain_text(item.dateline),
        credit=plain_text(image.credit) if image else "",
        categories=[plain_text(c) for c in item.categories if plain_text(c)],
        published=published or now,
        updated=updated,
        image_url=image.url if image and canonical_url(image.url) else "",
        image_caption=plain_text(image.caption) if image else "",
        image_credit=plain_text(image.credit) if image else "",
        version=item.version,
        status=item.status,
        signal=item.signal,
        embargo_until=to_utc(item.embargo_until, naive=False, zone=zone),
        language=item.language,
        flags=flags,
        source_format=item.source_format,
    )
