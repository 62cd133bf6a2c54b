"""PostgreSQL full-text search: a weighted tsvector per article behind a GIN index.

``document`` is made from the headline and the whole (bounded) body with the text search
configuration of the article's language (``simple`` for one PostgreSQL cannot stem), from
the words as ``wire.searchterms.folded_text`` gives them: diacritics off as a reader
may type them, Arabic's attached conjunctions and article off, which PostgreSQL's Arabic
stemmer leaves. A query is the union of its form in each indexed language's configuration,
so the one GIN index serves it. ``body`` keeps only the head of the body,
as written, that highlights are made from. Relevance is ts_rank_cd per part of the query,
saturated so that it has a bound (``relevance``), for the ranking in windows (``windows``).

Each document also holds, as lexemes no text can make (they have blanks), the aligned
blocks of article ids its article is in, one per size (``ID_BLOCK_SHIFTS``): a window of
the ranking asks the GIN index for the query's matches *and* the few blocks that cover the
window, two keys of one index scan that skip through each other's lists, so a window costs
its own matches, not every match in the archive nor every article in the window.

Each row also holds its article's scope: status, embargo end, publication time, section,
agency and the editions that carry it (``pg_scope``), so an edition's search tests a
match where it reads it (``RowScope``) instead of probing the article and its placements
for each one. The columns are written with the row, read from the tables in the same
statement, and kept right afterwards by triggers on ``newsroom_article`` and
``editions_placement`` (``pg_scope.SCOPE_TRIGGERS``): every write of an article or a placement, a
bulk ``update()``, the admin and raw SQL alike, in the transaction that makes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.db import OperationalError, transaction
from django.utils import timezone

from wiredesk.search.backends import (
    RECENCY_DAYS,
    IndexRow,
    LanguageLedger,
    RawHit,
    RowScope,
    SearchTooSlow,
)
from wiredesk.search.backends.pg_count import capped_count
from wiredesk.search.backends.pg_scope import SCOPE_COLUMNS, TABLE, row_scope_sql
from wiredesk.search.backends.windows import Candidate, rank_page
from wiredesk.search.query import ParsedQuery
from wiredesk.search.text import split_body
from wiredesk.wire.searchterms import folded_text, stemmer_name

QUERY_CANCELED = "57014"  # SQLSTATE of a statement stopped by statement_timeout
RANK_SATURATION = 0.2  # see relevance()
# How far below the page's last score in SQL a match's may be and still be ranked in
# Python (relative): ts_rank_cd is a float4, which reaches Python as its text (PostgreSQL's
# default shortest exact form: within 6e-8 of the value; 6 digits, 5e-6, with
# extra_float_digits at 0) and SQL's score as its exact value. Ties and near-ties all come
# back; what the slack lets through beside them is a few rows.
SCORE_SLACK = 1e-4
GIN_INDEX = f"{TABLE}_document_gin"
VACUUM_SCALE_FACTOR = 0.01  # dead rows, as a share of the table, that call autovacuum
# Blocks of 2**shift article ids, aligned: a window's ids are covered by a few of them (the
# finest rounds its ends out; the range test drops the ids around it).
ID_BLOCK_SHIFTS = (6, 9, 12, 15, 18, 21, 24, 27)


def config_for(language: str) -> str:
    """The text search configuration of a stemmer's code: Snowball's names are
    PostgreSQL's (15 has them all); ``simple`` for no stemmer."""
    return stemmer_name(language) or "simple"


def tsquery_sql(query: ParsedQuery, languages: tuple[str, ...]) -> tuple[str, list]:
    """SQL for the tsquery: the query in each language's configuration ("": ``simple``),
    joined by OR. plainto_/phraseto_tsquery never raise on any text."""
    arms, params = [], []
    for config, language in _configs(languages):
        parts = []
        if query.terms:
            parts.append("plainto_tsquery(%s::regconfig, %s)")
            params += [config, folded_text(" ".join(query.terms), language)]
        for phrase in query.phrases:
            parts.append("phraseto_tsquery(%s::regconfig, %s)")
            params += [config, folded_text(" ".join(phrase), language)]
        arms.append("(" + " && ".join(parts) + ")")
    return " || ".join(arms), params


def _configs(languages: tuple[str, ...]) -> list[tuple[str, str]]:
    """Each distinct configuration of ``languages`` ("": ``simple``), with the first
    language that has it."""
    found: dict[str, str] = {}
    for language in languages or ("",):
        found.setdefault(config_for(language), language)
    return list(found.items())


def part_tsquery_sql(query: ParsedQuery, languages: tuple[str, ...]) -> list[tuple[str, list]]:
    """SQL for each part of the query (a word or a phrase) alone, in every language's
    configuration joined by OR: what each part's relevance is measured with."""
    parts = []
    for words, function in ([((term,), "plainto_tsquery") for term in query.terms]
                            + [(phrase, "phraseto_tsquery") for phrase in query.phrases]):
        arms, params = [], []
        for config, language in _configs(languages):
            arms.append(f"{function}(%s::regconfig, %s)")
            params += [config, folded_text(" ".join(words), language)]
        parts.append(("(" + " || ".join(arms) + ")", params))
    return parts


def ranks_sql(query: ParsedQuery, languages: tuple[str, ...]) -> tuple[str, list]:
    """Each part's ts_rank_cd (cover density, headline weighted A and body C), as columns
    ``rank0``, ``rank1``, ..."""
    parts = part_tsquery_sql(query, languages)
    return (", ".join(f"ts_rank_cd(d.document, {part}) AS rank{n}"
                      for n, (part, _params) in enumerate(parts)),
            [p for _part, params in parts for p in params])


def id_block_lexemes(article_id: int) -> list[str]:
    """The lexemes of the id blocks an article is in, one per block size."""
    return [f"id {shift} {article_id >> shift}" for shift in ID_BLOCK_SHIFTS]


def id_blocks_sql(column: str) -> str:
    """SQL for the same as a tsvector, from an id column (the migration's)."""
    return ("array_to_tsvector(ARRAY["
            + ", ".join(f"'id {shift} ' || ({column} >> {shift})" for shift in ID_BLOCK_SHIFTS)
            + "])")


def covering_blocks(low: int, high: int) -> list[str]:
    """Lexemes of aligned id blocks whose union holds every id ``low <= id < high`` (and
    no more than the finest block's size past each end): the largest block that starts
    where the cover has reached and ends within the range, at every step."""
    finest = 1 << ID_BLOCK_SHIFTS[0]
    start, stop = low // finest * finest, -(-high // finest) * finest
    lexemes = []
    while start < stop:
        shift = next(shift for shift in reversed(ID_BLOCK_SHIFTS)
                     if start % (1 << shift) == 0 and start + (1 << shift) <= stop)
        lexemes.append(f"id {shift} {start >> shift}")
        start += 1 << shift
    return lexemes


def any_of_sql_value(lexemes: list[str]) -> str:
    """A tsquery's text matching any of these lexemes (quoted: they hold blanks)."""
    return " | ".join(f"'{lexeme}'" for lexeme in lexemes)


def score_sql(parts: int, now: datetime) -> tuple[str, list]:
    """SQL for the recency-weighted score (``windows.recency_weighted`` of ``relevance``)
    of a row with columns ``published_at`` and ``rank0``, ``rank1``, ...: the same
    operations as Python's, on float8, in the same order."""
    relevance_terms = " + ".join(
        f"CASE WHEN rank{n} > 0 THEN rank{n}::float8 / (rank{n}::float8 + %s::float8)"
        " ELSE 0::float8 END" for n in range(parts))
    age_days = ("greatest(0::float8, (extract(epoch FROM %s::timestamptz)"
                " - extract(epoch FROM published_at))::float8 / 86400::float8)")
    return (f"(0::float8 + {relevance_terms}) / (1::float8 + {age_days} / %s::float8)",
            [RANK_SATURATION] * parts + [now, RECENCY_DAYS])


def top_sql(parts: int, now: datetime, need: int) -> tuple[str, list]:
    """SQL selecting, from a CTE ``matched`` of matches (``article_id``, ``published_at``,
    ``rank0``..), those that can be among the ``need`` best in Python's ranking: every row
    whose score in SQL is not below the ``need``-th best's by more than SCORE_SLACK (all of
    them when there are fewer). Python ranks what comes back, from the same ranks, so the
    page is the one of ranking every match: SQL's score only has to be within the slack
    of Python's, which it is computed like."""
    score, score_params = score_sql(parts, now)
    return (f", scored AS (SELECT matched.*, {score} AS score FROM matched)"
            " SELECT article_id, published_at, "
            + ", ".join(f"rank{n}" for n in range(parts))
            + " FROM scored WHERE score >= coalesce((SELECT score FROM scored"
            " ORDER BY score DESC OFFSET %s LIMIT 1), 0) * %s",
            [*score_params, max(1, need) - 1, 1 - SCORE_SLACK])


def relevance(ranks) -> float:
    """A document's relevance: the sum over the query's parts (a word or a phrase) of
    rank / (rank + RANK_SATURATION), each below 1, so the whole is below the number of
    parts: the bound the windowed ranking stops on. A word in the headline (rank 1.0)
    gives 0.83, a mention in the body (0.2) 0.5."""
    return sum(rank / (rank + RANK_SATURATION) for rank in ranks if rank > 0)


class PostgresBackend(LanguageLedger):
    def create_schema(self, cursor) -> None:
        # No foreign key to newsroom_article on purpose: the index is derived data kept in
        # step by receivers (and rebuilt by `wiredesk search reindex`), and a reference
        # would make every TRUNCATE of the article table (flush, test teardown) fail.
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} ("
            " article_id bigint PRIMARY KEY,"
            " headline text NOT NULL, body text NOT NULL, document tsvector NOT NULL)")
        # Added apart, so that a table made before them gets them too (search 0005).
        cursor.execute(f"ALTER TABLE {TABLE} " + ", ".join(
            f"ADD COLUMN IF NOT EXISTS {column} {type_}"
            for column, (type_, _sql) in SCOPE_COLUMNS.items()))
        # No pending list (``fastupdate``): a GIN index keeps new entries in an unsorted
        # list, up to gin_pending_list_limit (4 MB), until a vacuum or an insert past the
        # limit merges it, and every lookup reads the whole list. On a live site, where
        # articles keep coming between two vacuums, that list is the cost of every search
        # statement: at a million articles a half-full list (1,500 documents) doubled the
        # mid-frequency word's search (9.8 -> 20.7 ms, BENCHMARKS.md). Each document's
        # entries go into the index as it is written instead: 0.25 ms of the server's
        # time a document, once.
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {GIN_INDEX} ON {TABLE}"
                       " USING gin (document) WITH (fastupdate = off)")
        # An article indexed again (an update, a correction, a desk edit) leaves its old
        # row and that row's index entries until a vacuum, among the newest ids that every
        # search reads first; autovacuum's default waits for a fifth of the table (200,000
        # rows at a million articles). 50,000 such rows made the searches at 1M 7-15%
        # dearer (BENCHMARKS.md); a vacuum every 1% keeps that under a fifth of it.
        cursor.execute(f"ALTER TABLE {TABLE} SET (autovacuum_vacuum_scale_factor = "
                       f"{VACUUM_SCALE_FACTOR})")
        self._create_ledger(cursor)

    def drop_schema(self, cursor) -> None:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        self._drop_ledger(cursor)

    def index(self, cursor, rows: list[IndexRow], *, fresh: bool = False) -> None:
        values = []
        for row in rows:
            config = config_for(row.language)
            values.append((row.headline, split_body(row.body)[0],
                           config, folded_text(row.headline, row.language),
                           config, folded_text(row.body, row.language),
                           id_block_lexemes(row.article_id), row.article_id))
        # The scope from the article and its placements as they are in this transaction
        # (an id with no article gets no row: there is nothing it could be shown as).
        cursor.executemany(
            f"INSERT INTO {TABLE} (article_id, headline, body, document, "
            + ", ".join(SCOPE_COLUMNS) + ")"
            " SELECT a.id, %s, %s, setweight(to_tsvector(%s::regconfig, %s), 'A')"
            " || setweight(to_tsvector(%s::regconfig, %s), 'C')"
            " || array_to_tsvector(%s::text[]), "
            + ", ".join(sql for _type, sql in SCOPE_COLUMNS.values())
            + " FROM newsroom_article a WHERE a.id = %s"
            " ON CONFLICT (article_id) DO UPDATE SET headline = EXCLUDED.headline,"
            " body = EXCLUDED.body, document = EXCLUDED.document, "
            + ", ".join(f"{column} = EXCLUDED.{column}" for column in SCOPE_COLUMNS),
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

    def search(self, cursor, *, scope_sql: str, scope_params: tuple, query: ParsedQuery,
               limit: int, offset: int, many: bool = False,
               languages: tuple[str, ...] | None = None,
               now: datetime | None = None,
               row_scope: RowScope | None = None) -> list[RawHit]:
        """One page of the best matches: all of them ranked when few (``many`` false),
        else newest first in windows until no older match can reach the page (exact).
        The scope tested in the row with ``row_scope``, else joined from ``scope_sql``."""
        languages = self._languages_or_all(cursor, languages)
        tsq, tsq_params = tsquery_sql(query, languages)
        ranks, ranks_params = ranks_sql(query, languages)
        parts = len(query.terms) + len(query.phrases)
        relevance_bound = float(parts)
        now = now or timezone.now()
        cursor.execute(f"SELECT max(article_id), min(article_id) FROM {TABLE}")
        newest, oldest = cursor.fetchone()
        if newest is None:
            return []
        top, top_params = top_sql(parts, now, offset + limit)

        def matches(where: str, params: tuple, *, by_key: bool,
                    blocks: list[str] | None = None) -> list[Candidate]:
            # The ids are said on both sides of the join: the planner does not carry a
            # range across an equality, and would read the whole scope. With ``blocks``
            # the matches come from the GIN index, the query's lists and the blocks' read
            # together, and the range is only checked on them; not ``by_key``, ``+ 0``
            # keeps the planner from reading every row in the range through the primary
            # key instead, the query's test on each.
            # Only the top of the matches comes back (``top_sql``): the page is ranked in
            # Python, from the same ranks, among the rows that can reach it. MATERIALIZED:
            # the ranks are computed once a row (inlined, each use of a rank in the score
            # would call ts_rank_cd again).
            block_sql, block_params = ("", ())
            if blocks is not None:
                block_sql, block_params = " AND d.document @@ %s::tsquery", (
                    any_of_sql_value(blocks),)
            if row_scope is not None:
                source, source_params, published = f"{TABLE} d", (), "d.published_at"
                row_sql, row_params = row_scope_sql(row_scope)
            else:
                source = (f"{TABLE} d JOIN (SELECT * FROM ({scope_sql}) AS s"
                          f"  WHERE s.id {where}) AS scope ON scope.id = d.article_id")
                source_params, published = (*scope_params, *params), "scope.published_at"
                row_sql, row_params = "", []
            cursor.execute(
                f"WITH matched AS MATERIALIZED (SELECT d.article_id, {published}, {ranks}"
                f" FROM {source} WHERE d.document @@ ({tsq}){block_sql}{row_sql}"
                f" AND d.article_id{'' if by_key else ' + 0'} {where}){top}",
                (*ranks_params, *source_params, *tsq_params, *block_params, *row_params,
                 *params, *top_params))
            return [Candidate(row[0], relevance(row[2:]), row[1]) for row in cursor.fetchall()]

        def matches_between(low: int, high: int) -> list[Candidate]:
            # The whole archive (few matches, all ranked at once) needs no blocks.
            whole = low <= oldest and high > newest
            return matches("BETWEEN %s AND %s", (low, high - 1), by_key=False,
                           blocks=None if whole else covering_blocks(low, high))

        def matches_among(ids: list[int]) -> list[Candidate]:
            return matches("= ANY(%s)", (ids,), by_key=True)

        page = rank_page(cursor, many=many, now=now, offset=offset, limit=limit,
                         newest_id=newest, oldest_id=oldest, relevance_bound=relevance_bound,
                         matches_between=matches_between, matches_among=matches_among)
        if not page:
            return []
        # The text as written, for the highlights of the page's rows only (made in Python,
        # as for FTS5: ts_headline would stem the text as written, not folded).
        cursor.execute(f"SELECT article_id, headline, body FROM {TABLE}"
                       " WHERE article_id = ANY(%s)", ([hit.article_id for hit in page],))
        texts = {row[0]: (row[1], row[2]) for row in cursor.fetchall()}
        return [RawHit(article_id=hit.article_id, headline=texts[hit.article_id][0],
                       body=texts[hit.article_id][1], score=hit.score)
                for hit in page if hit.article_id in texts]

    def count(self, cursor, *, scope_sql: str, scope_params: tuple, query: ParsedQuery,
              cap: int, languages: tuple[str, ...] | None = None,
              row_scope: RowScope | None = None) -> int:
        languages = self._languages_or_all(cursor, languages)
        tsq, tsq_params = tsquery_sql(query, languages)
        if row_scope is not None:
            row_sql, row_params = row_scope_sql(row_scope)
            return capped_count(cursor, match_sql=f"d.document @@ ({tsq}){row_sql}",
                                match_params=[*tsq_params, *row_params], cap=cap,
                                covering=lambda low, high: any_of_sql_value(
                                    covering_blocks(low, high)))
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
        # No parallel workers either: a search's statements each read few rows, and
        # starting two workers cost 10-15 ms a statement at a million articles (EXPLAIN
        # ANALYZE: the count of a word with no match, 16 ms, 0.2 of it work).
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('statement_timeout'),"
                           " current_setting('max_parallel_workers_per_gather')")
            previous, previous_workers = cursor.fetchone()
            cursor.execute("SELECT set_config('statement_timeout', %s, true),"
                           " set_config('max_parallel_workers_per_gather', '0', true)",
                           (f"{max(1, int(seconds * 1000))}ms",))
            try:
                yield
            except OperationalError as exc:
                if getattr(exc.__cause__, "sqlstate", None) == QUERY_CANCELED:
                    raise SearchTooSlow() from exc
                raise
            cursor.execute("SELECT set_config('statement_timeout', %s, true),"
                           " set_config('max_parallel_workers_per_gather', %s, true)",
                           (previous, previous_workers))
