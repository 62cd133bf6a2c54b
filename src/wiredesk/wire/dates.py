"""Wire date strings to datetimes, saying whether the source gave a zone.

A time without a zone is returned naive so that ``normalize`` reads it in the
agency's zone: assuming UTC would silently shift a Sydney agency's copy by ten hours.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from dateutil import parser as dateutil_parser

# "GMT+7", "UTC+05:30", "GMT-3": human offsets. dateutil reads "GMT+3" the POSIX way
# (three hours *behind*), the opposite of what every newsroom means.
_HUMAN_OFFSET = re.compile(
    r"\b(?:GMT|UTC|UT)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?\b", re.I)
_ZONE_AT_END = re.compile(
    r"(?:Z|[+-]\d{2}:?\d{2}|[+-]\d{4}|\b(?:GMT|UTC|UT|[A-Z]{2,4}T|Z)"
    r"(?:\s*[+-]\s*\d{1,2}(?::?\d{2})?)?)\s*\)?\s*$",
    re.I)
_ZONE_ANYWHERE = re.compile(
    r"(?:\d(?:Z|[+-]\d{2}:?\d{2})\b|\b(?:GMT|UTC|UT|EST|EDT|CST|CDT|MST|MDT|PST|PDT)\b)")
_TZINFOS = {
    "EST": -5 * 3600, "EDT": -4 * 3600, "CST": -6 * 3600, "CDT": -5 * 3600,
    "MST": -7 * 3600, "MDT": -6 * 3600, "PST": -8 * 3600, "PDT": -7 * 3600,
    "GMT": 0, "UTC": 0, "UT": 0, "Z": 0, "BST": 3600, "CET": 3600, "CEST": 7200,
    "IST": 19800, "AEST": 36000, "AEDT": 39600, "JST": 32400, "HKT": 28800,
}


def has_zone(text: str) -> bool:
    text = (text or "").strip()
    return bool(_ZONE_AT_END.search(text) or _ZONE_ANYWHERE.search(text))


def parse_date(text: str) -> tuple[datetime | None, bool]:
    """Parse a date string; returns (datetime, naive). Unparseable text gives (None, False)."""
    text = " ".join((text or "").split())
    if not text or len(text) > 100:
        return None, False
    offset = None
    match = _HUMAN_OFFSET.search(text)
    if match:
        sign = 1 if match.group(1) == "+" else -1
        hours, minutes = int(match.group(2)), int(match.group(3) or 0)
        if hours > 14 or minutes > 59:
            return None, False
        offset = timezone(sign * timedelta(hours=hours, minutes=minutes))
        text = (text[:match.start()] + text[match.end():]).strip()
    try:
        value = dateutil_parser.parse(text, tzinfos=_TZINFOS, fuzzy=False)
    except (ValueError, OverflowError, TypeError):
        try:
            value = dateutil_parser.isoparse(text)
        except (ValueError, OverflowError, TypeError):
            return None, False
    if offset is not None:
        return value.replace(tzinfo=offset), False
    if value.tzinfo is None:
        return value, True
    return value, False
