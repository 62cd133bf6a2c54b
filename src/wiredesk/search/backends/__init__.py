"""One search backend per database engine; ``backend_for(connection)`` picks it."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.utils.translation import gettext

from wiredesk.errors import WiredeskError
from wiredesk.search.query import ParsedQuery

# Relevance is divided by (1 + age_in_days / RECENCY_DAYS): a week-old perfect match
# still beats a fresh passing mention, a year-old one does not.
RECENCY_DAYS = 30.0
# A query matching very many articles (a common word) is ranked newest first in windows
# of ids, stopped when no older match can reach the page (search.backends.windows): the
# same results as ranking every match, for work that does not grow with the archive.


class SearchTooSlow(WiredeskError):
    """A search ran past its time budget and was stopped."""

    def __init__(self, message: str = ""):
        # Said to the reader: in the language of the page that searched.
        super().__init__(message or gettext(
            "The search took too long and was stopped; try fewer or more specific words, "
            "or a date range."))


@dataclass
class RawHit:
    article_id: int
    headline: str  # as written: the service marks the words that matched
    body: str  # the head of the indexed body as written; the service cuts the snippet
    score: float


@dataclass(frozen=True)
class RowScope:
    """What an edition's search may return, for an engine that keeps each article's scope
    in its search row (PostgreSQL): published and out of embargo at ``now``, carried by the
    edition, and the search's filters (None: any). The same rule as the scope queryset's
    (``editions.selectors.public_q``, the edition's placements), tested where a match is
    read instead of by joining each to its article and placements."""
    edition_id: int
    now: datetime
    section_id: int | None = None
    agency_id: int | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive


@dataclass(frozen=True)
class IndexRow:
    article_id: int
    headline: str
    body: str  # plain text, bounded
    language: str  # the stemmer's code (wire.searchterms.language_code); empty for none


# The languages the index holds articles in, one row each (empty: unstemmed): a query is
# looked up in each of them and no other, so an article is found with its own language's
# stemming whatever the edition's, and an archive in one language is searched as before.
# It only grows (a language whose articles all went is a lookup that finds nothing), and
# `wiredesk search reindex` starts it again.
LANGUAGES_TABLE = "search_language"


class LanguageLedger:
    """The part of the schema both engines share: the ledger of indexed languages."""

    def _create_ledger(self, cursor) -> None:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {LANGUAGES_TABLE} (code text PRIMARY KEY)")

    def _drop_ledger(self, cursor) -> None:
        cursor.execute(f"DROP TABLE IF EXISTS {LANGUAGES_TABLE}")

    def _record_languages(self, cursor, rows: list[IndexRow]) -> None:
        codes = sorted({row.language for row in rows})
        if codes:
            cursor.executemany(f"INSERT INTO {LANGUAGES_TABLE} (code) VALUES (%s)"
                               " ON CONFLICT (code) DO NOTHING", [(c,) for c in codes])

    def _clear_ledger(self, cursor) -> None:
        cursor.execute(f"DELETE FROM {LANGUAGES_TABLE}")

    def languages(self, cursor) -> tuple[str, ...]:
        cursor.execute(f"SELECT code FROM {LANGUAGES_TABLE} ORDER BY code")
        return tuple(row[0] for row in cursor.fetchall())

    def _languages_or_all(self, cursor, languages: tuple[str, ...] | None) -> tuple[str, ...]:
        return self.languages(cursor) if languages is None else languages


class SearchBackend(Protocol):
    def create_schema(self, cursor) -> None: ...
    def drop_schema(self, cursor) -> None: ...
    def index(self, cursor, rows: list[IndexRow], *, fresh: bool = False) -> None: ...
    def remove(self, cursor, article_ids: list[int]) -> None: ...
    def languages(self, cursor) -> tuple[str, ...]:
        """The stemmers' codes of the languages indexed articles are in."""
        ...
    # ``languages``: the codes a query is stemmed in ("" unstemmed; none given: unstemmed);
    # None for every language the index holds.
    def matching_ids_sql(self, query: ParsedQuery, newest: int,
                         languages: tuple[str, ...]) -> tuple[str, list]: ...
    def clear(self, cursor) -> None: ...
    def indexed_count(self, cursor) -> int: ...
    # ``scope_sql``: a subquery of the ids (and publication times) a search may return;
    # ``row_scope``: the same rule, for an engine that keeps it in the search row and
    # tests it there instead of joining the subquery (None, or an engine that does not:
    # the subquery).
    # ``many``: rank newest first in windows (exact, cheaper when there are very many
    # matches); ``now``: the time ages are counted from (one per search).
    def search(self, cursor, *, scope_sql: str, scope_params: tuple, query: ParsedQuery,
               limit: int, offset: int, many: bool = False,
               languages: tuple[str, ...] | None = None,
               now: datetime | None = None,
               row_scope: RowScope | None = None) -> list[RawHit]: ...
    def count(self, cursor, *, scope_sql: str, scope_params: tuple, query: ParsedQuery,
              cap: int, languages: tuple[str, ...] | None = None,
              row_scope: RowScope | None = None) -> int: ...
    def time_budget(self, connection, seconds: float) -> AbstractContextManager[None]:
        """Queries run inside stop after ``seconds`` with SearchTooSlow."""
        ...


def backend_for(connection) -> SearchBackend:
    if connection.vendor == "sqlite":
        from wiredesk.search.backends.sqlite import SqliteFts5Backend

        return SqliteFts5Backend()
    if connection.vendor == "postgresql":
        from wiredesk.search.backends.postgres import PostgresBackend

        return PostgresBackend()
    raise RuntimeError(f"no search backend for database engine {connection.vendor!r}")
