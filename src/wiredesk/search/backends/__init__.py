"""One search backend per database engine; ``backend_for(connection)`` picks it."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from django.utils.translation import gettext

from wiredesk.errors import WiredeskError
from wiredesk.search.query import ParsedQuery

# Relevance is divided by (1 + age_in_days / RECENCY_DAYS): a week-old perfect match
# still beats a fresh passing mention, a year-old one does not.
RECENCY_DAYS = 30.0
# A query matching very many articles (a common word) is ranked over its most recent
# RANK_WINDOW matches only: ranking every match would grow with the archive, and with the
# recency weighting older matches could not reach the first pages anyway.
RANK_WINDOW = 5000


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
    headline: str  # engine output with highlight markers
    body: str  # the whole indexed body with highlight markers; the service cuts the snippet
    score: float


class SearchBackend(Protocol):
    def create_schema(self, cursor) -> None: ...
    def drop_schema(self, cursor) -> None: ...
    def index(self, cursor, rows: list[tuple[int, str, str]]) -> None: ...
    def remove(self, cursor, article_ids: list[int]) -> None: ...
    def matching_ids_sql(self, query: ParsedQuery, newest: int) -> tuple[str, list]: ...
    def clear(self, cursor) -> None: ...
    def indexed_count(self, cursor) -> int: ...
    def search(self, cursor, *, scope_sql: str, scope_params: tuple, query: ParsedQuery,
               limit: int, offset: int, many: bool = False) -> list[RawHit]: ...
    def count(self, cursor, *, scope_sql: str, scope_params: tuple, query: ParsedQuery,
              cap: int) -> int: ...
    def time_budget(self, connection, seconds: float) -> AbstractContextManager[None]:
        """Queries run inside stop after ``seconds`` with SearchTooSlow."""
        ...


def backend_for(connection) -> SearchBackend:
    if connection.vendor == "sqlite":
        from wiredesk.search.backends.sqlite import SqliteFts5Backend

        return SqliteFts5Backend()
    if connection.vendor == "postgresql":
        from django.conf import settings

        from wiredesk.search.backends.postgres import PostgresBackend

        return PostgresBackend(config=settings.WIREDESK_SEARCH_LANGUAGE)
    raise RuntimeError(f"no search backend for database engine {connection.vendor!r}")
