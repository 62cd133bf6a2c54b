"""Keep the index in step with articles, rebuild it, and answer an edition's queries.

The index holds the text of every article that is not killed; *what may be shown* is
decided at query time by ``editions.selectors.public_q`` and the edition's placements
(the rule, not a flag written once), so a hold, an embargo or a placement change never
leaves the index wrong. PostgreSQL holds that state in each search row, kept in step by
triggers in the transaction of every write (``backends.pg_scope``), and tests the rule
there (``row_scope``); SQLite joins the articles and placements.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from wiredesk.editions.models import Edition
from wiredesk.editions.selectors import public_q
from wiredesk.newsroom.models import Agency, Article, Section
from wiredesk.newsroom.runs import batched
from wiredesk.search.backends import IndexRow, RowScope, backend_for
from wiredesk.search.query import ParsedQuery, parse_query
from wiredesk.search.text import (
    bounded,
    clean_plain,
    highlight,
    marked_to_html,
    plain_text,
    snippet,
)
from wiredesk.wire.searchterms import language_code

log = logging.getLogger(__name__)

PAGE_SIZE = 10
MAX_PAGE = 50  # deep pages cost the engine a full rank; nobody reads page 51
# Matches are counted up to what the pages can show (MAX_PAGE full pages), one more to know
# that there are more: "More than 500 results". Each match counted is a probe of its
# article's scope (placement, status), so counting further costs a search at a million
# articles more than ranking its page.
COUNT_CAP = MAX_PAGE * PAGE_SIZE
WINDOWED_FROM = 500  # matches; fewer are all ranked in one statement (bounded work)


def index_body(article_id: int | None, body_html: str, lead: str) -> str:
    """The body text the index holds: bounded, so no single article can make indexing
    fail (a PostgreSQL tsvector holds 1 MB at most) or searches that match it slow."""
    body = plain_text(body_html) or plain_text(lead)
    limit = settings.WIREDESK_SEARCH_INDEX_CHARS
    if len(body) > limit:
        log.warning("search: article %s has %d characters of body text; only the first %d "
                    "are searchable (WIREDESK_SEARCH_INDEX_CHARS)", article_id, len(body), limit)
        body = bounded(body, limit)
    return body


def default_language() -> str:
    """The stemmer of articles whose language is not known: WIREDESK_SEARCH_LANGUAGE, a
    PostgreSQL configuration's name (``english``) or a language tag (``en``)."""
    return language_code(settings.WIREDESK_SEARCH_LANGUAGE)


def indexed_language(article) -> str:
    """The stemmer's code an article is indexed (and highlighted) with: its own
    language's, none for a language no stemmer knows, the default when unknown."""
    return language_code(article.language) if article.language else default_language()


INDEXED_FIELDS = ("id", "headline", "lead", "body_html", "language")


def index_row(article) -> IndexRow:
    """What the index holds of an article (or of a migration's historical one)."""
    return IndexRow(article_id=article.pk, headline=clean_plain(article.headline),
                    body=index_body(article.pk, article.body_html, article.lead),
                    language=indexed_language(article))


def index_articles(articles: Iterable[Article], *, fresh: bool = False) -> None:
    """Write (or drop, for killed ones) these articles' index rows in the current transaction.

    ``fresh``: the articles have no index rows yet (just inserted), none to replace. In a
    batch (``newsroom.runs.batch``: a document's items, the intelligence stage's turn) the
    rows are written once for all its articles as it ends, in its transaction."""
    pending = batched("search.index", PendingIndex, PendingIndex.write)
    if pending is not None:
        for article in articles:
            pending.add(article, fresh=fresh)
        return
    keep, drop = [], []
    for article in articles:
        (drop if article.status == Article.Status.KILLED else keep).append(article)
    backend = backend_for(connection)
    with connection.cursor() as cursor:
        if drop:
            backend.remove(cursor, [a.pk for a in drop])
        if keep:
            backend.index(cursor, [index_row(a) for a in keep], fresh=fresh)


class PendingIndex(dict):
    """A batch's index writes, by article id: the row it will hold (None: none, killed),
    and whether the index holds an older row to replace, in the order first seen."""

    def add(self, article: Article, *, fresh: bool) -> None:
        killed = article.status == Article.Status.KILLED
        _, stored = self.get(article.pk, (None, not fresh))
        self[article.pk] = (None if killed else index_row(article), stored)

    def copy(self) -> PendingIndex:
        return PendingIndex(self)

    def write(self) -> None:
        backend = backend_for(connection)
        replaced = [pk for pk, (_row, stored) in self.items() if stored]
        rows = [row for row, _stored in self.values() if row is not None]
        with connection.cursor() as cursor:
            if replaced:
                backend.remove(cursor, replaced)
            if rows:
                backend.index(cursor, rows, fresh=True)


def remove_articles(article_ids: list[int]) -> None:
    pending = batched("search.index", PendingIndex, PendingIndex.write)
    if pending is not None:  # what the batch would write for them goes with them
        for pk in article_ids:
            if pk in pending:
                pending[pk] = (None, pending[pk][1])
    with connection.cursor() as cursor:
        backend_for(connection).remove(cursor, article_ids)


def reindex(*, batch_size: int = 500,
            progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild the whole index from the articles; returns how many rows were written."""
    backend = backend_for(connection)
    total = Article.objects.count()
    done = 0
    with transaction.atomic(), connection.cursor() as cursor:
        backend.clear(cursor)
    last_id = 0
    while True:
        # Each batch's articles locked as an update of them would (PostgreSQL): a write
        # of one of their placements meanwhile waits, or is waited for, and the rows
        # hold what it committed (backends.pg_scope.SCOPE_TRIGGERS).
        with transaction.atomic():
            batch = list(Article.objects.filter(pk__gt=last_id).order_by("pk")
                         .select_for_update(no_key=True)
                         .only(*INDEXED_FIELDS, "status")[:batch_size])
            if not batch:
                break
            index_articles(batch)
        last_id = batch[-1].pk
        done += len(batch)
        if progress:
            progress(done, total)
    with connection.cursor() as cursor:
        return backend.indexed_count(cursor)


@dataclass
class SearchFilters:
    section: Section | None = None
    agency: Agency | None = None
    since: datetime | None = None  # inclusive, UTC
    until: datetime | None = None  # exclusive, UTC


@dataclass
class SearchHit:
    article: Article
    headline_html: str
    snippet_html: str
    score: float


@dataclass
class SearchResults:
    query: ParsedQuery
    page: int
    page_size: int
    total: int  # at most COUNT_CAP
    hits: list[SearchHit] = field(default_factory=list)
    more: bool = False  # more matches than ``total``: the count stopped at COUNT_CAP

    @property
    def total_capped(self) -> bool:
        return self.more

    @property
    def num_pages(self) -> int:
        return min(MAX_PAGE, max(1, -(-self.total // self.page_size)))

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def scope_queryset(edition: Edition, filters: SearchFilters):
    """The articles a search on this edition may return: public and carried by it."""
    qs = Article.objects.filter(public_q(), placements__edition=edition)
    if filters.section is not None:
        qs = qs.filter(section=filters.section)
    if filters.agency is not None:
        qs = qs.filter(agency=filters.agency)
    if filters.since is not None:
        qs = qs.filter(published_at__gte=filters.since)
    if filters.until is not None:
        qs = qs.filter(published_at__lt=filters.until)
    return qs.order_by().values("id", "published_at")


def row_scope(edition: Edition, filters: SearchFilters) -> RowScope:
    """The same scope as ``scope_queryset``'s, for a backend that tests it in the row."""
    return RowScope(edition_id=edition.pk, now=timezone.now(),
                    section_id=filters.section.pk if filters.section is not None else None,
                    agency_id=filters.agency.pk if filters.agency is not None else None,
                    since=filters.since, until=filters.until)


def search_edition(edition: Edition, raw_query: str, *, filters: SearchFilters | None = None,
                   page: int = 1, page_size: int = PAGE_SIZE) -> SearchResults:
    query = parse_query(raw_query)
    page = min(max(1, page), MAX_PAGE)
    results = SearchResults(query=query, page=page, page_size=page_size, total=0)
    if query.empty:
        return results
    filters = filters or SearchFilters()
    scope_sql, scope_params = scope_queryset(edition, filters).query.sql_with_params()
    scope = row_scope(edition, filters)
    backend = backend_for(connection)
    with _budget(backend), connection.cursor() as cursor:
        languages = backend.languages(cursor)  # read once for both queries
        counted = backend.count(cursor, scope_sql=scope_sql, scope_params=scope_params,
                                row_scope=scope, query=query, languages=languages,
                                cap=COUNT_CAP + 1)
        results.total, results.more = min(counted, COUNT_CAP), counted > COUNT_CAP
        if not results.total:
            return results
        # From WINDOWED_FROM matches on, newest first in windows, stopped when no older match
        # can reach the page: the results of ranking every match, for work that does not
        # grow with the archive. Fewer are ranked at once, in one statement.
        raw = backend.search(cursor, scope_sql=scope_sql, scope_params=scope_params,
                             row_scope=scope, query=query, languages=languages, limit=page_size,
                             offset=(page - 1) * page_size,
                             many=results.total >= min(WINDOWED_FROM, COUNT_CAP))
    articles = Article.objects.select_related("agency", "section").in_bulk(
        [hit.article_id for hit in raw])
    words = query.words()
    results.hits = []
    for hit in raw:
        article = articles.get(hit.article_id)
        if article is None:
            continue
        language = indexed_language(article)
        results.hits.append(SearchHit(
            article=article, score=hit.score,
            headline_html=marked_to_html(highlight(hit.headline, language, words)),
            snippet_html=marked_to_html(snippet(highlight(hit.body, language, words)))))
    return results


def matching_article_ids_sql(raw_query: str, newest: int) -> tuple[str, list] | None:
    """SQL (and parameters) selecting the ids of the ``newest`` articles (by id, which
    grows with time) whose indexed headline or text hold every word
    of ``raw_query``: the index's own lookup, never a scan of the archive, and bounded
    however common the word; what the desk's article list searches with. Killed articles
    are not in the index. The SQL is the backend's own; what was typed is a parameter."""
    query = parse_query(raw_query)
    if query.empty:
        return None
    backend = backend_for(connection)
    with connection.cursor() as cursor:
        languages = backend.languages(cursor)
    return backend.matching_ids_sql(query, newest, languages)


def _budget(backend):
    """Every query of one search shares WIREDESK_SEARCH_TIMEOUT_MS (0: no limit); past it
    the search stops with SearchTooSlow, since a changed query string misses the cache."""
    milliseconds = settings.WIREDESK_SEARCH_TIMEOUT_MS
    if milliseconds <= 0:
        return nullcontext()
    return backend.time_budget(connection, milliseconds / 1000)
