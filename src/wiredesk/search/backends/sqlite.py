"""SQLite FTS5: a table keyed by article id, porter stemming, bm25 with a headline weight.

The body is held in two columns, ``body`` (the head that highlights are made from) and
``tail`` (the rest, only searched): each word is indexed once, and bm25 counts a document's
length over all its columns, so the split leaves ranking as it was.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import OperationalError

from wiredesk.search.backends import RANK_WINDOW, RECENCY_DAYS, RawHit, SearchTooSlow
from wiredesk.search.query import ParsedQuery
from wiredesk.search.text import MARK_END, MARK_START, split_body

TABLE = "search_fts"
HEADLINE_WEIGHT = 10.0
BODY_WEIGHT = 1.0
# SQLite calls the progress handler every this many virtual machine steps (well under a
# millisecond of work), so a search stops close to its deadline.
PROGRESS_STEPS = 10_000


def match_expression(query: ParsedQuery) -> str:
    # Every token and phrase becomes an FTS5 string: operators (AND, OR, NOT, NEAR, *, ^,
    # column filters) are inert inside quotes, and the words hold only letters and digits.
    parts = [f'"{term}"' for term in query.terms]
    parts += ['"' + " ".join(phrase) + '"' for phrase in query.phrases]
    return " ".join(parts)


class SqliteFts5Backend:
    def create_schema(self, cursor) -> None:
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
            "headline, body, tail, tokenize = 'porter unicode61 remove_diacritics 2')")

    def drop_schema(self, cursor) -> None:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")

    def index(self, cursor, rows: list[tuple[int, str, str]]) -> None:
        self.remove(cursor, [row[0] for row in rows])
        cursor.executemany(
            f"INSERT INTO {TABLE} (rowid, headline, body, tail) VALUES (%s, %s, %s, %s)",
            [(i, headline, *split_body(body)) for i, headline, body in rows])

    def remove(self, cursor, article_ids: list[int]) -> None:
        cursor.executemany(f"DELETE FROM {TABLE} WHERE rowid = %s", [(i,) for i in article_ids])

    def clear(self, cursor) -> None:
        cursor.execute(f"DELETE FROM {TABLE}")

    def indexed_count(self, cursor) -> int:
        cursor.execute(f"SELECT count(*) FROM {TABLE}")
        return int(cursor.fetchone()[0])

    def matching_ids_sql(self, query: ParsedQuery, newest: int) -> tuple[str, list]:
        """A subquery of the ids of the ``newest`` articles matching ``query`` (ids grow
        with time); FTS5 walks its matches in rowid order and stops there."""
        return (f"SELECT id FROM (SELECT rowid AS id FROM {TABLE} WHERE {TABLE} MATCH %s"
                " ORDER BY rowid DESC LIMIT %s)", [match_expression(query), newest])

    def _window_floor(self, cursor, match: str) -> int | None:
        """The article id where the most recent RANK_WINDOW matches begin (ids grow with
        time); FTS5 walks its matches in rowid order, so this reads only the window."""
        cursor.execute(f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s"
                       " ORDER BY rowid DESC LIMIT 1 OFFSET %s", (match, RANK_WINDOW - 1))
        row = cursor.fetchone()
        return int(row[0]) if row else None

    def search(self, cursor, *, scope_sql: str, scope_params: tuple, query: ParsedQuery,
               limit: int, offset: int, many: bool = False) -> list[RawHit]:
        match = match_expression(query)
        floor = self._window_floor(cursor, match) if many else None
        window = f" AND {TABLE}.rowid >= %s" if floor is not None else ""
        # Rank first, highlight after: SQLite computes every output column of every row it
        # sorts, so highlighting here would cost as much for row 5,000 as for row 1.
        cursor.execute(
            f"SELECT {TABLE}.rowid,"
            f" bm25({TABLE}, %s, %s, %s) / (1.0 + max(0.0, julianday('now')"
            f"   - julianday(scope.published_at)) / %s) AS score"
            f" FROM {TABLE} JOIN ({scope_sql}) AS scope ON scope.id = {TABLE}.rowid"
            f" WHERE {TABLE} MATCH %s{window}"
            " ORDER BY score, scope.published_at DESC LIMIT %s OFFSET %s",
            (HEADLINE_WEIGHT, BODY_WEIGHT, BODY_WEIGHT, RECENCY_DAYS, *scope_params, match,
             *([floor] if floor is not None else []), limit, offset))
        ranked = cursor.fetchall()
        marked = self._highlight(cursor, match, [row[0] for row in ranked])
        return [RawHit(article_id=rowid, headline=marked[rowid][0], body=marked[rowid][1],
                       score=-score) for rowid, score in ranked if rowid in marked]

    def _highlight(self, cursor, match: str, ids: list[int]) -> dict[int, tuple[str, str]]:
        """Headline and body head of these rows with the matches marked. snippet() would
        score every match against every other one; highlight() on the bounded head only
        copies its output once per match."""
        if not ids:
            return {}
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(
            f"SELECT rowid, highlight({TABLE}, 0, %s, %s), highlight({TABLE}, 1, %s, %s)"
            f" FROM {TABLE} WHERE {TABLE} MATCH %s AND rowid IN ({marks})",
            (MARK_START, MARK_END, MARK_START, MARK_END, match, *ids))
        return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}

    def count(self, cursor, *, scope_sql: str, scope_params: tuple, query: ParsedQuery,
              cap: int) -> int:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} JOIN ({scope_sql}) AS scope"
            f" ON scope.id = {TABLE}.rowid WHERE {TABLE} MATCH %s LIMIT %s)",
            (*scope_params, match_expression(query), cap))
        return int(cursor.fetchone()[0])

    @contextmanager
    def time_budget(self, connection, seconds: float) -> Iterator[None]:
        # A progress handler that answers true makes SQLite abort the running statement
        # with "interrupted"; it is only consulted between steps, which is why the costly
        # per-row functions are kept linear and on one page of rows.
        connection.ensure_connection()
        raw = connection.connection
        deadline = time.monotonic() + seconds
        raw.set_progress_handler(lambda: time.monotonic() > deadline, PROGRESS_STEPS)
        try:
            yield
        except OperationalError as exc:
            if "interrupted" in str(exc):
                raise SearchTooSlow() from exc
            raise
        finally:
            raw.set_progress_handler(None, PROGRESS_STEPS)
