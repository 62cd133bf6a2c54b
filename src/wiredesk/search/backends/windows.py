"""Exact top results ranked newest-first, window by window, stopped as early as is safe.

A search's score is ``relevance / (1 + age_days / RECENCY_DAYS)``. Each backend knows an
upper bound on the relevance of any match of a query (its relevance is built to have one),
and the newest publication time of the articles below an id answers how young anything
older than a window can be. So matches are ranked in windows of article ids, newest first
(ids grow with time), and the walk stops as soon as the last result the page needs scores
above what any match below the window could reach: the results are exactly those of
ranking every match, whatever the order of ids and publication times (an embargoed or
backdated article only makes the walk go further).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from wiredesk.newsroom.models import Article
from wiredesk.search.backends import RECENCY_DAYS

# The first window holds the newest FIRST_WINDOW article ids; each next one is GROWTH
# times wider, so a walk to the oldest article takes a handful of windows at any size.
FIRST_WINDOW = 512
GROWTH = 8
# Floats are rounded in the last place: a bound is widened by this much so that rounding
# can never make it smaller than a score it bounds.
BOUND_SLACK = 1e-9
CUTOFF_MARGIN_DAYS = 1e-3
# Older ids published after the cut-off (late or re-dated items) are ranked one by one up
# to this many; with more, the walk goes on.
MAX_LATE = 64


@dataclass(frozen=True)
class Candidate:
    article_id: int
    relevance: float
    published_at: datetime


@dataclass(frozen=True)
class Scored:
    article_id: int
    score: float
    published_at: datetime


def age_days(now: datetime, published_at: datetime) -> float:
    return max(0.0, (now - published_at).total_seconds() / 86400.0)


def recency_weighted(relevance: float, now: datetime, published_at: datetime) -> float:
    return relevance / (1.0 + age_days(now, published_at) / RECENCY_DAYS)


def rank_key(hit: Scored):
    # Best first; ties go to the most recently published, then the highest id, so the
    # order is the same however the matches were gathered.
    return (-hit.score, -hit.published_at.timestamp(), -hit.article_id)


def scored(candidates: Sequence[Candidate], now: datetime) -> list[Scored]:
    return [Scored(c.article_id, recency_weighted(c.relevance, now, c.published_at),
                   c.published_at) for c in candidates]


def rank_all(candidates: Sequence[Candidate], now: datetime, need: int) -> list[Scored]:
    return sorted(scored(candidates, now), key=rank_key)[:need]


def rank_in_windows(*, now: datetime, need: int, newest_id: int, oldest_id: int,
                    relevance_bound: float,
                    matches_between: Callable[[int, int], list[Candidate]],
                    matches_among: Callable[[list[int]], list[Candidate]],
                    published_after: Callable[[int, datetime, int], list[int]],
                    first_published_after: Callable[[datetime], int | None],
                    ) -> list[Scored]:
    """The ``need`` best matches, walking ids from ``newest_id`` down to ``oldest_id``.

    ``matches_between(low, high)``: the matches in scope with ``low <= id < high`` and
    their relevance; ``matches_among(ids)``: the same for these ids;
    ``published_after(below, time, limit)``: up to ``limit`` ids of articles with an id
    under ``below`` published after ``time``; ``first_published_after(time)``: the id of
    the first article published after ``time``."""
    best: list[Scored] = []
    high, width = newest_id + 1, FIRST_WINDOW
    low = max(oldest_id, high - width)
    reached = False  # the walk has read down to where a cut-off is in time
    while True:
        best = sorted(best + scored(matches_between(low, high), now), key=rank_key)[:need]
        high, width = low, width * GROWTH
        if high <= oldest_id:
            return best
        low = max(oldest_id, high - width)
        if len(best) < need:
            continue
        # Anything published at or before `cutoff` scores below the page's last result;
        # the few older ids published after it (late or re-dated items) are ranked now.
        cutoff = cutoff_below(best[-1].score, relevance_bound, now)
        if cutoff is None:
            continue
        # Where the cut-off is in time (ids grow with time). Many ids from there up: the
        # next window reaches down to it, rather than guessing its width, with no need to
        # ask first how many of them there are. Once there, the page's last score only
        # grows, and the cut-off with it: where it is in time is no longer below the walk
        # (ids growing with time), and the late ones are asked for at once.
        boundary = None if reached else first_published_after(cutoff)
        if boundary is not None and oldest_id <= boundary and high - boundary > MAX_LATE:
            low, reached = boundary, True
            continue
        late = published_after(high, cutoff, MAX_LATE + 1)
        if len(late) <= MAX_LATE:
            if late:
                best = sorted(best + scored(matches_among(late), now), key=rank_key)[:need]
            return best
        if boundary is not None and oldest_id <= boundary < high:
            low = boundary


def rank_page(cursor, *, many: bool, now: datetime, offset: int, limit: int, newest_id: int,
              oldest_id: int, relevance_bound: float,
              matches_between: Callable[[int, int], list[Candidate]],
              matches_among: Callable[[list[int]], list[Candidate]]) -> list[Scored]:
    """One page of the best matches, ``offset`` on: every match ranked at once when there
    are few (``many`` false), else newest first in windows (``rank_in_windows``)."""
    need = offset + limit
    if many:
        ranked = rank_in_windows(
            now=now, need=need, newest_id=newest_id, oldest_id=oldest_id,
            relevance_bound=relevance_bound, matches_between=matches_between,
            matches_among=matches_among,
            published_after=lambda *args: published_after(cursor, *args),
            first_published_after=lambda time: first_published_after(cursor, time))
    else:
        ranked = rank_all(matches_between(oldest_id, newest_id + 1), now, need)
    return ranked[offset:need]


def cutoff_below(score: float, relevance_bound: float, now: datetime) -> datetime | None:
    """A time such that any match published at or before it scores below ``score``."""
    if score <= 0:
        return None
    age = RECENCY_DAYS * (relevance_bound * (1 + BOUND_SLACK) / score - 1)
    cutoff = now - timedelta(days=max(0.0, age) + CUTOFF_MARGIN_DAYS)
    if recency_weighted(relevance_bound, now, cutoff) * (1 + BOUND_SLACK) >= score:
        return None  # rounding: no safe time (a score near the bound itself)
    return cutoff


def as_utc(value) -> datetime:
    """A publication time as either engine's cursor gives it (SQLite: text), aware."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def published_after(cursor, below: int, time: datetime, limit: int) -> list[int]:
    """Up to ``limit`` ids under ``below`` of articles published after ``time`` (all of
    them when there are no more; which ones otherwise does not matter): read from the index
    of (status, publication time, id) alone, each status's part after ``time``, the ids
    tested in the index, not in each of the window's own rows (killed, held and other
    editions' articles included: it is only a bound)."""
    statuses = list(Article.Status.values)
    cursor.execute("SELECT id FROM newsroom_article"
                   f" WHERE status IN ({', '.join(['%s'] * len(statuses))})"
                   " AND published_at > %s AND id < %s LIMIT %s",
                   (*statuses, cursor.db.ops.adapt_datetimefield_value(time), below, limit))
    return [row[0] for row in cursor.fetchall()]


def first_published_after(cursor, time: datetime) -> int | None:
    cursor.execute("SELECT id FROM newsroom_article WHERE published_at > %s"
                   " ORDER BY published_at LIMIT 1",
                   (cursor.db.ops.adapt_datetimefield_value(time),))
    row = cursor.fetchone()
    return row[0] if row else None
