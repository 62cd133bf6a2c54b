"""PostgreSQL full-text search: a weighted tsvector per article behind a GIN index.

``document`` is made from the headline and the whole (bounded) body with the text search
configuration of the article's language (``simple`` for one PostgreSQL cannot stem), from
the words as ``wire.searchterms.folded_text`` gives them: diacritics off as a reader
may type them, Arabic's attached conjunctions and article off, which PostgreSQL's Arabic
stemmer leaves. A query is the union of its form in each indexed language's configuration,
so the one GIN index serves it. ``body`` keeps only the head of the body,
as written, that highlights are made from.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import OperationalError, transaction

from wiredesk.search.backends import (
    RANK_WINDOW,
    RECENCY_DAYS,
    IndexRow,
    LanguageLedger,
    RawHit,
    SearchTooSlow,
)
from wiredesk.search.query import ParsedQuery
from wiredesk.search.text import split_body
from wiredesk.wire.searchterms import folded_text, stemmer_name

TABLE = "search_document"
QUERY_CANCELED = "57014"  # SQLSTATE of a statement stopped by statement_timeout


def config_for(language: str) -> str:
    """The text search configuration of a stemmer's code: Snowball's names are
    PostgreSQL's (15 has them all); ``simple`` for no stemmer."""
    return stemmer_name(language) or "simple"


def tsquery_sql(query: ParsedQuery, languages: tuple[str, ...]) -> tuple[str, list]:
    """SQL for the tsquery: the query in each language's configuration ("": ``simple``),
    joined by OR. plainto_/phraseto_tsquery never raise on any text."""
    arms, params, configs = [], [], []
    for language in languages or ("",):
        config = config_for(language)
        if config in configs:
            continue
        configs.append(config)
        parts = []
        if query.terms:
            parts.append("plainto_tsquery(%s::regconfig, %s)")
            params += [config, folded_text(" ".join(query.terms), language)]
        for phrase in query.phrases:
            parts.append("phraseto_tsquery(%s::regconfig, %s)")
            params += [config, folded_text(" ".join(phrase), language)]
        arms.append("(" + " && ".join(parts) + ")")
    return " || ".join(arms), params


class PostgresBackend(LanguageLedger):
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
        self._create_ledger(cursor)

    def drop_schema(self, cursor) -> None:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        self._drop_ledger(cursor)

    def index(self, cursor, rows: list[IndexRow], *, fresh: bool = False) -> None:
        values = []
        for row in rows:
            config = config_for(row.language)
            values.append((row.article_id, row.headline, split_body(row.body)[0],
                           config, folded_text(row.headline, row.language),
                           config, folded_text(row.body, row.language)))
        cursor.executemany(
            f"INSERT INTO {TABLE} (article_id, headline, body, document) VALUES (%s, %s, %s,"
            " setweight(to_tsvector(%s::regconfig, %s), 'A')"
            " || setweight(to_tsvector(%s::regconfig, %s), 'C'))"
            " ON CONFLICT (article_id) DO UPDATE SET headline = EXCLUDED.headline,"
            " body = EXCLUDED.body, document = EXCLUDED.document",
            values)
        self._record_languages(cursor, rows)

    def remove(self, cursor, article_ids: list[int]) -> None:
        cursor.execute(f"DELETE FROM {TABLE} WHERE article_id = ANY(%s)", (list(article_ids),))

    def clear(self, cursor) -> None:
        cursor.execute(f"DELETE FROM {TABLE}")
        self._clear_ledger(cursor)

    def indexed_count(self, cursor) -> int:
        cursor.execute(f"SELECT count(*) FROM {TABLE}")
        return int(cursor.fetchone()[0])

    def matching_ids_sql(self, query: ParsedQuery, newest: int,
                         languages: tuple[str, ...]) -> tuple[str, list]:
        """A subquery of the ids of the ``newest`` articles matching ``query`` (ids grow
        with time)."""
        tsq, tsq_params = tsquery_sql(query, languages)
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
               limit: int, offset: int, many: bool = False,
               languages: tuple[str, ...] | None = None) -> list[RawHit]:
        languages = self._languages_or_all(cursor, languages)
        tsq, tsq_params = tsquery_sql(query, languages)
        floor = self._window_floor(cursor, tsq, tsq_params) if many else None
        window = " AND d.article_id >= %s" if floor is not None else ""
        # Rank and cut first, then read one page of rows' text for the highlights (made in
        # Python, as for FTS5: ts_headline would stem the text as written, not folded).
        cursor.execute(
            f"WITH q AS (SELECT {tsq} AS query),"
            f" ranked AS (SELECT d.article_id, ts_rank_cd(d.document, q.query)"
            f"   / (1.0 + greatest(0, extract(epoch FROM now() - scope.published_at))"
            f"   / 86400.0 / %s) AS score, scope.published_at"
            f"  FROM {TABLE} d JOIN ({scope_sql}) AS scope ON scope.id = d.article_id, q"
            f"  WHERE d.document @@ q.query{window}"
            f"  ORDER BY score DESC, scope.published_at DESC LIMIT %s OFFSET %s)"
            f" SELECT r.article_id, d.headline, d.body, r.score"
            f" FROM ranked r JOIN {TABLE} d ON d.article_id = r.article_id"
            f" ORDER BY r.score DESC, r.published_at DESC",
            (*tsq_params, RECENCY_DAYS, *scope_params, *([floor] if floor is not None else []),
             limit, offset))
        return [RawHit(article_id=row[0], headline=row[1], body=row[2], score=float(row[3]))
                for row in cursor.fetchall()]

    def count(self, cursor, *, scope_sql: str, scope_params: tuple, query: ParsedQuery,
              cap: int, languages: tuple[str, ...] | None = None) -> int:
        languages = self._languages_or_all(cursor, languages)
        tsq, tsq_params = tsquery_sql(query, languages)
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
