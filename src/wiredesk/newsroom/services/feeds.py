"""Agencies, sections and feeds, and polling the feeds: fetch, ingest, record, back off."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.text import slugify

from wiredesk.newsroom.errors import ServiceError
from wiredesk.newsroom.models import Agency, Feed, Section
from wiredesk.newsroom.services.documents import ingest_bytes
from wiredesk.newsroom.services.reports import IngestReport
from wiredesk.wire import fetch as wire_fetch
from wiredesk.wire import sources
from wiredesk.wire.types import WireError

log = logging.getLogger("wiredesk.newsroom.services")

MAX_BACKOFF = timedelta(hours=6)
STORE_RETRY = timedelta(minutes=1)


def agency_ensure(*, code: str, name: str = "", time_zone: str = "") -> Agency:
    code = code.strip().upper()
    if not code or len(code) > 32:
        raise ServiceError("an agency code is 1 to 32 characters, e.g. RFE")
    agency, created = Agency.objects.get_or_create(
        code=code, defaults={"name": name or code, "time_zone": time_zone or "UTC"})
    changed = False
    if not created and name and agency.name != name:
        agency.name, changed = name, True
    if not created and time_zone and agency.time_zone != time_zone:
        agency.time_zone, changed = time_zone, True
    if changed:
        agency.save()
    return agency


def section_ensure(*, slug: str, name: str = "", aliases: str = "",
                   position: int = 100) -> Section:
    slug = slugify(slug)
    section, _created = Section.objects.get_or_create(
        slug=slug, defaults={"name": name or slug.title(), "aliases": aliases,
                             "position": position})
    return section


def _source_and_transport(source: str) -> tuple[str, str]:
    """The source as stored (a local path resolved) and its transport; refuses a source
    that cannot be one."""
    transport = sources.transport_of(source)
    if not transport:
        raise ServiceError(f"unknown kind of source: {sources.redact(source)[:200]} (http, "
                           "https, ftp, ftps, sftp, imap, imaps, file:// or a path)")
    if transport == "http":
        return source, transport
    try:
        address = sources.parse_source(source)
    except WireError as exc:
        raise ServiceError(str(exc)) from exc
    if transport in ("file", "folder"):
        from pathlib import Path

        path = Path(address.path).expanduser().resolve()
        if path.is_dir():
            return str(path), "folder"
        if path.is_file():
            return str(path), "file"
        raise ServiceError(f"no such file or folder: {address.path}")
    return source, transport


def feed_add(*, source: str, agency: Agency, every: timedelta | None = None,
             title: str = "", full_text: bool | None = None) -> Feed:
    source = source.strip()
    if not source:
        raise ServiceError("a feed needs a URL or a path")
    source, transport = _source_and_transport(source)
    if every is not None and every < timedelta(minutes=1):
        raise ServiceError("the poll interval must be at least one minute")
    feed, created = Feed.objects.get_or_create(
        source=source,
        defaults={"agency": agency, "poll_interval": every or timedelta(minutes=10),
                  "title": title, "full_text": bool(full_text), "transport": transport})
    if not created:
        feed.agency = agency
        if every is not None:
            feed.poll_interval = every
        if full_text is not None:
            feed.full_text = full_text
        feed.enabled = True
        feed.save(update_fields=["agency", "poll_interval", "enabled", "full_text"])
    return feed


def ingest_source(source: str, *, agency: Agency | None = None) -> IngestReport:
    """One-shot ingest of a URL or path. A known feed is polled as such (its state is kept)."""
    if not wire_fetch.is_url(source):
        from pathlib import Path

        source = str(Path(source).expanduser().resolve())
    feed = Feed.objects.filter(source=source).select_related("agency").first()
    if feed is not None and agency is None:
        return feed_poll(feed, force=True)
    if agency is None:
        raise ServiceError(f"{source} is not a known feed: say which agency with --agency")
    from django.conf import settings

    try:
        fetched = wire_fetch.fetch(source, timeout=settings.WIREDESK_FETCH_TIMEOUT,
                                   max_bytes=settings.WIREDESK_FETCH_MAX_BYTES,
                                   policy=wire_fetch.FetchPolicy(settings.WIREDESK_FETCH_ALLOW))
        return ingest_bytes(fetched.body, agency=agency, source=source, feed=feed,
                            content_type=fetched.content_type)
    except WireError as exc:
        report = IngestReport(source=source)
        report.errors.append(str(exc))
        return report


def _backoff(feed: Feed, retry_after: timedelta | None) -> timedelta:
    delay = feed.poll_interval * (2 ** min(feed.error_count, 10))
    delay = min(delay, MAX_BACKOFF)
    if retry_after is not None:
        delay = max(delay, min(retry_after, timedelta(days=1)))
    return delay


def feed_poll(feed: Feed, *, force: bool = False, now: datetime | None = None) -> IngestReport:
    """Poll one feed: fetch (conditionally), ingest, and record how it went on the Feed."""
    from django.conf import settings

    now = now or timezone.now()
    report = IngestReport(source=feed.shown_source)
    feed.last_polled_at = now
    try:
        if feed.transport in INTAKE_TRANSPORTS:
            report = _intake_poll(feed, now=now)
        else:
            report = _fetch_poll(feed, force=force)
        feed.last_success_at = now
        feed.error_count = 0
        feed.next_poll_at = now + feed.poll_interval
        if report.waiting:
            # Files still being written are looked at again once they can have settled.
            soon = timedelta(seconds=max(settings.WIREDESK_DROP_SETTLE_SECONDS, 5))
            feed.next_poll_at = now + min(feed.poll_interval, soon)
        error = "; ".join(report.errors)[:4000]
        if report.store_failures and error == feed.last_error:
            # The same items failed twice: not a passing fault. Keep the validators and
            # the usual interval, so they are tried again only when the feed changes.
            log.warning("feed %s: %d item(s) failed to store again; not retried until the "
                        "feed changes: %s", feed.shown_source, report.store_failures, error)
        elif report.store_failures:
            # Forget the validators so the next poll fetches the items again (a 304
            # would leave the unstored ones out for good), and come back soon.
            feed.etag = feed.last_modified = ""
            feed.next_poll_at = now + min(feed.poll_interval, STORE_RETRY)
        if report.errors:
            feed.last_error = error
            feed.last_error_at = now
        else:
            feed.last_error = ""
    except WireError as exc:
        report.errors.append(str(exc))
        feed.last_status = Feed.Status.ERROR
        feed.last_error = str(exc)[:4000]
        feed.last_error_at = now
        feed.error_count += 1
        retry_after = getattr(exc, "retry_after", None)
        feed.next_poll_at = now + _backoff(feed, retry_after)
        log.warning("feed %s failed: %s (next try %s)", feed.shown_source, exc,
                    feed.next_poll_at)
    feed.items_seen += report.seen
    feed.items_created += report.created
    feed.items_updated += report.updated
    feed.save()
    _count_poll(feed, report)
    return report


INTAKE_TRANSPORTS = frozenset({Feed.Transport.FOLDER, Feed.Transport.FTP,
                               Feed.Transport.SFTP, Feed.Transport.IMAP})


def _intake_poll(feed: Feed, *, now: datetime) -> IngestReport:
    from wiredesk.newsroom.services.intake import intake_poll

    report = intake_poll(feed, now=now)
    feed.last_status = Feed.Status.OK if (report.seen or report.errors) \
        else Feed.Status.NOT_MODIFIED
    return report


def _fetch_poll(feed: Feed, *, force: bool) -> IngestReport:
    from django.conf import settings

    fetched = wire_fetch.fetch(
        feed.source,
        etag="" if force else feed.etag,
        last_modified="" if force else feed.last_modified,
        timeout=settings.WIREDESK_FETCH_TIMEOUT,
        max_bytes=settings.WIREDESK_FETCH_MAX_BYTES,
        policy=wire_fetch.FetchPolicy(settings.WIREDESK_FETCH_ALLOW))
    if fetched.not_modified:
        feed.last_status = Feed.Status.NOT_MODIFIED
        return IngestReport(source=feed.shown_source, not_modified=True)
    report = ingest_bytes(fetched.body, agency=feed.agency, source=feed.source,
                          feed=feed, content_type=fetched.content_type)
    feed.etag = fetched.etag[:500]
    feed.last_modified = fetched.last_modified[:100]
    feed.last_status = Feed.Status.OK
    return report


def _count_poll(feed: Feed, report: IngestReport) -> None:
    from wiredesk.core import metrics

    metrics.increment("feed_polls_total")
    metrics.increment("items_ingested_total", report.created)
    metrics.increment("items_updated_total", report.updated)
    if feed.last_status == Feed.Status.ERROR:
        metrics.increment("feed_errors_total")
    log.info("feed %s polled: %s", feed.pk, report.summary(), extra={
        "event": "feed_polled", "feed_id": feed.pk, "status": feed.last_status,
        "items_created": report.created, "items_updated": report.updated,
        "items_unchanged": report.unchanged, "errors": len(report.errors)})


def poll_due_feeds(*, now: datetime | None = None) -> list[IngestReport]:
    now = now or timezone.now()
    due = Feed.objects.filter(enabled=True, next_poll_at__lte=now).select_related("agency")
    return [feed_poll(feed, now=now) for feed in due.order_by("next_poll_at")]
