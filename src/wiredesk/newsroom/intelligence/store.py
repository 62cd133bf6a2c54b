"""Database adapters for the pure similarity code: line memory and term frequencies.

``wiredesk.wire.similarity`` asks for these through small interfaces; here they are
indexed tables, updated with one upsert per batch so concurrent writers never lose a count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from django.db import connection
from django.utils import timezone

from wiredesk.newsroom import runs
from wiredesk.newsroom.intelligence import tables
from wiredesk.newsroom.models import Article, SourceLine, TermFrequency
from wiredesk.wire import similarity
from wiredesk.wire.sanitize import html_to_text

# The columns' types for PostgreSQL's arrays (``tables.insert_rows``), in the order the
# upsert below writes them. Text, not varchar(n): an explicit cast to varchar(n) would cut a
# long value where the column's own assignment refuses it.
_ARRAY_TYPES = {
    TermFrequency._meta.db_table: ("text", "bigint"),
    SourceLine._meta.db_table: ("text", "bigint", "integer", "timestamptz"),
}


def _upsert_increment(table: str, key_columns: Sequence[str], count_column: str,
                      rows: Iterable[tuple], *, by: Mapping[tuple, int] | None = None
                      ) -> None:
    """INSERT ... ON CONFLICT DO UPDATE count = count + n (SQLite 3.24+ and PostgreSQL):
    each row counted once (``n`` = 1), or ``by`` its count in ``by``."""
    rows = sorted(set(rows))  # a fixed order keeps concurrent writers from deadlocking
    if not rows:
        return
    extra = ", last_seen_at" if table == SourceLine._meta.db_table else ""
    columns = ", ".join(key_columns)
    update_extra = ", last_seen_at = excluded.last_seen_at" if extra else ""
    # Table and column names come from this module, never from input. The rows are
    # distinct (a set): one statement never updates a row twice.
    head = f"INSERT INTO {table} ({columns}, {count_column}{extra})"
    types = _ARRAY_TYPES[table]
    tail = (f" ON CONFLICT ({columns}) DO UPDATE SET "
            f"{count_column} = {table}.{count_column} + excluded.{count_column}{update_extra}")
    now = timezone.now()
    counts = [1] * len(rows) if by is None else [by[row] for row in rows]
    params = [(*row, n, now) if extra else (*row, n) for row, n in zip(rows, counts,
                                                                        strict=True)]
    with connection.cursor() as cursor:
        tables.insert_rows(cursor, head, params, tail, types=types)


# Inside a batch of the stage, as the term frequencies below: each article's lines counted
# in memory and written once as the batch ends; every read adds what is pending. (Their
# ``last_seen_at`` is then the batch's end, not the article's turn: nothing reads it.)
_LINES = "newsroom:source-lines"


def _write_lines(pending: Counter) -> None:
    _upsert_increment(SourceLine._meta.db_table, ["source", "key"], "items", list(pending),
                      by=pending)


def pending_lines() -> Counter | None:
    """The open batch's line counts not written yet, by (source, key); None outside one."""
    return runs.batched(_LINES, Counter, _write_lines)


def repeated_lines_of(wanted: Mapping[str, Iterable[int]]) -> dict[str, set[int]]:
    """Each source's lines among ``wanted`` sent in at least ``BOILERPLATE_MIN_ITEMS``
    items, counting those of the open batch not written yet."""
    minimum = similarity.BOILERPLATE_MIN_ITEMS
    found: dict[str, set[int]] = {source: set() for source in wanted}
    keys = sorted(set().union(*wanted.values())) if wanted else []
    pending = pending_lines()
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        part = keys[start:start + _KEYS_PER_QUERY]
        if not pending:
            rows = tables.repeated_lines_of(list(wanted), part, min_items=minimum)
        else:
            rows = [(source, key) for source, key, items
                    in tables.line_items_of(list(wanted), part)
                    if items + pending.get((source, key), 0) >= minimum]
            stored, in_part = set(rows), set(part)
            rows += [(source, key) for (source, key), n in pending.items()
                     if n >= minimum and source in wanted and key in in_part
                     and (source, key) not in stored]
        for source, key in rows:
            if key in wanted[source]:
                found[source].add(key)
    return found


_KEYS_PER_QUERY = 500  # stay under SQLite's variable limit


class DbLineMemory:
    def repeated(self, source: str, keys: Sequence[int]) -> set[int]:
        minimum = similarity.BOILERPLATE_MIN_ITEMS
        pending = pending_lines()
        if not pending:
            return tables.repeated_lines(source, keys, min_items=minimum)
        items = tables.line_items(source, keys)
        return {key for key in set(keys)
                if items.get(key, 0) + pending.get((source, key), 0) >= minimum}

    def remember(self, source: str, keys: Sequence[int]) -> None:
        pending = pending_lines()
        if pending is None:
            _upsert_increment(SourceLine._meta.db_table, ["source", "key"], "items",
                              [(source, k) for k in keys])
        else:
            pending.update({(source, k) for k in keys})


# Inside a batch of the stage (``runs.batch``) the articles' document counts are added up
# in memory and written once as the batch ends, in its transaction: one upsert of the
# batch's distinct terms instead of one of ~110 rows per article. Every read in the batch
# adds what is pending to what is stored, so each article sees the counts it would have
# seen had each earlier one written its own (the stage is the only writer of the table,
# one process at a time); a turn that fails takes its counts back with it
# (``runs.batch_savepoint``).
_PENDING = "newsroom:term-frequencies"


def _write_frequencies(pending: Counter) -> None:
    _upsert_increment(TermFrequency._meta.db_table, ["term"], "documents",
                      [(term,) for term in pending], by={(t,): n for t, n in pending.items()})


class DbFrequencies:
    TOTAL = ""

    def __init__(self) -> None:
        self._total: int | None = None
        self._read: dict[str, int] = {}  # read with the total (``prefetch``)
        self._covered: frozenset[str] = frozenset()

    @staticmethod
    def _pending() -> Counter | None:
        return runs.batched(_PENDING, Counter, _write_frequencies)

    def _stored(self, terms: Sequence[str]) -> dict[str, int]:
        found = tables.term_documents(terms)
        pending = self._pending()
        if pending:
            for term in terms:
                if term in pending:
                    found[term] = found.get(term, 0) + pending[term]
        return found

    def prefetch(self, terms: Iterable[str]) -> None:
        """Read these terms' counts and the total at once (one query, not two): what
        ``total()`` and ``counts()`` of these terms answer next, until ``add``."""
        terms = list(dict.fromkeys([self.TOTAL, *terms]))
        found = self._stored(terms)
        self._total = found.pop(self.TOTAL, 0)
        self._read = found
        self._covered = frozenset(terms)

    def total(self) -> int:
        if self._total is None:
            self._total = self._stored([self.TOTAL]).get(self.TOTAL, 0)
        return self._total

    def counts(self, terms: Iterable[str]) -> Mapping[str, int]:
        terms = list(terms)
        if self._covered and self._covered.issuperset(terms):
            return {t: self._read[t] for t in terms if t in self._read}
        return self._stored(terms)

    def add(self, terms: Iterable[str]) -> None:
        keys = {t[:40] for t in terms} | {self.TOTAL}
        pending = self._pending()
        if pending is None:
            _upsert_increment(TermFrequency._meta.db_table, ["term"], "documents",
                              [(t,) for t in keys])
        else:
            pending.update(keys)
        self._total = None
        self._read, self._covered = {}, frozenset()


def article_text(article: Article) -> str:
    return html_to_text(article.body_html)


def source_key(article: Article) -> str:
    return f"agency:{article.agency_id}"
