"""PostgreSQL's capped count of a search's matches, from the newest articles when that is
cheaper.

A count capped at ``cap`` stops reading rows at the cap, but the GIN bitmap it reads them
from holds every match in the archive first, sorted by page: at a million articles a word in
one article in a hundred makes a bitmap of about 10,000 matches (3 ms) for the 501 rows
counted, and two such words 12 ms, their lists intersected whole. A match among the newest
articles counts as well as any other, so the count first asks how dense the query's matches
are among the newest ``PROBE`` ids, and then counts only among the newest ids that should
hold the cap (their id blocks, as a window of the ranking reads them: the GIN scan skips
through the query's lists to those blocks). Fewer than the cap there means nothing: the
whole archive is counted then, as it is when the probe finds no match or so few that the
whole archive's bitmap should stay small (a rare word), or a dense query (the planner reads
rows in order and stops at the cap). Either way the number is exact up to the cap: the
newest span's matches are some of the archive's.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from wiredesk.search.backends.pg_scope import TABLE

PROBE = 512  # the newest ids whose matches tell how dense a query's matches are
# Below this span of ids the probe cannot pay for itself: a query whose matches are too
# sparse for the planner to read rows in order (under DENSE) makes a bitmap of fewer than
# DENSE x FROM_SPAN matches, under the 2 ms a probe and a count of the newest cost.
FROM_SPAN = 1 << 15
DENSE = 0.2
MARGIN = 1.5  # the newest span counted is expected to hold this many times the cap
# The whole archive's bitmap is expected to hold at least this many times the cap, or it is
# cheap enough: a word in one article of the probe's 512 makes 2,000 matches at a million
# articles, as cheap to count whole as a count among the newest (and its one match says
# little of its density).
WHOLE_OVER_CAP = 4


def capped_count(cursor, *, match_sql: str, match_params: list, cap: int,
                 covering: Callable[[int, int], str]) -> int:
    """How many rows match (``match_sql``: conditions on the search row ``d``), counted up
    to ``cap``. ``covering(low, high)`` is the tsquery text of the id blocks holding every
    id ``low <= id < high``."""
    whole = f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} d WHERE {match_sql} LIMIT %s) AS capped"
    # A small archive is counted whole in the statement that reads its span of ids: the
    # count is a subquery PostgreSQL runs only when the CASE needs it, so a large one is
    # not counted whole here.
    cursor.execute(
        f"SELECT span.newest, span.oldest, CASE WHEN span.newest - span.oldest + 1 < %s"
        f" THEN ({whole}) END FROM (SELECT max(article_id) AS newest,"
        f" min(article_id) AS oldest FROM {TABLE}) AS span",
        (FROM_SPAN, *match_params, cap))
    newest, oldest, counted = cursor.fetchone()
    if newest is None:
        return 0
    if counted is not None:
        return int(counted)
    span = newest_span(cursor, match_sql=match_sql, match_params=match_params, cap=cap,
                       covering=covering, newest=newest, oldest=oldest)
    if span is not None:
        counted = count_among(cursor, match_sql, match_params, cap, covering, *span)
        if counted >= cap:
            return counted
    cursor.execute(whole, (*match_params, cap))
    return int(cursor.fetchone()[0])


def newest_span(cursor, *, match_sql: str, match_params: list, cap: int,
                covering: Callable[[int, int], str], newest: int,
                oldest: int) -> tuple[int, int] | None:
    """The newest ids (``low``, ``high``) expected to hold ``cap`` matches, when counting
    among them should be cheaper than counting in the whole archive; else None."""
    high = newest + 1
    # Counted only up to what makes the query dense: a dense one's rows are not needed.
    dense = math.ceil(DENSE * PROBE)
    found = count_among(cursor, match_sql, match_params, dense, covering,
                        max(oldest, high - PROBE), high)
    if found == 0 or found >= dense:
        return None
    share = found / PROBE
    if share * (newest - oldest + 1) < WHOLE_OVER_CAP * cap:
        return None
    low = high - math.ceil(MARGIN * cap / share)
    return (low, high) if low > oldest else None


def count_among(cursor, match_sql: str, match_params: list, cap: int,
                covering: Callable[[int, int], str], low: int, high: int) -> int:
    # ``+ 0``: the range is only checked on the blocks' matches; the planner would
    # otherwise read every row in it through the primary key and test the query on each.
    cursor.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} d WHERE {match_sql}"
        " AND d.document @@ %s::tsquery AND d.article_id + 0 >= %s AND d.article_id + 0 < %s"
        " LIMIT %s) AS capped", (*match_params, covering(low, high), low, high, cap))
    return int(cursor.fetchone()[0])
