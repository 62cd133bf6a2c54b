"""How times look on an edition: ``12 Jul 2025, 05:14 GMT+10`` in the edition's zone."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo


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
