"""The reader's clock: every time in a digest in the reader's zone, in the edition's
language.

Story times and the issue's day are the site's own (``editions.formatting``: CLDR's
patterns through Babel), so a Spanish edition's reader in Santiago reads
``sábado, 12 de julio de 2025`` and ``12 jul 2025, 01:14 GMT-4``, an English one
``Saturday, 12 July 2025`` and ``12 Jul 2025, 01:14 GMT-4``. Translating the mail's own
words is another matter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from wiredesk.editions.formatting import local_day, local_time


@dataclass(frozen=True)
class Clock:
    """A zone name (``America/Santiago``) and a language code (``es``)."""

    zone: str
    language: str = "en"

    def time(self, moment: datetime | None) -> str:
        return local_time(moment, self.zone, self.language)

    def day(self, day: date) -> str:
        return local_day(day, self.language)


def reader_clock(*, zone: str, edition) -> Clock:
    """The clock of a reader who chose ``zone`` (empty: the edition's)."""
    return Clock(zone=zone or edition.time_zone, language=edition.language)
