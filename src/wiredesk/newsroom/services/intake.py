"""Feeds that are drop folders or mailboxes: each file or message taken once, its copy
stored through ``ingest_bytes`` like any feed's, how it went kept in the ``Intake`` ledger.

``feeds.feed_poll`` calls :func:`intake_poll` for these feeds, so they share the feed's
schedule (the embedded scheduler and Celery alike), backoff and error record: a folder or
mailbox that cannot be reached is a failed poll (``WireError``, backed off), while a file
or message that cannot be read is recorded on its own ledger row and in the feed's last
error, and never stops the others.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import DatabaseError, IntegrityError, transaction

from wiredesk.newsroom.models import Feed, Intake
from wiredesk.newsroom.services.documents import ingest_bytes
from wiredesk.newsroom.services.reports import IngestReport
from wiredesk.wire import drops, sources
from wiredesk.wire import fetch as wire_fetch
from wiredesk.wire.types import WireError

log = logging.getLogger("wiredesk.newsroom.services")

MAX_FILES_PER_POLL = 200  # the rest are taken at the next poll, which comes soon


@dataclass(frozen=True, slots=True)
class Taken:
    """One file's or message's ledger entry, before it is written."""

    key: str
    name: str
    size: int | None
    outcome: str
    detail: str = ""
    articles: int = 0


def intake_poll(feed: Feed, *, now: datetime) -> IngestReport:
    """Poll a drop folder or mailbox feed once. Raises WireError when the folder or
    mailbox cannot be reached at all."""
    address = sources.parse_source(feed.source)
    if feed.transport == Feed.Transport.IMAP:
        from wiredesk.newsroom.services.mailbox import mailbox_poll

        return mailbox_poll(feed, address, now=now)
    return _drop_poll(feed, address, now=now)


def _settings():
    from django.conf import settings

    return settings


def already_taken(feed: Feed, keys: list[str]) -> set[str]:
    taken: set[str] = set()
    for start in range(0, len(keys), 500):  # stay under SQLite's variable limit
        taken.update(Intake.objects.filter(feed=feed, key__in=keys[start:start + 500])
                     .values_list("key", flat=True))
    return taken


def record(feed: Feed, entry: Taken) -> None:
    """Write the ledger row: from now on the file or message is never taken again."""
    try:
        with transaction.atomic():
            Intake.objects.create(feed=feed, key=entry.key, name=entry.name[:500],
                                  size=entry.size, outcome=entry.outcome,
                                  detail=entry.detail[:4000], articles=entry.articles)
    except IntegrityError:
        pass  # another poller took it at the same moment; its row stands


def merge(report: IngestReport, part: IngestReport, label: str) -> None:
    """Add one document's report to the poll's, its errors named by file or message."""
    for name in ("created", "updated", "unchanged", "skipped", "store_failures"):
        setattr(report, name, getattr(report, name) + getattr(part, name))
    stored_errors = set(part.store_errors)
    report.errors.extend(f"{label}: {e}" for e in part.errors if e not in stored_errors)
    for problem in part.store_errors:
        report.errors.append(f"{label}: {problem}")
        report.store_errors.append(f"{label}: {problem}")
    report.article_ids.extend(part.article_ids)


def _drop_poll(feed: Feed, address: sources.SourceAddress, *, now: datetime) -> IngestReport:
    settings = _settings()
    report = IngestReport(source=feed.shown_source)
    done = address.option("done", "done")
    failed = address.option("failed", "failed")
    with drops.open_folder(address, timeout=settings.WIREDESK_FETCH_TIMEOUT,
                           policy=wire_fetch.FetchPolicy(settings.WIREDESK_FETCH_ALLOW)
                           ) as folder:
        listing = folder.list()
        ready, memory, waiting = drops.settled(
            listing, (feed.intake_state or {}).get("seen", {}), now=now.timestamp(),
            settle=settings.WIREDESK_DROP_SETTLE_SECONDS)
        # Kept even when the connection fails below (the feed is saved either way), and
        # files moved away drop out of it by themselves at the next listing.
        feed.intake_state = {**(feed.intake_state or {}), "seen": memory}
        taken = already_taken(feed, [f.key for f in ready])
        todo = [f for f in ready if f.key not in taken]
        report.waiting = waiting + max(len(todo) - MAX_FILES_PER_POLL, 0)
        for entry in todo[:MAX_FILES_PER_POLL]:
            outcome = _take(feed, folder, entry, report)
            if outcome is None:
                report.waiting += 1
                continue  # its items could not be written: taken again next poll
            subfolder = failed if outcome == Intake.Outcome.FAILED else done
            if subfolder:
                problem = folder.move(entry.name, subfolder)
                if problem:
                    report.errors.append(f"{entry.name}: {problem}")
                    log.warning("drop folder %s: %s %s", feed.shown_source, entry.name,
                                problem)
    return report


def _take(feed: Feed, folder, entry: drops.DropFile, report: IngestReport) -> str | None:
    """Read, ingest and record one file; its outcome, or None to take it again later."""
    settings = _settings()
    label = entry.name
    limit = settings.WIREDESK_FETCH_MAX_BYTES
    try:
        if entry.size > limit:
            raise drops.FileRefused(f"{entry.size} bytes, over the {limit}-byte limit")
        data = folder.read(entry.name, max_bytes=limit)
        part = ingest_bytes(data, agency=feed.agency, source=f"{feed.shown_source}#{label}",
                            feed=feed)
        if not part.seen and not part.store_failures:
            # An empty feed is a quiet hour; a delivered file without one item is broken.
            raise WireError("; ".join(part.errors[:3]) or "no item could be read from it")
    except (drops.DropError, DatabaseError):
        raise  # the connection or the database failed: the whole poll is tried again
    except Exception as exc:  # WireError, or a parser beaten by hostile bytes
        problem = " ".join(str(exc).split())[:1000]
        if not isinstance(exc, WireError):
            problem = f"{type(exc).__name__}: {problem}"
            log.exception("drop folder %s: %s broke the parser", feed.shown_source, label)
        report.errors.append(f"{label}: {problem}")
        record(feed, Taken(entry.key, entry.name, entry.size, Intake.Outcome.FAILED, problem))
        log.warning("drop folder %s: %s refused: %s", feed.shown_source, label, problem,
                    extra={"event": "intake_failed", "feed_id": feed.pk, "file": label})
        return Intake.Outcome.FAILED
    merge(report, part, label)
    if part.store_failures:
        return None
    record(feed, Taken(entry.key, entry.name, entry.size, Intake.Outcome.STORED,
                       part.summary().removeprefix(f"{part.source}: "), len(part.article_ids)))
    return Intake.Outcome.STORED
