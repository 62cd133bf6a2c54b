"""How times look on an edition (``12 Jul 2025, 05:14 GMT+10`` in the edition's zone), and
an article body's headings fitted under the page's own."""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

# The sanitizer keeps h2-h6 without attributes (and turns h1 into h2).
_HEADING = re.compile(r"<(/?)h([2-6])>")


def gmt_offset(moment: datetime) -> str:
    offset = moment.utcoffset()
    if offset is None:
        return "GMT"
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "GMT"
    sign = "+" if minutes > 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"GMT{sign}{hours}" + (f":{mins:02d}" if mins else "")


def edition_time(moment: datetime | None, zone: str | tzinfo) -> str:
    """Format a stored (UTC) time in an edition's zone (a name or a tzinfo), daylight
    saving included."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(ZoneInfo(zone) if isinstance(zone, str) else zone)
    return f"{local:%d %b %Y, %H:%M} {gmt_offset(local)}"


def iso_local(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).isoformat(timespec="seconds")


def headings_in_order(body_html: str, *, top: int = 2) -> str:
    """The body's headings renumbered to start at ``top`` (under the page's h1) and never
    skip a level: agency copy that jumps from a title to an h4 reads as h2, h3.

    Each heading keeps its depth relative to the shallowest one, but goes at most one
    level deeper than the heading before it."""
    levels = [int(m.group(2)) for m in _HEADING.finditer(body_html) if not m.group(1)]
    if not levels:
        return body_html
    shift = min(levels) - top
    new_levels: list[int] = []
    previous = top - 1
    for level in levels:
        previous = min(level - shift, previous + 1)
        new_levels.append(previous)
    pending = iter(new_levels)
    current = top

    def renumber(match: re.Match) -> str:
        nonlocal current
        if not match.group(1):
            current = next(pending)
        return f"<{match.group(1)}h{current}>"

    return _HEADING.sub(renumber, body_html)
