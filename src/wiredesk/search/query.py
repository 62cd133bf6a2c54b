"""Turn what a reader typed into a safe query: words and quoted phrases, nothing else.

Search boxes get pasted text, operators of every engine, stray quotes and very long
strings. Only letters and digits survive; engine syntax is written by the backends, so
no input can reach an engine's query parser as syntax.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.utils.translation import gettext

from wiredesk.errors import WiredeskError
from wiredesk.wire.searchterms import words as text_words

MAX_QUERY_CHARS = 200
MAX_TERMS = 12
MAX_TERM_CHARS = 60

# Days a reader may filter on. Python dates run from year 1 to 9999, but the start of a
# day in the edition's zone, the day after "to" and their UTC values step past those ends.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2200, 12, 31)


class DateOutOfRange(WiredeskError):
    """A from/to day outside EARLIEST_DAY..LATEST_DAY."""


def check_day(day: date, name: str) -> date:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise DateOutOfRange(gettext(
            "%(field)s: %(day)s is out of range; use a day from %(earliest)s to %(latest)s")
            % {"field": name, "day": day.isoformat(), "earliest": EARLIEST_DAY.isoformat(),
               "latest": LATEST_DAY.isoformat()})
    return day


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        return not self.terms and not self.phrases

    def words(self) -> list[str]:
        out = list(self.terms)
        for phrase in self.phrases:
            out.extend(phrase)
        return out


def clean_text(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw or "")[: MAX_QUERY_CHARS * 2]
    # Control, format, surrogate and private-use characters carry no words.
    text = "".join(ch if unicodedata.category(ch)[0] not in "CZ" else " " for ch in text)
    return text[:MAX_QUERY_CHARS].strip()


def _words(text: str) -> list[str]:
    # The index's own idea of a word (combining marks kept inside it), so a query word
    # is never cut where the indexed text was not.
    return [m.group()[:MAX_TERM_CHARS].lower() for m in text_words(text)]


def parse_query(raw: str) -> ParsedQuery:
    text = clean_text(raw)
    parts = text.split('"')
    terms: list[str] = []
    phrases: list[tuple[str, ...]] = []
    budget = MAX_TERMS
    for index, part in enumerate(parts):
        quoted = index % 2 == 1 and index < len(parts) - 1  # an unclosed quote is plain text
        words = _words(part)[:budget]
        budget -= len(words)
        if quoted and len(words) > 1:
            if tuple(words) not in phrases:
                phrases.append(tuple(words))
        else:
            terms.extend(w for w in words if w not in terms)
        if budget <= 0:
            break
    return ParsedQuery(terms=tuple(terms), phrases=tuple(phrases))


def parse_day(text: str) -> date | None:
    """A ``YYYY-MM-DD`` day from a form or query string; anything else is no day."""
    try:
        return date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None


def local_day_start(day: date, zone: str) -> datetime:
    """Midnight of ``day`` in ``zone``: search dates are the reader's days in the edition."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(zone))
