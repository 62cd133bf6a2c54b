"""SQLite FTS5: a table keyed by article id, stemmed per language, BM25 with a headline weight.

FTS5 takes no tokenizer written in Python, so the indexed columns hold the text's terms as
``wire.searchterms`` makes them in the article's language, each tagged with it
(``es:eleccion``; unstemmed words untagged), and a query looks each word up in every
indexed language: a word stemmed in Spanish meets only Spanish articles. The text as
written is kept beside them, unindexed, for the highlights.

The body is held in two columns, ``body`` (the head that highlights are made from) and
``tail`` (the rest, only searched): each word is indexed once, and BM25 counts a document's
length over all its columns, so the split leaves ranking as it was.

Relevance is FTS5's BM25 computed in Python (``fts5_relevance``) from each matching row's
indexed columns, read from FTS5's content table, and document frequencies read once per
search: FTS5's own ``bm25()`` walks every match of the query in the whole table in each
statement that calls it, which a ranking in windows (``windows``) cannot afford.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.db import OperationalError
from django.utils import timezone

from wiredesk.search.backends import (
    IndexRow,
    LanguageLedger,
    RawHit,
    RowScope,
    SearchTooSlow,
)
from wiredesk.search.backends.fts5_relevance import load_bm25
from wiredesk.search.backends.windows import (
    Candidate,
    as_utc,
    rank_page,
)
from wiredesk.search.query import ParsedQuery
from wiredesk.search.text import split_body
from wiredesk.wire import searchterms

TABLE = "search_fts"
HEADLINE_WEIGHT = 10.0
BODY_WEIGHT = 1.0
COLUMN_WEIGHTS = (HEADLINE_WEIGHT, BODY_WEIGHT, BODY_WEIGHT)  # headline, body, tail
# SQLite calls the progress handler every this many virtual machine steps (well under a
# millisecond of work), so a search stops close to its deadline.
PROGRESS_STEPS = 10_000


# Terms are whole tokens: the language tag's colon included, combining marks (Devanagari's
# vowel signs) kept inside their word; the terms come folded, so nothing else is changed.
TOKENIZER = "unicode61 remove_diacritics 0 tokenchars ':' categories 'L* N* Co M*'"


def indexed_terms(text: str, language: str) -> str:
    """The column text FTS5 indexes for ``text`` in ``language`` (a stemmer's code)."""
    return " ".join(searchterms.terms(text, language, prefix=f"{language}:" if language else ""))


def _forms(words: tuple[str, ...], languages: tuple[str, ...]) -> list[tuple[str, ...]]:
    # Each language's form of the words, as the terms FTS5 holds (one phrase when several).
    forms: list[tuple[str, ...]] = []
    for language in languages or ("",):
        form = tuple(" ".join(indexed_terms(word, language) for word in words).split())
        if form and form not in forms:
            forms.append(form)
    return forms


def _alternatives(words: tuple[str, ...], languages: tuple[str, ...]) -> str:
    # Each form as an FTS5 string: operators (AND, OR, NOT, NEAR, *, ^, column filters)
    # are inert inside quotes, and the terms hold only letters, digits, marks and the
    # tag's colon.
    forms = [f'"{" ".join(form)}"' for form in _forms(words, languages)]
    return forms[0] if len(forms) == 1 else "(" + " OR ".join(forms) + ")"


def match_expression(query: ParsedQuery, languages: tuple[str, ...] = ()) -> str:
    """Every word, and every phrase, found in one of ``languages`` ("": unstemmed)."""
    parts = [_alternatives((term,), languages) for term in query.terms]
    parts += [_alternatives(phrase, languages) for phrase in query.phrases]
    return " AND ".join(parts)


def match_phrases(query: ParsedQuery, languages: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every phrase of the match expression (each alternative of each part), as terms."""
    parts = [(term,) for term in query.terms] + list(query.phrases)
    return [form for words in parts for form in _forms(words, languages)]


class SqliteFts5Backend(LanguageLedger):
    # The scope is always joined (``row_scope`` is not used): FTS5's rows hold text only,
    # and SQLite's probes of the article and its placements are in-process lookups.
    def create_schema(self, cursor) -> None:
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
            "headline, body, tail, headline_text UNINDEXED, body_text UNINDEXED,"
            f' tokenize = "{TOKENIZER}")')
        self._create_ledger(cursor)

    def drop_schema(self, cursor) -> None:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        self._drop_ledger(cursor)

    def index(self, cursor, rows: list[IndexRow], *, fresh: bool = False) -> None:
        if not fresh:  # FTS5 has no upsert: an article's old row goes first
            self.remove(cursor, [row.article_id for row in rows])
        values = []
        for row in rows:
            head, tail = split_body(row.body)
            values.append((row.article_id, indexed_terms(row.headline, row.language),
                           indexed_terms(head, row.language), indexed_terms(tail, row.language),
                           row.headline, head))
        cursor.executemany(
            f"INSERT INTO {TABLE} (rowid, headline, body, tail, headline_text, body_text)"
            " VALUES (%s, %s, %s, %s, %s, %s)", values)
        self._record_languages(cursor, rows)

    def remove(self, cursor, article_ids: list[int]) -> None:
        cursor.executemany(f"DELETE FROM {TABLE} WHERE rowid = %s", [(i,) for i in article_ids])

    def clear(self, cursor) -> None:
        cursor.execute(f"DELETE FROM {TABLE}")
        self._clear_ledger(cursor)

    def indexed_count(self, cursor) -> int:
        cursor.execute(f"SELECT count(*) FROM {TABLE}")
        return int(cursor.fetchone()[0])

    def matching_ids_sql(self, query: ParsedQuery, newest: int,
                         languages: tuple[str, ...]) -> tuple[str, list]:
        """A subquery of the ids of the ``newest`` articles matching ``query`` (ids grow
        with time); FTS5 walks its matches in rowid order and stops there."""
        return (f"SELECT id FROM (SELECT rowid AS id FROM {TABLE} WHERE {TABLE} MATCH %s"
                " ORDER BY rowid DESC LIMIT %s)", [match_expression(query, languages), newest])

    def search(self, cursor, *, scope_sql: str, scope_params: tuple, query: ParsedQuery,
               limit: int, offset: int, many: bool = False,
               languages: tuple[str, ...] | None = None,
               now: datetime | None = None,
               row_scope: RowScope | None = None) -> list[RawHit]:
        """One page of the best matches: all of them ranked when few (``many`` false),
        else newest first in windows until no older match can reach the page (exact)."""
        languages = self._languages_or_all(cursor, languages)
        match = match_expression(query, languages)
        now = now or timezone.now()
        cursor.execute(f"SELECT (SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s"
                       " ORDER BY rowid DESC LIMIT 1), (SELECT rowid FROM"
                       f" {TABLE} WHERE {TABLE} MATCH %s ORDER BY rowid LIMIT 1)",
                       (match, match))
        newest, oldest = cursor.fetchone()
        if newest is None:
            return []
        model = load_bm25(cursor, TABLE, match_phrases(query, languages), COLUMN_WEIGHTS)

        def matches(where: str, params: tuple) -> list[Candidate]:
            # The matching rowids from the index, then their indexed columns (to count
            # the terms) straight from FTS5's content table: reading them through the
            # virtual table costs several times more per row. The text as written is
            # read for the page only, below.
            cursor.execute(
                f"SELECT c.id, c.c0, c.c1, c.c2, scope.published_at"
                f" FROM (SELECT rowid AS id FROM {TABLE} WHERE {TABLE} MATCH %s"
                f"  AND {where.format(id='rowid')}) AS m"
                f" JOIN {TABLE}_content c ON c.id = m.id"
                f" JOIN (SELECT * FROM ({scope_sql}) AS s WHERE {where.format(id='s.id')})"
                "  AS scope ON scope.id = m.id",
                (match, *params, *scope_params, *params))
            relevance = model.relevance
            return [Candidate(row[0], relevance(row[1:4]), as_utc(row[4]))
                    for row in cursor.fetchall()]

        def matches_between(low: int, high: int) -> list[Candidate]:
            return matches("{id} >= %s AND {id} < %s", (low, high))

        def matches_among(ids: list[int]) -> list[Candidate]:
            return matches("{id} IN (" + ", ".join(["%s"] * len(ids)) + ")", tuple(ids))

        page = rank_page(cursor, many=many, now=now, offset=offset, limit=limit,
                         newest_id=newest, oldest_id=oldest, relevance_bound=model.bound,
                         matches_between=matches_between, matches_among=matches_among)
        texts = self._texts(cursor, [hit.article_id for hit in page])
        return [RawHit(article_id=hit.article_id, headline=texts[hit.article_id][0],
                       body=texts[hit.article_id][1], score=hit.score)
                for hit in page if hit.article_id in texts]

    def _texts(self, cursor, ids: list[int]) -> dict[int, tuple[str, str]]:
        """Headline and body head of these rows as written, for the highlights."""
        if not ids:
            return {}
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(f"SELECT rowid, headline_text, body_text FROM {TABLE}"
                       f" WHERE rowid IN ({marks})", ids)
        return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}

    def count(self, cursor, *, scope_sql: str, scope_params: tuple, query: ParsedQuery,
              cap: int, languages: tuple[str, ...] | None = None,
              row_scope: RowScope | None = None) -> int:
        languages = self._languages_or_all(cursor, languages)
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} JOIN ({scope_sql}) AS scope"
            f" ON scope.id = {TABLE}.rowid WHERE {TABLE} MATCH %s LIMIT %s)",
            (*scope_params, match_expression(query, languages), cap))
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
