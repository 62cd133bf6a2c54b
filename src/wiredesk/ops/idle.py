"""A feed's usual rate and usual gap, and whether it has gone silent (Superdesk's "idle
time"). Pure: arrival times in, figures out; ``ops.wire_health`` reads them from the
database.

A feed's *usual gap* is the 95th percentile of the gaps between its arrivals over the
look-back window, never less than three poll intervals (a feed cannot be seen more often
than it is polled) nor than ``MIN_USUAL_GAP``. It is *silent* when it has been longer
than that since its last arrival. With too little history there is no usual gap, and
nothing is judged: a new feed is never called silent.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from datetime import datetime, timedelta

WINDOW_DAYS = 14
MIN_USUAL_GAP = timedelta(minutes=30)
POLLS_PER_GAP = 3  # the usual gap is at least this many poll intervals
MIN_GAPS = 3  # fewer gaps than this: no usual gap
GAP_PERCENTILE = 95


def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct``-th percentile of ``values`` by linear interpolation (as numpy's
    default); ValueError when empty."""
    if not values:
        raise ValueError("percentile of nothing")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


def usual_daily_rate(daily_counts: Sequence[int]) -> float | None:
    """The median of the feed's items per day over the days it existed; None without a
    full day of history."""
    return median(daily_counts) if daily_counts else None


def gaps(arrivals: Sequence[datetime]) -> list[timedelta]:
    """The gaps between consecutive distinct arrivals (a poll's items arrive together)."""
    ordered = sorted(set(arrivals))
    return [later - earlier for earlier, later in itertools.pairwise(ordered)]


def usual_gap(arrivals: Sequence[datetime], poll_interval: timedelta) -> timedelta | None:
    """How long this feed usually goes without an item; None with too little history."""
    between = gaps(arrivals)
    if len(between) < MIN_GAPS:
        return None
    typical = timedelta(seconds=percentile([g.total_seconds() for g in between],
                                           GAP_PERCENTILE))
    return max(typical, POLLS_PER_GAP * poll_interval, MIN_USUAL_GAP)


def silent(last_arrival: datetime | None, gap: timedelta | None,
           now: datetime) -> bool | None:
    """True when the feed has gone longer than its usual gap without an item; None when
    that cannot be judged (no usual gap, or no arrival to count from)."""
    if gap is None or last_arrival is None:
        return None
    return now - last_arrival > gap


def shown_duration(span: timedelta) -> str:
    """A duration as an operator reads it in a log line: "5h12m", "40m", "3d4h"."""
    minutes = max(0, int(span.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}d{hours}h"
    if hours:
        return f"{hours}h{minutes:02d}m" if minutes else f"{hours}h"
    return f"{minutes}m"
