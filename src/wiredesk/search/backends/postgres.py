"""PostgreSQL full-text search: a weighted tsvector per article behind a GIN index.

``document`` is made from the headline and the whole (bounded) body; ``body`` keeps only
the head of the body that highlights are made from.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import OperationalError, transaction

from wiredesk.search.backends import RANK_WINDOW, RECENCY_DAYS, RawHit, SearchTooSlow
from wiredesk.search.query import ParsedQuery
from wiredesk.search.text import MARK_END, MARK_START, split_body

TABLE = "search_document"

# The body is highlighted whole and cut in Python: choosing fragments (MaxFragments) scores
# covers against each other, which grows with the square of the matches in one body.
_HIGHLIGHT_ALL = f"HighlightAll=true, StartSel={MARK_START}, StopSel={MARK_END}"
QUERY_CANCELED = "57014"  # SQLSTATE of a statement stopped by statement_timeout


def tsquery_sql(query: ParsedQuery) -> tuple[str, list]:
    """SQL for the tsquery: plainto_/phraseto_tsquery never raise on any text."""
    parts, params = [], []
    if query.terms:
        parts.append("plainto_tsquery(%s::regconfig, %s)")
        params.append(" ".join(query.terms))
    for phrase in query.phrases:
        parts.append("phraseto_tsquery(%s::regconfig, %s)")
        params.append(" ".join(phrase))
    return " && ".join(parts), params


class PostgresBackend:
    def __init__(self, config: str = "english"):
        self.config = config

    def create_schema(self, cursor) -> None:
        # No foreign key to newsroom_article on purpose: the index is derived data kept in
        # step by receivers (and rebuilt by `wiredesk search reindex`), and a reference
        # would make every TRUNCATE of the article table (flush, test teardown) fail.
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} ("
            " article_id bigint PRIMARY KEY,"
            " headline text NOT NULL, body text NOT NULL, document tsvector NOT NULL)")
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {TABLE}_document_gin ON {TABLE}"
                       " USING gin (document)")

    def drop_schema(self, cursor) -> None:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")

    def index(self, cursor, rows: list[tuple[int, str, str]]) -> None:
        cursor.executemany(
            f"INSERT INTO {TABLE} (article_id, headline, body, document) VALUES (%s, %s, %s,"
            " setweight(to_tsvector(%s::regconfig, %s), 'A')"
            " || setweight(to_tsvector(%s::regconfig, %s), 'C'))"
            " ON CONFLICT (article_id) DO UPDATE SET headline = EXCLUDED.headline,"
            " body = EXCLUDED.body, document = EXCLUDED.document",
            [(i, h, split_body(b)[0], self.config, h, self.config, b) for i, h, b in rows])

    def remove(self, cursor, article_ids: list[int]) -> None:
        cursor.execute(f"DELETE FROM {TABLE} WHERE article_id = ANY(%s)", (list(article_ids),))

    def clear(self, cursor) -> None:
        cursor.execute(f"DELETE FROM {TABLE}")

    def indexed_count(self, cursor) -> int:
        cursor.execute(f"SELECT count(*) FROM {TABLE}")
        return int(cursor.fetchone()[0])

    def _tsquery(self, query: ParsedQuery) -> tuple[str, list]:
        sql, texts = tsquery_sql(query)
        params: list = []
        for text in texts:
            params += [self.config, text]
        return sql, params

    def matching_ids_sql(self, query: ParsedQuery, newest: int) -> tuple[str, list]:
        """A subquery of the ids of the ``newest`` articles matching ``query`` (ids grow
        with time)."""
        tsq, tsq_params = self._tsquery(query)
        return (f"SELECT id FROM (SELECT article_id AS id FROM {TABLE} WHERE document @@ ({tsq})"
                " ORDER BY article_id DESC LIMIT %s) AS newest", [*tsq_params, newest])

    def _window_floor(self, cursor, tsq: str, tsq_params: list) -> int | None:
        """The article id where the most recent RANK_WINDOW matches begin: walking the
        primary key backwards stops after the window, without reading every match."""
        cursor.execute(f"SELECT article_id FROM {TABLE} WHERE document @@ ({tsq})"
                       " ORDER BY article_id DESC OFFSET %s LIMIT 1",
                       (*tsq_params, RANK_WINDOW - 1))
        row = cursor.fetchone()
        return int(row[0]) if row else None

    def search(self, cursor, *, scope_sql: str, scope_params: tuple, query: ParsedQuery,
               limit: int, offset: int, many: bool = False) -> list[RawHit]:
        tsq, tsq_params = self._tsquery(query)
        floor = self._window_floor(cursor, tsq, tsq_params) if many else None
        window = " AND d.article_id >= %s" if floor is not None else ""
        # Rank and cut first; ts_headline is costly, so it runs on one page of rows only.
        cursor.execute(
            f"WITH q AS (SELECT {tsq} AS query),"
            f" ranked AS (SELECT d.article_id, ts_rank_cd(d.document, q.query)"
            f"   / (1.0 + greatest(0, extract(epoch FROM now() - scope.published_at))"
            f"   / 86400.0 / %s) AS score, scope.published_at"
            f"  FROM {TABLE} d JOIN ({scope_sql}) AS scope ON scope.id = d.article_id, q"
            f"  WHERE d.document @@ q.query{window}"
            f"  ORDER BY score DESC, scope.published_at DESC LIMIT %s OFFSET %s)"
            f" SELECT r.article_id, ts_headline(%s::regconfig, d.headline, q.query, %s),"
            f"  ts_headline(%s::regconfig, d.body, q.query, %s), r.score"
            f" FROM ranked r JOIN {TABLE} d ON d.article_id = r.article_id, q"
            f" ORDER BY r.score DESC, r.published_at DESC",
            (*tsq_params, RECENCY_DAYS, *scope_params, *([floor] if floor is not None else []),
             limit, offset,
             self.config, _HIGHLIGHT_ALL, self.config, _HIGHLIGHT_ALL))
        return [RawHit(article_id=row[0], headline=row[1], body=row[2], score=float(row[3]))
                for row in cursor.fetchall()]

    def count(self, cursor, *, scope_sql: str, scope_params: tuple, query: ParsedQuery,
              cap: int) -> int:
        tsq, tsq_params = self._tsquery(query)
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} d JOIN ({scope_sql}) AS scope"
            f" ON scope.id = d.article_id WHERE d.document @@ ({tsq}) LIMIT %s) AS capped",
            (*scope_params, *tsq_params, cap))
        return int(cursor.fetchone()[0])

    @contextmanager
    def time_budget(self, connection, seconds: float) -> Iterator[None]:
        # SET LOCAL (set_config(..., true)) lasts to the end of the transaction, so the
        # search gets one of its own (a savepoint inside a request's transaction), and the
        # previous value is put back for whatever else that transaction runs.
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('statement_timeout')")
            previous = cursor.fetchone()[0]
            cursor.execute("SELECT set_config('statement_timeout', %s, true)",
                           (f"{max(1, int(seconds * 1000))}ms",))
            try:
                yield
            except OperationalError as exc:
                if getattr(exc.__cause__, "sqlstate", None) == QUERY_CANCELED:
                    raise SearchTooSlow() from exc
                raise
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", (previous,))
