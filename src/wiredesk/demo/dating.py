"""Sample copy dated relative to now.

The sample feeds are written once, with July 2025 dates; shown as they are, the demo's
home page looks stale and its daily digest has nothing new. So ``wiredesk demo`` reads
them through ``redate_feeds``: every feed and item date (RSS ``pubDate`` and
``lastBuildDate``, Atom ``published`` and ``updated``) is moved so that the newest falls
``NEWEST_AGO`` before now and the oldest at most ``WINDOW`` before that: inside the last
two days wherever a reader's clock is. Order and spacing are kept (one linear map for
every feed, so a story sent by two agencies keeps its first sender); spacing is
compressed only when the sample spans more than the window. Each date keeps its own
written form and UTC offset. The result depends on ``now`` alone, to the minute.

Pure Python (no Django); the text of the copy is left as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

WINDOW = timedelta(hours=46)
NEWEST_AGO = timedelta(minutes=20)
DATE_ELEMENT = re.compile(r"<(pubDate|lastBuildDate|published|updated)>([^<]+)</\1>")
ISO_DATE = re.compile(r"\s*\d{4}-\d{2}-\d{2}T")


def parse_date(text: str) -> datetime | None:
    """An RFC 3339 (Atom) or RFC 822 (RSS) date with its offset, or None."""
    text = text.strip()
    try:
        if ISO_DATE.match(text):
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        else:
            moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def format_like(original: str, moment: datetime) -> str:
    """``moment`` written as ``original`` was: the same form and the same UTC offset."""
    original = original.strip()
    written = parse_date(original)
    assert written is not None
    local = moment.astimezone(written.tzinfo)
    if ISO_DATE.match(original):
        if original.endswith("Z"):
            return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        return local.isoformat(timespec="seconds")
    if original.endswith(("GMT", "UT", "UTC")):
        return format_datetime(moment.astimezone(UTC), usegmt=True)
    return format_datetime(local)


def dates_in(text: str) -> list[datetime]:
    return [moment for _tag, value in DATE_ELEMENT.findall(text)
            if (moment := parse_date(value)) is not None]


def time_map(moments: list[datetime], *, now: datetime) -> Callable[[datetime], datetime]:
    """The move from the sample's dates to dates just before ``now`` (see the module)."""
    newest, oldest = max(moments), min(moments)
    span = newest - oldest
    scale = min(1.0, WINDOW / span) if span else 1.0
    end = now.astimezone(UTC).replace(second=0, microsecond=0) - NEWEST_AGO

    def moved(moment: datetime) -> datetime:
        return (end - (newest - moment) * scale).replace(second=0, microsecond=0)

    return moved


def redate_feeds(texts: Mapping[str, str], *, now: datetime) -> dict[str, str]:
    """Each feed's text with its dates moved (one map for all of them)."""
    moments = [moment for text in texts.values() for moment in dates_in(text)]
    if not moments:
        return dict(texts)
    moved = time_map(moments, now=now)

    def rewrite(match: re.Match) -> str:
        tag, value = match.group(1), match.group(2)
        moment = parse_date(value)
        if moment is None:
            return match.group(0)
        return f"<{tag}>{format_like(value, moved(moment))}</{tag}>"

    return {name: DATE_ELEMENT.sub(rewrite, text) for name, text in texts.items()}
