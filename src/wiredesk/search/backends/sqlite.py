"""SQLite FTS5: a table keyed by article id, stemmed per language, bm25 with a headline weight.

FTS5 takes no tokenizer written in Python, so the indexed columns hold the text's terms as
``wire.searchterms`` makes them in the article's language, each tagged with it
(``es:eleccion``; unstemmed words untagged), and a query looks each word up in every
indexed language: a word stemmed in Spanish meets only Spanish articles. The text as
written is kept beside them, unindexed, for the highlights.

The body is held in two columns, ``body`` (the head that highlights are made from) and
``tail`` (the rest, only searched): each word is indexed once, and bm25 counts a document's
length over all its columns, so the split leaves ranking as it was.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import OperationalError

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
from wiredesk.wire import searchterms

TABLE = "search_fts"
HEADLINE_WEIGHT = 10.0
BODY_WEIGHT = 1.0
# SQLite calls the progress handler every this many virtual machine steps (well under a
# millisecond of work), so a search stops close to its deadline.
PROGRESS_STEPS = 10_000


# Terms are whole tokens: the language tag's colon included, combining marks (Devanagari's
# vowel signs) kept inside their word; the terms come folded, so nothing else is changed.
TOKENIZER = "unicode61 remove_diacritics 0 tokenchars ':' categories 'L* N* Co M*'"


def indexed_terms(text: str, language: str) -> str:
    """The column text FTS5 indexes for ``text`` in ``language`` (a stemmer's code)."""
    tag = f"{language}:" if language else ""
    return " ".join(tag + term for term in searchterms.terms(text, language))


def _alternatives(words: tuple[str, ...], languages: tuple[str, ...]) -> str:
    # Each language's form of the words as an FTS5 string (a phrase when several words):
    # operators (AND, OR, NOT, NEAR, *, ^, column filters) are inert inside quotes, and
    # the terms hold only letters, digits, marks and the tag's colon.
    forms = []
    for language in languages or ("",):
        form = " ".join(indexed_terms(word, language) for word in words)
        if form and f'"{form}"' not in forms:
            forms.append(f'"{form}"')
    return forms[0] if len(forms) == 1 else "(" + " OR ".join(forms) + ")"


def match_expression(query: ParsedQuery, languages: tuple[str, ...] = ()) -> str:
    """Every word, and every phrase, found in one of ``languages`` ("": unstemmed)."""
    parts = [_alternatives((term,), languages) for term in query.terms]
    parts += [_alternatives(phrase, languages) for phrase in query.phrases]
    return " AND ".join(parts)


class SqliteFts5Backend(LanguageLedger):
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

    def _window_floor(self, cursor, match: str) -> int | None:
        """The article id where the most recent RANK_WINDOW matches begin (ids grow with
        time); FTS5 walks its matches in rowid order, so this reads only the window."""
        cursor.execute(f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s"
                       " ORDER BY rowid DESC LIMIT 1 OFFSET %s", (match, RANK_WINDOW - 1))
        row = cursor.fetchone()
        return int(row[0]) if row else None

    def search(self, cursor, *, scope_sql: str, scope_params: tuple, query: ParsedQuery,
               limit: int, offset: int, many: bool = False,
               languages: tuple[str, ...] | None = None) -> list[RawHit]:
        languages = self._languages_or_all(cursor, languages)
        match = match_expression(query, languages)
        floor = self._window_floor(cursor, match) if many else None
        window = f" AND {TABLE}.rowid >= %s" if floor is not None else ""
        # Rank first, read the text after: SQLite computes every output column of every
        # row it sorts, so reading it here would cost as much for row 5,000 as for row 1.
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
        texts = self._texts(cursor, [row[0] for row in ranked])
        return [RawHit(article_id=rowid, headline=texts[rowid][0], body=texts[rowid][1],
                       score=-score) for rowid, score in ranked if rowid in texts]

    def _texts(self, cursor, ids: list[int]) -> dict[int, tuple[str, str]]:
        """Headline and body head of these rows as written, for the highlights."""
        if not ids:
            return {}
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(f"SELECT rowid, headline_text, body_text FROM {TABLE}"
                       f" WHERE rowid IN ({marks})", ids)
        return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}

    def count(self, cursor, *, scope_sql: str, scope_params: tuple, query: ParsedQuery,
              cap: int, languages: tuple[str, ...] | None = None) -> int:
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
