"""When a subscriber's digest is due: a wall-clock time in their zone, DST included.

Pure functions on datetimes (no database), so the calendar arithmetic is tested alone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def slot_on(day: date, at: time, zone: str) -> datetime:
    """The UTC instant ``day`` shows ``at`` on clocks in ``zone``.

    A time that does not exist that day (the spring-forward gap) is the instant the
    clocks jump over it; a time that happens twice (fall back) is its first occurrence.
    """
    tz = ZoneInfo(zone)
    local = datetime.combine(day, at).replace(tzinfo=tz, fold=0)
    instant = local.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        # In the gap: zoneinfo read it with the old offset, which lands after the jump;
        # the earliest real instant with that date is the jump itself.
        instant = _gap_end(local, tz)
    return instant


def _gap_end(local: datetime, tz: ZoneInfo) -> datetime:
    before = local.replace(fold=1).astimezone(UTC)  # read with the new offset: before the jump
    after = local.replace(fold=0).astimezone(UTC)
    low, high = min(before, after), max(before, after)
    # The jump lies between the two readings; find it to the minute.
    while high - low > timedelta(minutes=1):
        mid = low + (high - low) / 2
        if mid.astimezone(tz).utcoffset() == low.astimezone(tz).utcoffset():
            low = mid
        else:
            high = mid
    return high.replace(second=0, microsecond=0)


def next_slot(after: datetime, at: time, zone: str) -> datetime:
    """The first slot strictly after ``after`` (an aware datetime), in UTC."""
    tz = ZoneInfo(zone)
    local_day = after.astimezone(tz).date()
    for offset in range(0, 3):
        candidate = slot_on(local_day + timedelta(days=offset), at, zone)
        if candidate > after:
            return candidate
    raise AssertionError("no slot within three days")  # unreachable for real zones


def local_date(instant: datetime, zone: str) -> date:
    return instant.astimezone(ZoneInfo(zone)).date()


def last_closed_issue(now: datetime, at: time, zone: str) -> tuple[date, datetime, datetime]:
    """The latest day whose slot ``at`` in ``zone`` has come by ``now``, with its window:
    ``(day, previous day's slot, the day's slot)`` (UTC), as a daily reader gets it."""
    day = local_date(now, zone)
    end = slot_on(day, at, zone)
    if end > now:
        day -= timedelta(days=1)
        end = slot_on(day, at, zone)
    return day, slot_on(day - timedelta(days=1), at, zone), end
