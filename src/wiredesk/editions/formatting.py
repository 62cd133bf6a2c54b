"""How times and numbers look on an edition, and an article body's headings fitted under
the page's own.

Every time a reader sees (pages, the digest, news-release mail) goes through
``local_time``: the edition's language and zone, CLDR's own patterns through Babel, one
shape in every language: the locale's date with an abbreviated month (the ``yMMMd``
skeleton), its short time and the short GMT offset, joined as the locale joins a medium
date and time: ``12 jul 2025, 05:14 GMT-4`` for Spanish in Santiago, ``12. Juli 2025,
05:14 GMT-4`` in German, ``12 يوليو 2025، 5:14 ص غرينتش-4`` in Arabic. A 24-hour clock
shows its hour in two digits, as wire copy does (CLDR's Spanish ``H:mm`` would say
``5:14``). A bare ``en`` is the house style of international English, CLDR's ``en_GB``
(``12 Jul 2025, 05:14 GMT+10``); ``en-US`` reads ``Jul 12, 2025, 5:14 AM GMT+10``. A
language Babel does not know falls back to its primary subtag, then to that English.
Machine-readable times (``<time datetime>``, JSON-LD, sitemaps, feeds) stay ISO or RFC
822 and never come here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from wiredesk.wire.language import normalize_tag, primary

# The sanitizer keeps h2-h6 without attributes (and turns h1 into h2).
_HEADING = re.compile(r"<(/?)h([2-6])>")
_LONE_H = re.compile(r"(?<!H)H(?!H)")
HOUSE_ENGLISH = "en_GB"
# The language an edition's page reads its times and counts in (``reading``, set by
# editions.pages.edition_locale): the edition's own tag, which Babel may know where the
# interface falls back to English (a Hindi edition's dates are Hindi).
_READING: ContextVar[str] = ContextVar("reading_language", default="")


@contextmanager
def reading(language: str) -> Iterator[None]:
    token = _READING.set(language)
    try:
        yield
    finally:
        _READING.reset(token)


def reading_language() -> str:
    """The page's reading language; empty outside an edition's page."""
    return _READING.get()


@lru_cache(maxsize=64)
def babel_locale(language: str | None) -> Locale:
    """The CLDR locale of a BCP 47 tag (``pt-BR``), its primary language's when Babel
    does not know the whole tag, else the house English."""
    tag = normalize_tag(language)
    if not tag or tag == "en":
        return Locale.parse(HOUSE_ENGLISH)
    for candidate in (tag, primary(tag)):
        try:
            return Locale.parse(candidate, sep="-")
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse(HOUSE_ENGLISH)


@lru_cache(maxsize=64)
def _time_pattern(locale: Locale) -> str:
    day = locale.datetime_skeletons.get("yMMMd") or locale.date_formats["medium"]
    clock = _LONE_H.sub("HH", locale.time_formats["short"].pattern)
    return str(locale.datetime_formats["medium"]).replace("{1}", day.pattern) \
        .replace("{0}", clock)


def short_gmt(local: datetime, locale: Locale) -> str:
    """CLDR's short localized GMT format (``GMT-4``, ``GMT+5:30``, ``UTC+2`` in French,
    ``GMT`` at zero), which Babel does not offer (its ``O`` is the long one only)."""
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    pattern = locale.zone_formats["gmt"]
    if minutes == 0:
        return (pattern % "").strip()
    hours, mins = divmod(abs(minutes), 60)
    return pattern % (("+" if minutes > 0 else "-") + str(hours)
                      + (f":{mins:02d}" if mins else ""))


def _local(moment: datetime, zone: str | tzinfo) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(zone) if isinstance(zone, str) else zone)


def local_time(moment: datetime | None, zone: str | tzinfo, language: str | None = "en") -> str:
    """A stored (UTC) time as a reader of ``language`` in ``zone`` (a name or a tzinfo)
    reads it, daylight saving included; empty for no time."""
    if moment is None:
        return ""
    locale = babel_locale(language)
    local = _local(moment, zone)
    return f"{format_datetime(local, _time_pattern(locale), locale=locale)} " \
           f"{short_gmt(local, locale)}"


# The name the templates and earlier callers know it by.
edition_time = local_time


def local_day(day: date, language: str | None = "en") -> str:
    """A calendar day in full, CLDR's full date (``Saturday 12 July 2025``,
    ``sábado, 12 de julio de 2025``)."""
    return format_date(day, "full", locale=babel_locale(language))


def local_number(number: int | float, language: str | None = "en") -> str:
    """A count shown to readers, grouped as the language groups it (``12,345``,
    ``12.345``, ``12 345``)."""
    return format_decimal(number, locale=babel_locale(language))


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
