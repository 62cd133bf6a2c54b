"""The reader's clock: every time in a digest in the reader's zone, named in the edition's
language.

Story times keep the site's shape (``12 Jul 2025, 05:14 GMT+10``, editions.formatting);
the issue's day reads ``Saturday 12 July 2025``. The patterns are fixed here; only the
names of months and days come from Django's translations of the edition's language
(``translation.override``), so a Spanish edition's reader in Santiago reads
``sábado 12 julio 2025`` and ``12 Jul 2025, 01:14 GMT-4``. Translating the mail's own
words is another matter. A language Django does not know falls back to English.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from django.utils import dateformat, translation

from wiredesk.editions.formatting import gmt_offset

STORY_TIME = "d M Y, H:i"
ISSUE_DAY = "l j F Y"


@dataclass(frozen=True)
class Clock:
    """A zone name (``America/Santiago``) and a language code (``es``)."""

    zone: str
    language: str = "en"

    def time(self, moment: datetime | None) -> str:
        if moment is None:
            return ""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        local = moment.astimezone(ZoneInfo(self.zone))
        with translation.override(self.language or None):
            return f"{dateformat.format(local, STORY_TIME)} {gmt_offset(local)}"

    def day(self, day: date) -> str:
        with translation.override(self.language or None):
            return dateformat.format(day, ISSUE_DAY)


def reader_clock(*, zone: str, edition) -> Clock:
    """The clock of a reader who chose ``zone`` (empty: the edition's)."""
    return Clock(zone=zone or edition.time_zone, language=edition.language)
