"""Story intelligence as a step of storing, or as its own stage after it.

``WIREDESK_INTELLIGENCE=inline`` (the default): each stored article goes through the step
in its item's transaction. ``deferred``: storing only records the article as due
(``EnrichmentDue``, in its transaction) and ``enrich_due`` — the ``enrich-articles`` job,
and a task queued after each ingested document — takes the due articles in the order they
were stored, one writer per installation (a lock), each in its own transaction. A new
article is on the pages as soon as it is stored; its copy, story, SEE ALSO, tags and a
predicted section follow, and the pages that show it change with them (``post_save``
bumps their stamps; ``article_enriched`` lets editions place it again when its section
moved).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from wiredesk.core.locks import single_flight
from wiredesk.core.prepared import planned_once, prepared_statements
from wiredesk.newsroom import intelligence
from wiredesk.newsroom.models import Article, EnrichmentDue
from wiredesk.newsroom.runs import batch, batch_savepoint, ingest_run
from wiredesk.newsroom.signals import article_enriched

log = logging.getLogger("wiredesk.newsroom.services")

LOCK = "newsroom:intelligence"
# Articles taken per turn of the lock, each turn one transaction: a storing process or an
# editor's kill may wait for its commit, so it stays small (25 articles, about 0.3 s of
# work; 100 was no faster: benchmarks/enrich_stage.py, 81 against 77 items per CPU second)
# and far inside the lock's expiry even at the step's slowest.
BATCH = 25
LOCK_TTL = 300


def deferred() -> bool:
    return settings.WIREDESK_INTELLIGENCE == "deferred"


def enrich(article: Article, *, created: bool) -> None:
    """The step for a stored article: now (inline), or recorded as due (deferred).
    Called inside the item's transaction."""
    if deferred():
        mark_due(article, created=created)
    else:
        enrich_now(article, created=created)


_ADD_DUE = (f"INSERT INTO {EnrichmentDue._meta.db_table}"  # noqa: S608
            ' (article_id, "first", stored_at) VALUES (%s, %s, %s)')


def mark_due(article: Article, *, created: bool) -> None:
    """Record the article as waiting for the stage. Stored again before its turn, it keeps
    its place and its first arrival's time (the lag is counted from there)."""
    if created:  # inserted in this transaction: nothing can be recorded for it yet
        # Plain SQL: one row for every new article, the ORM's INSERT cost more (storing).
        with connection.cursor() as cursor:
            cursor.execute(_ADD_DUE, [article.pk, True, connection.ops
                                      .adapt_datetimefield_value(timezone.now())])
        return
    EnrichmentDue.objects.get_or_create(article=article, defaults={
        "first": created, "stored_at": timezone.now()})


def enrich_now(article: Article, *, created: bool) -> None:
    """Story intelligence (duplicates, story, related, section); never costs the item itself."""
    try:
        # In the stage's batch, what the step keeps for the batch's end (term and line
        # counts, stamps, change log) is put back with its savepoint too.
        with batch_savepoint(), transaction.atomic():
            intelligence.enrich_article(article, created=created)
    except Exception:
        log.exception("story intelligence failed for article %s; stored without it", article.pk)
        # The step's changes were rolled back: receivers must see what is stored.
        article.refresh_from_db()


@dataclass
class EnrichRun:
    """What one run of the stage did; ``lags`` are seconds from storing to enriched."""

    enriched: int = 0
    busy: bool = False  # another process holds the stage
    lags: list[float] = field(default_factory=list)

    def summary(self) -> str:
        if not self.enriched:
            return "another process is enriching" if self.busy else "nothing to enrich"
        lags = sorted(self.lags)
        return (f"{self.enriched} article(s) enriched; lag p50 {lags[len(lags) // 2]:.1f} s,"
                f" max {lags[-1]:.1f} s")


def enrich_due(*, limit: int | None = None) -> EnrichRun:
    """Take the articles due for story intelligence, oldest first, until none is left (or
    ``limit``). Returns at once when another process holds the stage: that one goes on
    until the queue is empty, and the periodic job catches what arrives as it stops.

    Each turn of the lock takes a batch in one transaction, each article in a savepoint of
    its own: an article whose turn fails loses only its own work (the batch before it is
    committed, then the failure is raised, as when each article had its own transaction).
    What pages and caches learn of the batch — edition stamps — is written once for it,
    before it commits (``runs.batch``)."""
    run = EnrichRun()
    _page_cache()
    while limit is None or run.enriched < limit:
        with single_flight(LOCK, ttl=LOCK_TTL) as mine:
            if not mine:
                run.busy = True
                return run
            size = BATCH if limit is None else min(BATCH, limit - run.enriched)
            due = list(EnrichmentDue.objects.order_by("id")
                       .values_list("id", "article_id", "first", "stored_at")[:size])
            if not due:
                return run
            done, failure = _enrich_batch(due)
            enriched_at = timezone.now()  # committed: the pages show them enriched from now
            run.enriched += len(done)
            run.lags.extend((enriched_at - stored_at).total_seconds() for stored_at in done)
            if failure is not None:
                raise failure
    return run


# SQLite's page cache for the stage's connection, in KiB (SQLite's default is 2,000): the
# indexes every article reads and writes (story terms, LSH bands, term frequencies, story
# rows) stay in memory instead of being read again from the file (the operating system's
# cache) at every turn; ~5% of the stage's CPU on a 600-item burst (BENCHMARKS.md).
# Memory is only taken as pages are read, up to this much, for this connection alone.
SQLITE_CACHE_KIB = 32 * 1024


def _page_cache() -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{int(SQLITE_CACHE_KIB)}")


def _enrich_batch(due) -> tuple[list, Exception | None]:
    """Enrich the due articles in one transaction: the arrival times of those enriched, and
    the failure that stopped the batch early (its article's work undone, the others' kept)."""
    done: list = []
    done_ids: list[int] = []
    failure = None
    # ``ingest_run``: what receivers read once per run (editions' rules).
    # PostgreSQL: the stage's ~35 statements an article come from a few hundred texts used
    # over and over; prepared and planned once for the batch, the stage and its server do
    # 1.24x the items per CPU second over a burst just stored, 1.07x at a 10,000-item
    # burst's tail (BENCHMARKS.md).
    with prepared_statements(), ingest_run(), transaction.atomic(), planned_once(), batch():
        # The batch's articles read (and on PostgreSQL locked) at once: nobody else changes
        # them before the batch commits. Within it, a turn may move another article of the
        # batch to a story or make it a copy: each reads its own links again at its turn.
        articles = {a.pk: a for a in Article.objects.select_for_update()
                    .select_related("agency").filter(pk__in=[row[1] for row in due])
                    .order_by("pk")}
        for due_id, article_id, first, stored_at in due:
            try:
                _enrich_one(articles.get(article_id), first=first)
            except Exception as error:  # raised once what went before it is committed
                failure = error
                break
            done.append(stored_at)
            done_ids.append(due_id)
        EnrichmentDue.objects.filter(pk__in=done_ids).delete()
    return done, failure


_LINKS = (f"SELECT story_id, duplicate_of_id FROM {Article._meta.db_table}"  # noqa: S608
          " WHERE id = %s")


def _enrich_one(article: Article | None, *, first: bool) -> None:
    """One article's turn, in a savepoint of the batch's transaction; what the batch keeps
    to write as it ends (stamps, change log, term and line counts) is put back with it if
    the turn fails. As ``enrich_now``, the step itself failing only costs the article its
    enrichment: its work is undone, then the turn goes on with the article as stored. One
    savepoint for both (the step's own is made only when it failed): the statements of a
    second savepoint per article were 2 of the ~25 a turn sends."""
    if article is None:  # deleted before its turn
        return
    started = time.monotonic()
    step_failed = False
    try:
        with batch_savepoint(), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(_LINKS, [article.pk])
                article.story_id, article.duplicate_of_id = cursor.fetchone()
            section_before = article.section_id
            try:
                intelligence.enrich_article(article, created=first)
            except Exception:
                step_failed = True
                raise
            _enriched(article, section_before)
    except Exception:
        if not step_failed:
            raise
        log.exception("story intelligence failed for article %s; stored without it",
                      article.pk)
        # The step's changes were rolled back: what follows sees what is stored.
        article.refresh_from_db()
        with batch_savepoint(), transaction.atomic():
            _enriched(article, article.section_id)
    log.debug("article %s enriched in %.0f ms", article.pk,
              (time.monotonic() - started) * 1000)


def _enriched(article: Article, section_before: int | None) -> None:
    if article.status == Article.Status.KILLED:
        # Killed before its turn: what a kill does to its story and copies, now that
        # it has them (as if enriched when stored, then killed).
        intelligence.article_withdrawn(article)
    article_enriched.send(sender=Article, article=article,
                          section_changed=article.section_id != section_before)


def after_document() -> None:
    """A document's items are stored: start the stage on them (deferred only). On Celery a
    task is queued; in the embedded default it runs here, once for the whole document."""
    if deferred():
        from wiredesk.core.taskqueue import dispatch

        transaction.on_commit(lambda: dispatch("newsroom.enrich_due"))


def backlog() -> int:
    """Articles stored and still waiting for the stage."""
    return EnrichmentDue.objects.count()
