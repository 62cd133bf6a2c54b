"""A document (a feed, a file, a message) made into items and each item stored: one failing
item never stops the others, and the report says what happened to each.

A document's items are stored in one transaction (up to ``ITEMS_PER_TRANSACTION`` of them:
a 3,000-item file must not hold SQLite's write lock for its whole length), each item in a
savepoint of its own, inside one ``runs.batch``: what every item's receivers write once
for all of them (edition stamps, the change log) is written once as the transaction ends,
and a failing item's savepoint undoes its own work alone.
"""

from __future__ import annotations

import logging
from itertools import islice

from django.db import transaction

from wiredesk.core.prepared import planned_once, prepared_statements
from wiredesk.newsroom.models import (
    Agency,
    Feed,
)
from wiredesk.newsroom.runs import batch, batch_savepoint, ingest_run
from wiredesk.newsroom.services import enrichment
from wiredesk.newsroom.services.fulltext import (
    FULL_TEXT_BELOW,
    MAX_PAGES_PER_POLL,
    fill_full_text,
)
from wiredesk.newsroom.services.ingest import (
    IngestContext,
    Stored,
    log,
    plainly_unchanged,
    store_item,
)
from wiredesk.newsroom.services.reports import IngestReport
from wiredesk.wire import fetch as wire_fetch
from wiredesk.wire.pipeline import process

# Items stored in one transaction: one commit (and one write of the stamps and change log)
# for a feed's worth of items, while another writer waits at most for this many items'
# work (about half a second on the 2-core machine of BENCHMARKS.md).
ITEMS_PER_TRANSACTION = 100


def ingest_bytes(data: bytes, *, agency: Agency, source: str, feed: Feed | None = None,
                 content_type: str = "") -> IngestReport:
    report = IngestReport(source=source)
    trust = agency.trust_guids and (feed is None or feed.guids_trusted)
    result = process(data, zone=agency.time_zone, base_url=source if
                     wire_fetch.is_url(source) else "", content_type=content_type,
                     trust_guid=trust, guid_memory=feed.guid_memory if feed else None)
    report.errors.extend(result.errors)
    if feed is not None:
        feed.guid_memory = result.identity.memory
        if trust and not result.identity.trust_guid:
            # Once broken, always distrusted: flipping back and forth would mint duplicates.
            feed.guids_trusted = False
            feed.identity_note = result.identity.problem[:2000]
            log.warning("feed %s: guids not trusted: %s", feed.source, feed.identity_note)
        elif result.identity.problem and not feed.identity_note:
            feed.identity_note = result.identity.problem[:2000]
    if feed is not None and result.format and feed.format != result.format:
        feed.format = result.format
        if result.title and not feed.title:
            feed.title = result.title[:300]
    context = IngestContext.load(agency, [item.identity for item in result.items])
    summaries_only = []
    items = iter(result.items)
    with ingest_run():  # the document's items share what receivers read once per run
        while chunk := list(islice(items, ITEMS_PER_TRANSACTION)):
            # A re-poll's unchanged items need no transaction, nor a savepoint each.
            chunk = [item for item in chunk if not _seen_unchanged(item, context, report)]
            if not chunk:
                continue
            # PostgreSQL: the chunk's items send the same statement texts over and over
            # (storing, placing, inline intelligence): bound, prepared and planned once.
            with prepared_statements(), transaction.atomic(), planned_once(), batch():
                for item in chunk:
                    stored = _store_one(item, agency=agency, feed=feed, context=context,
                                        source=source, report=report)
                    if stored is None:
                        continue
                    outcome = stored.outcome
                    setattr(report, outcome, getattr(report, outcome) + 1)
                    if stored.article is not None and outcome in ("created", "updated"):
                        report.article_ids.append(stored.article.pk)
                    if (outcome == "created" and feed is not None and feed.full_text
                            and item.link and len(item.body_html) < FULL_TEXT_BELOW):
                        summaries_only.append(item)
    if report.store_failures:
        log.error("%s: %d of %d item(s) failed to store; first: %s", source,
                  report.store_failures, report.seen + report.store_failures,
                  report.store_errors[0])
    for item in summaries_only[:MAX_PAGES_PER_POLL]:
        problem = fill_full_text(agency=agency, item=item)
        if problem:
            report.errors.append(problem)
    if report.created or report.updated:
        enrichment.after_document()
    return report


def _seen_unchanged(item, context: IngestContext, report: IngestReport) -> bool:
    """The item is the stored copy itself (counted as unchanged): nothing to write."""
    if plainly_unchanged(item, context):
        report.unchanged += 1
        return True
    return False


def _store_one(item, *, agency: Agency, feed: Feed | None, context: IngestContext,
               source: str, report: IngestReport) -> Stored | None:
    """Store one item in a savepoint of the document's transaction; None when it failed
    (its work undone, the failure on the report and in the log)."""
    known = context.known.get(item.identity)
    try:
        with batch_savepoint(), transaction.atomic():
            return store_item(item, agency=agency, feed=feed, context=context,
                              savepoint=False)
    except Exception as exc:
        if known is None:  # what the failed turn remembered of its item was undone with it
            context.known.pop(item.identity, None)
        else:
            context.known[item.identity] = known
        problem = (f"{item.headline[:60]!r}: {type(exc).__name__}: "
                   f"{' '.join(str(exc).split())[:300]}")
        report.errors.append(problem)
        report.store_errors.append(problem)
        report.store_failures += 1
        # One line per item; one traceback per run (the others at DEBUG): a full
        # disk failing 3,000 items must not bury the log in tracebacks.
        first = report.store_failures == 1
        log.log(logging.ERROR if first else logging.WARNING,
                "storing item %s from %s failed: %s", item.identity, source, problem,
                exc_info=first)
        if not first:
            log.debug("storing item %s failed", item.identity, exc_info=True)
        return None
