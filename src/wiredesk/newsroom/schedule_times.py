"""An editor's local time in an edition's zone, made into one UTC instant, or refused.

Pure (standard library only): the desk's form, the CLI and the moderation form all read
times through ``local_to_utc``. A wall-clock time is refused when it names no instant
(clocks jump forward over it: a DST gap), when it names two (clocks go back over it: the
editor says which, with its offset), and when it is already past; each message names the
zone, since the same words mean another instant in another edition.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from wiredesk.newsroom.errors import ServiceError

__all__ = ["ScheduleTimeError", "local_to_utc", "offset_text", "parse_local", "zone_named"]


class ScheduleTimeError(ServiceError):
    """A time the desk cannot schedule at; the message says why and what to do."""


# "2026-12-24 08:00", "2026-12-24T08:00" (an HTML datetime-local field), seconds
# optional, then optionally an offset: "Z", "+02:00", "-0300", "UTC-03:00".
_LOCAL = re.compile(
    r"\s*(\d{4})-(\d{1,2})-(\d{1,2})[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"\s*(?:(Z|UTC|GMT)|(?:UTC|GMT)?\s*([+-])(\d{1,2}):?(\d{2})?)?\s*", re.IGNORECASE)


def zone_named(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ScheduleTimeError(f"unknown time zone {name!r}") from exc


def offset_text(offset: timedelta | None) -> str:
    """``-03:00``, ``+05:30``, ``+00:00``."""
    minutes = int((offset or timedelta()).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"


def parse_local(text: str) -> tuple[datetime, timedelta | None]:
    """The wall-clock time written (naive) and the offset written with it, if any."""
    match = _LOCAL.fullmatch(text or "")
    if not match:
        raise ScheduleTimeError(f"not a date and time: {text!r} (write e.g. 2026-12-24 08:00)")
    year, month, day, hour, minute, second = (int(g or 0) for g in match.groups()[:6])
    try:
        wall = datetime(year, month, day, hour, minute, second)
    except ValueError as exc:
        raise ScheduleTimeError(f"not a date and time: {text!r} ({exc})") from exc
    utc_word, sign, off_hours, off_minutes = match.groups()[6:]
    if utc_word:
        return wall, timedelta()
    if sign:
        offset = timedelta(hours=int(off_hours), minutes=int(off_minutes or 0))
        if offset >= timedelta(hours=24):
            raise ScheduleTimeError(f"not an offset from UTC in {text!r}")
        return wall, -offset if sign == "-" else offset
    return wall, None


def _shown(wall: datetime) -> str:
    return f"{wall:%Y-%m-%d %H:%M}" + (f":{wall:%S}" if wall.second else "")


def _gap_bounds(wall: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The local times the clocks jump from and to around a wall time that never happens."""
    before = wall.replace(tzinfo=zone, fold=0).utcoffset()
    after = wall.replace(tzinfo=zone, fold=1).utcoffset()
    # The jump is one UTC instant between these two readings of the wall time; find its
    # minute (a gap is at most a few hours long).
    low = (wall - after).replace(tzinfo=UTC)
    high = (wall - before).replace(tzinfo=UTC)
    if high < low:
        low, high = high, low
    moment = low
    while moment < high and moment.astimezone(zone).utcoffset() != max(before, after):
        moment += timedelta(minutes=1)
    jump_from = (moment + min(before, after)).replace(tzinfo=None)
    jump_to = (moment + max(before, after)).replace(tzinfo=None)
    return jump_from, jump_to


def local_to_utc(text: str, zone_name: str, *, now: datetime) -> datetime:
    """The UTC instant of ``text``, a local date and time in ``zone_name``.

    Refused: a time that does not exist there (the clocks jump over it), one that happens
    twice (unless written with the offset that says which), one written with an offset the
    zone never has at that time, and one not after ``now``.
    """
    zone = zone_named(zone_name)
    wall, written_offset = parse_local(text)
    first = wall.replace(tzinfo=zone, fold=0)
    second = wall.replace(tzinfo=zone, fold=1)
    offsets = {first.utcoffset(), second.utcoffset()}
    exists = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall
    if not exists:
        jump_from, jump_to = _gap_bounds(wall, zone)
        raise ScheduleTimeError(
            f"{_shown(wall)} does not exist in {zone_name}: that night the clocks go "
            f"forward from {jump_from:%H:%M} to {jump_to:%H:%M} "
            f"(UTC{offset_text(first.utcoffset())} to UTC{offset_text(second.utcoffset())}); "
            f"choose a time before {jump_from:%H:%M} or from {jump_to:%H:%M}")
    if written_offset is not None:
        # UTC itself ("Z", "+00:00") names one instant anywhere; another offset must be
        # one the zone has at that time.
        if written_offset not in offsets and written_offset != timedelta():
            known = " or ".join(sorted(f"UTC{offset_text(o)}" for o in offsets))
            raise ScheduleTimeError(
                f"{_shown(wall)} in {zone_name} is {known}, not "
                f"UTC{offset_text(written_offset)}")
        moment = wall.replace(tzinfo=timezone(written_offset)).astimezone(UTC)
    elif len(offsets) > 1:
        early, late = sorted((first.astimezone(UTC), second.astimezone(UTC)))
        early_off = offset_text(early.astimezone(zone).utcoffset())
        late_off = offset_text(late.astimezone(zone).utcoffset())
        raise ScheduleTimeError(
            f"{_shown(wall)} happens twice in {zone_name}: the clocks go back that night. "
            f"It is either {early:%H:%M} UTC (UTC{early_off}) or {late:%H:%M} UTC "
            f"(UTC{late_off}); say which with its offset, e.g. "
            f'"{_shown(wall)} {early_off}" for the first')
    else:
        moment = first.astimezone(UTC)
    if moment <= now:
        here = now.astimezone(zone)
        raise ScheduleTimeError(
            f"{_shown(wall)} in {zone_name} ({moment:%Y-%m-%d %H:%M} UTC) is in the past: "
            f"it is {here:%Y-%m-%d %H:%M} there now")
    return moment
