"""Turn a raw WireItem into a CleanItem: repaired text, safe HTML, UTC dates.

Order matters and is fixed: drop the characters XML cannot carry, repair text, sanitize
once so the parts can be found in known-safe markup, pull out the parts (credit, byline,
dateline, lead), and sanitize again last, so nothing done in between can reintroduce
unsafe markup.
"""

from __future__ import annotations

import dataclasses
import functools
import html
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import ftfy

from wiredesk.wire.datelines import parse_dateline
from wiredesk.wire.identity import canonical_url, fingerprint, identity_key
from wiredesk.wire.language import detect as detect_language
from wiredesk.wire.pictures import (
    PICTURE_CLASSES,
    best_media,
    body_images,
    picture_from,
    without_image,
    without_web_bugs,
)
from wiredesk.wire.prefixes import Prefixes, correction_text, parse_prefixes
from wiredesk.wire.sanitize import html_to_text, plain_text, sanitize_html
from wiredesk.wire.teaser import make_teaser
from wiredesk.wire.types import CleanItem, WireItem
from wiredesk.wire.xmlsafe import is_wire_text, wire_text, xml_clean

FUTURE_TOLERANCE = timedelta(minutes=15)
_HAS_BLOCK = re.compile(r"<(p|div|h\d|ul|ol|blockquote|table|figure|section|article)\b", re.I)
_PARAGRAPH = re.compile(r"<p\b[^>]*>(.*?)</p>", re.I | re.S)
_CREDIT = re.compile(
    r"^\s*\(\s*(?:photo|picture|image|pic|foto)s?\s*(?:credit|courtesy|by)?\s*:\s*"
    r"(?P<credit>[^()]{2,200}?)\s*\)\s*", re.I)
# "By Jane Smith", "BY JANE SMITH, Reuters": a capitalised name, no sentence punctuation.
_BYLINE = re.compile(r"^\s*(?:By|BY)\s+(?P<name>[A-Z\u00c0-\u00de][^.!?]{1,120})$")
_BY_PREFIX = re.compile(r"^\s*by\s+", re.I)
# Printable ASCII, tabs and newlines are what ftfy leaves exactly as they are: no mojibake,
# control character or line break for it to fix. Most wire copy is plain ASCII.
_FTFY_MAY_CHANGE = re.compile(r"[^\t\n\x20-\x7e]")


def xml_safe(item):
    """A WireItem or CleanItem (and its Media) with every text field free of the
    characters XML forbids: stored copy is written into feeds and sitemaps, and one
    form feed or U+FFFE there makes the whole document unreadable.

    Every field, not a chosen few: a guid, a category or a caption ends up in XML too.
    Bidi overrides go as well (``xmlsafe.BIDI_CONTROLS``): they only disguise text.
    """
    changes = {}
    texts = []
    for name in _field_names(type(item)):
        value = getattr(item, name)
        if isinstance(value, str):
            texts.append((name, value))
            continue
        if isinstance(value, list) and value and dataclasses.is_dataclass(value[0]):
            clean = [xml_safe(v) for v in value]
        elif isinstance(value, list | dict):
            clean = xml_clean(value, wire_text)
        elif dataclasses.is_dataclass(value):
            clean = xml_safe(value)
        else:
            continue
        if clean != value:
            changes[name] = clean
    # Nearly every item's texts are clean: one search over all of them, joined by a
    # newline (itself wire text), instead of one scrub per field.
    if texts and not is_wire_text("\n".join(value for _name, value in texts)):
        for name, value in texts:
            clean = wire_text(value)
            if clean != value:
                changes[name] = clean
    return dataclasses.replace(item, **changes) if changes else item


@functools.cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(spec.name for spec in dataclasses.fields(kind))


def repair_text(value: str) -> str:
    """Fix mojibake and stray control characters without dropping anything real."""
    if not value:
        return ""
    if not _FTFY_MAY_CHANGE.search(value):
        return value
    # unescape_html off: our inputs are HTML, where "&lt;blink&gt;" is text, not a tag.
    return ftfy.fix_text(value, normalization="NFC", uncurl_quotes=False, unescape_html=False,
                         fix_latin_ligatures=False, fix_character_width=False)


def _plain(value: str) -> str:
    return plain_text(repair_text(value))


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


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def is_real_paragraph(text: str) -> bool:
    """A paragraph that can be a lead: a sentence, not a kicker, credit or 'Advertisement'."""
    return len(text) >= 25 and len(text.split()) >= 5


def first_paragraph_text(body_html: str) -> str:
    for match in _PARAGRAPH.finditer(body_html):
        text = _text(match.group(1))
        if is_real_paragraph(text):
            return text
    return html_to_text(body_html).split("\n", 1)[0] if body_html else ""


def _zone(name: str):
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def to_utc(value: datetime | None, *, naive: bool, zone: str) -> datetime | None:
    """A source time in UTC; a time without a zone is read in the source's zone."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=_zone(zone))
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def pull_parts(body_html: str) -> tuple[str, str, str]:
    """Remove a leading picture credit and byline paragraph; returns (body, credit, byline).

    Only the first two paragraphs are looked at: a credit or byline further down is
    part of the story.
    """
    credit = byline = ""
    for _ in range(2):
        match = _PARAGRAPH.search(body_html)
        if not match or body_html[:match.start()].strip():
            break
        inner = match.group(1)
        text = _text(inner)
        found = _CREDIT.match(text)
        if found and not credit:
            credit = found.group("credit").strip()
            rest = text[found.end():].strip()
            replacement = f"<p>{html.escape(rest, quote=False)}</p>" if rest else ""
            if rest and "<" in inner:
                # Keep the paragraph's own markup: cut the credit's characters off the front.
                replacement = "<p>" + _cut_text_prefix(inner, found.end()) + "</p>"
            body_html = body_html[:match.start()] + replacement + body_html[match.end():]
            continue
        found = _BYLINE.match(text)
        if found and not byline and len(text) <= 120 and len(found.group("name").split()) <= 8:
            byline = found.group("name").strip()
            body_html = body_html[:match.start()] + body_html[match.end():]
            continue
        break
    return body_html.strip(), credit, byline


def _cut_text_prefix(inner: str, characters: int) -> str:
    """Remove ``characters`` visible characters from the start of an HTML fragment."""
    out, remaining, i = [], characters, 0
    while i < len(inner) and remaining > 0:
        if inner[i] == "<":
            end = inner.find(">", i)
            end = len(inner) if end == -1 else end + 1
            out.append(inner[i:end])
            i = end
            continue
        if inner[i] == "&":
            end = inner.find(";", i)
            i = (end + 1) if 0 < end - i < 10 else i + 1
        else:
            i += 1
        remaining -= 1
    return "".join(out) + inner[i:].lstrip()


def pull_correction_note(body_html: str) -> tuple[str, str]:
    """Take the agency's "(Corrects paragraph 3 to ...)" note out of the first two
    paragraphs: the page shows it as the correction note, not as copy. Returns
    (body, note)."""
    for index, match in enumerate(_PARAGRAPH.finditer(body_html)):
        if index >= 2:
            break
        note = correction_text(_text(match.group(1)))
        if note:
            return (body_html[:match.start()] + body_html[match.end():]).strip(), note
    return body_html, ""


def _signal(source_signal: str, prefix_signal: str, correction_note: str) -> str:
    """The version's signal: a correction however the agency says it, else what the
    source's metadata says, else what the headline's prefix said."""
    if "correction" in (source_signal, prefix_signal) or correction_note:
        return "correction"
    return source_signal or prefix_signal


def normalize(item: WireItem, *, zone: str = "UTC", now: datetime | None = None,
              trust_guid: bool = True, trust_url: bool = True,
              agency_prefixes: bool = True) -> CleanItem:
    """Normalize one item. ``zone`` is the agency's zone for times given without one.
    ``agency_prefixes=False``: the headline is someone's own words, not an agency's
    (a news release), and "Update: ..." in it is not a status."""
    now = now or datetime.now(UTC)
    item = xml_safe(item)
    flags: list[str] = []
    # The agency's status prefixes ("UPDATE 2-CORRECTED-") are the item's status, never
    # its headline: taken off before the headline makes a slug, an identity or a teaser.
    title = plain_text(repair_text(item.title))
    prefixes = parse_prefixes(title) if agency_prefixes else Prefixes(headline=title)
    headline = prefixes.headline
    flags.extend(prefixes.flags)
    raw_body = item.body if len(item.body) >= len(item.summary) else item.summary
    body_html = sanitize_html(paragraphs_html(repair_text(raw_body)))
    body_html, body_credit, body_byline = pull_parts(body_html)
    body_html, correction_note = (pull_correction_note(body_html) if agency_prefixes
                                  else (body_html, ""))
    in_body = body_images(body_html)
    chosen = best_media([*item.media, *(found.media for found in in_body)])
    for found in in_body:
        if found.media is chosen:
            body_html = without_image(body_html, found)  # shown above the copy instead
    picture = (picture_from(chosen, headline=headline, credit=body_credit, text=_plain)
               if chosen else None)
    body_html = sanitize_html(without_web_bugs(body_html))  # the sanitizer always runs last
    body_text = html_to_text(body_html)
    if not headline:
        headline = make_teaser(body_text.split("\n", 1)[0], 90).removesuffix("...")
        if headline:
            flags.append("headline-from-body")
    first = first_paragraph_text(body_html)
    dateline = parse_dateline(first)
    lead = " ".join(dateline.rest.split()) if dateline else first
    source_dateline = plain_text(repair_text(item.dateline))
    published = to_utc(item.published or item.updated, naive=item.naive_dates, zone=zone)
    updated = to_utc(item.updated, naive=item.naive_dates, zone=zone)
    if published and published > now + FUTURE_TOLERANCE:
        published = now
        flags.append("future-date-clamped")
    if updated and updated > now + FUTURE_TOLERANCE:
        updated = now
        flags.append("future-update-clamped")
    if item.naive_dates:
        flags.append("zone-less-date-read-in-agency-zone")
    if item.item_class in PICTURE_CLASSES:
        flags.append("picture-item")
    image_url = picture.url if picture else ""
    credit = body_credit or (picture.credit if picture else "")
    byline = plain_text(repair_text(item.byline or ", ".join(item.authors))) or body_byline
    byline = _BY_PREFIX.sub("", byline)
    # Again on the way out: entities such as "&#xFFFE;" are only characters once unescaped.
    return xml_safe(CleanItem(
        headline=headline,
        body_html=body_html,
        lead=lead,
        teaser=make_teaser(first),
        identity=identity_key(item.guid, item.link, headline, body_text,
                              trust_guid=trust_guid, trust_url=trust_url),
        fingerprint=fingerprint(headline, body_html, byline, image_url),
        guid=item.guid[:500],
        canonical_url=canonical_url(item.link),
        link=item.link if canonical_url(item.link) else "",
        byline=byline,
        dateline=dateline.text if dateline else source_dateline,
        dateline_place=dateline.place if dateline else source_dateline,
        dateline_agencies=dateline.agencies if dateline else [],
        credit=credit,
        categories=[c for c in (plain_text(repair_text(c)) for c in item.categories) if c],
        published=published or now,
        updated=updated,
        image_url=image_url,
        image_caption=picture.caption if picture else "",
        image_credit=picture.credit if picture else body_credit,
        picture=picture,
        version=item.version,
        status=item.status,
        signal=_signal(item.signal, prefixes.signal, correction_note),
        correction_note=correction_note[:1000],
        urgency=(item.urgency if item.urgency is not None and 1 <= item.urgency <= 9
                 else prefixes.urgency),
        embargo_until=to_utc(item.embargo_until, naive=True, zone=zone),
        # What the text is written in, the feed's declaration trusted when the text agrees.
        language=detect_language(headline, body_text, item.language)[:20],
        flags=flags,
        source_format=item.source_format,
        item_class=item.item_class,
        picture_links=list(item.picture_links),
    ))
