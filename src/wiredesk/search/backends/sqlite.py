"""SQLite FTS5: a table keyed by article id, porter stemming, bm25 with a headline weight."""

from __future__ import annotations

from wiredesk.search.backends import RANK_WINDOW, RECENCY_DAYS, RawHit
from wiredesk.search.query import ParsedQuery
from wiredesk.search.text import MARK_END, MARK_START

TABLE = "search_fts"
HEADLINE_WEIGHT = 10.0
BODY_WEIGHT = 1.0


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
            "headline, body, tokenize = 'porter unicode61 remove_diacritics 2')")

    def drop_schema(self, cursor) -> None:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")

    def index(self, cursor, rows: list[tuple[int, str, str]]) -> None:
        self.remove(cursor, [row[0] for row in rows])
        cursor.executemany(f"INSERT INTO {TABLE} (rowid, headline, body) VALUES (%s, %s, %s)",
                           rows)

    def remove(self, cursor, article_ids: list[int]) -> None:
        cursor.executemany(f"DELETE FROM {TABLE} WHERE rowid = %s", [(i,) for i in article_ids])

    def clear(self, cursor) -> None:
        cursor.execute(f"DELETE FROM {TABLE}")

    def indexed_count(self, cursor) -> int:
        cursor.execute(f"SELECT count(*) FROM {TABLE}")
        return int(cursor.fetchone()[0])

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
        cursor.execute(
            f"SELECT {TABLE}.rowid,"
            f" highlight({TABLE}, 0, %s, %s),"
            f" snippet({TABLE}, 1, %s, %s, '…', 32),"
            f" bm25({TABLE}, %s, %s) / (1.0 + max(0.0, julianday('now')"
            f"   - julianday(scope.published_at)) / %s) AS score"
            f" FROM {TABLE} JOIN ({scope_sql}) AS scope ON scope.id = {TABLE}.rowid"
            f" WHERE {TABLE} MATCH %s{window}"
            " ORDER BY score, scope.published_at DESC LIMIT %s OFFSET %s",
            (MARK_START, MARK_END, MARK_START, MARK_END, HEADLINE_WEIGHT, BODY_WEIGHT,
             RECENCY_DAYS, *scope_params, match, *([floor] if floor is not None else []),
             limit, offset))
        return [RawHit(article_id=row[0], headline=row[1], snippet=row[2], score=-row[3])
                for row in cursor.fetchall()]

    def count(self, cursor, *, scope_sql: str, scope_params: tuple, query: ParsedQuery,
              cap: int) -> int:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} JOIN ({scope_sql}) AS scope"
            f" ON scope.id = {TABLE}.rowid WHERE {TABLE} MATCH %s LIMIT %s)",
            (*scope_params, match_expression(query), cap))
        return int(cursor.fetchone()[0])
