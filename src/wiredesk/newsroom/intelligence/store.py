"""Database adapters for the pure similarity code: line memory and term frequencies.

``wiredesk.wire.similarity`` asks for these through small interfaces; here they are
indexed tables, updated with one upsert per batch so concurrent writers never lose a count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from django.db import connection
from django.utils import timezone

from wiredesk.newsroom.intelligence import tables
from wiredesk.newsroom.models import Article, SourceLine, TermFrequency
from wiredesk.wire import similarity
from wiredesk.wire.sanitize import html_to_text


def _upsert_increment(table: str, key_columns: Sequence[str], count_column: str,
                      rows: Iterable[tuple]) -> None:
    """INSERT ... ON CONFLICT DO UPDATE count = count + 1 (SQLite 3.24+ and PostgreSQL)."""
    rows = sorted(set(rows))  # a fixed order keeps concurrent writers from deadlocking
    if not rows:
        return
    extra = ", last_seen_at" if table == SourceLine._meta.db_table else ""
    columns = ", ".join(key_columns)
    placeholders = ", ".join(["%s"] * (len(key_columns) + 1 + (1 if extra else 0)))
    update_extra = ", last_seen_at = excluded.last_seen_at" if extra else ""
    # Table and column names come from this module, never from input.
    sql = (f"INSERT INTO {table} ({columns}, {count_column}{extra}) "  # noqa: S608
           f"VALUES ({placeholders}) ON CONFLICT ({columns}) DO UPDATE SET "
           f"{count_column} = {table}.{count_column} + 1{update_extra}")
    now = timezone.now()
    params = [(*row, 1, now) if extra else (*row, 1) for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


class DbLineMemory:
    def repeated(self, source: str, keys: Sequence[int]) -> set[int]:
        return tables.repeated_lines(source, keys, min_items=similarity.BOILERPLATE_MIN_ITEMS)

    def remember(self, source: str, keys: Sequence[int]) -> None:
        _upsert_increment(SourceLine._meta.db_table, ["source", "key"], "items",
                          [(source, k) for k in keys])


class DbFrequencies:
    TOTAL = ""

    def __init__(self) -> None:
        self._total: int | None = None

    def total(self) -> int:
        if self._total is None:
            self._total = tables.term_documents([self.TOTAL]).get(self.TOTAL, 0)
        return self._total

    def counts(self, terms: Iterable[str]) -> Mapping[str, int]:
        return tables.term_documents(terms)

    def add(self, terms: Iterable[str]) -> None:
        _upsert_increment(TermFrequency._meta.db_table, ["term"], "documents",
                          [(t[:40],) for t in {*terms, self.TOTAL}])
        self._total = None


def article_text(article: Article) -> str:
    return html_to_text(article.body_html)


def source_key(article: Article) -> str:
    return f"agency:{article.agency_id}"
