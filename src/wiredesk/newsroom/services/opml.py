"""The feed list in and out as OPML (``wire.opml``): import in batches, export as it is.

Import takes the good outlines and reports each one it leaves out: a duplicate of another
outline in the file or of a feed already stored, a URL that is not an http(s) feed the
fetch policy lets wiredesk reach, an outline without an agency or with a wiredesk
attribute that makes no sense. Feeds are written a batch at a time, each batch in one
transaction, so thousands of feeds cost a few dozen commits and a failure keeps the
batches before it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from wiredesk.newsroom.errors import ServiceError
from wiredesk.newsroom.models import Agency, Feed
from wiredesk.newsroom.services.feeds import agency_ensure
from wiredesk.wire import fetch as wire_fetch
from wiredesk.wire import opml

log = logging.getLogger("wiredesk.newsroom.services")

BATCH = 500
DEFAULT_EVERY = timedelta(minutes=10)


@dataclass
class OpmlImportReport:
    outlines: int = 0
    imported: int = 0
    duplicates_in_file: int = 0
    already_stored: int = 0
    refused: int = 0
    problems: list[str] = field(default_factory=list)  # one line per outline left out

    @property
    def failed(self) -> bool:
        """Nothing came in and it was not because everything is there already."""
        return not self.imported and (self.refused > 0 or self.outlines == 0)

    def summary(self) -> str:
        text = f"imported {self.imported} of {self.outlines} feed(s)"
        parts = []
        if self.duplicates_in_file or self.already_stored:
            parts.append(f"{self.duplicates_in_file + self.already_stored} duplicate(s) "
                         f"skipped ({self.duplicates_in_file} in the file, "
                         f"{self.already_stored} already stored)")
        if self.refused:
            parts.append(f"{self.refused} refused")
        return text + (": " + ", ".join(parts) if parts else "")


def _stored_keys() -> set[str]:
    return {opml.feed_url_key(source)
            for source in Feed.objects.filter(transport=Feed.Transport.HTTP)
            .values_list("source", flat=True).iterator(chunk_size=2000)}


def feeds_import_opml(data: bytes, *, agency: Agency | None = None, batch: int = BATCH,
                      progress: Callable[[int, int], None] | None = None
                      ) -> OpmlImportReport:
    """Import the feeds of an OPML document. ``agency`` is for outlines that name none.
    Raises WireError when the bytes are not OPML at all."""
    from django.conf import settings

    document = opml.read_opml(data)
    policy = wire_fetch.FetchPolicy(settings.WIREDESK_FETCH_ALLOW)
    report = OpmlImportReport(outlines=len(document.outlines))
    report.problems.extend(document.problems)
    report.refused += len(document.problems)
    seen: dict[str, int] = {}  # key -> line of the first outline with it
    stored = _stored_keys()
    agencies: dict[str, Agency | str] = {}  # code -> agency, or why it cannot be one
    pending: list[tuple[opml.Outline, Feed]] = []

    def refuse(outline: opml.Outline, reason: str) -> None:
        report.refused += 1
        report.problems.append(f"line {outline.line}: {outline.xml_url[:200] or '-'}: "
                               f"{reason}")

    for outline in document.outlines:
        problem = opml.feed_url_problem(outline.xml_url, policy) or outline.problem
        if problem:
            refuse(outline, problem)
            continue
        key = opml.feed_url_key(outline.xml_url)
        if key in seen:
            report.duplicates_in_file += 1
            report.problems.append(f"line {outline.line}: {outline.xml_url[:200]}: a "
                                   f"duplicate of line {seen[key]}; skipped")
            continue
        seen[key] = outline.line
        if key in stored:
            report.already_stored += 1
            report.problems.append(f"line {outline.line}: {outline.xml_url[:200]}: already "
                                   "a feed; skipped")
            continue
        owner = _agency_for(outline, agency, agencies)
        if isinstance(owner, str):
            refuse(outline, owner)
            continue
        every = timedelta(seconds=outline.every_seconds) if outline.every_seconds else None
        if every is not None and every < timedelta(minutes=1):
            refuse(outline, "wiredesk:every is under a minute, the shortest poll interval")
            continue
        pending.append((outline, Feed(
            source=outline.xml_url, transport=Feed.Transport.HTTP, agency=owner,
            title=outline.title[:300], site_url=_site_url(outline.html_url),
            poll_interval=every or DEFAULT_EVERY, full_text=bool(outline.full_text),
            enabled=outline.enabled is not False, next_poll_at=timezone.now())))
    for start in range(0, len(pending), batch):
        chunk = pending[start:start + batch]
        report.imported += _write_batch(chunk, report)
        if progress:
            progress(min(start + batch, len(pending)), len(pending))
    log.info("OPML import: %s", report.summary(), extra={
        "event": "opml_imported", "imported": report.imported, "refused": report.refused})
    return report


def _site_url(url: str) -> str:
    # A bad htmlUrl is only a missing link, never a reason to refuse the feed.
    if (len(url) > 1000 or not url.lower().startswith(("http://", "https://"))
            or any(c.isspace() or ord(c) < 32 for c in url)):
        return ""
    return url


def _agency_for(outline: opml.Outline, default: Agency | None,
                agencies: dict[str, Agency | str]) -> Agency | str:
    code = outline.agency.strip().upper()
    if not code:
        if default is None:
            return "no agency: the outline has no wiredesk:agency; give one with --agency"
        return default
    if code not in agencies:
        try:
            agencies[code] = agency_ensure(code=code, name=outline.agency_name)
        except ServiceError as exc:
            agencies[code] = f"wiredesk:agency {code[:40]!r}: {exc}"
    return agencies[code]


def _write_batch(chunk: list[tuple[opml.Outline, Feed]], report: OpmlImportReport) -> int:
    try:
        with transaction.atomic():
            Feed.objects.bulk_create([feed for _outline, feed in chunk])
        return len(chunk)
    except IntegrityError:
        pass  # a feed added meanwhile by someone else: write this batch one by one
    written = 0
    for outline, feed in chunk:
        try:
            with transaction.atomic():
                feed.pk = None
                feed.save()
            written += 1
        except IntegrityError:
            report.already_stored += 1
            report.problems.append(f"line {outline.line}: {outline.xml_url[:200]}: already "
                                   "a feed; skipped")
    return written


def feeds_export_opml(*, now: datetime | None = None) -> tuple[bytes, int]:
    """Every web feed as OPML, grouped by agency; and how many feeds were left out
    (local files, drop folders and mailboxes: they name this machine's files or carry a
    password, and mean nothing to another reader)."""
    feeds = (Feed.objects.select_related("agency").order_by("agency__code", "pk"))
    outlines = []
    left_out = 0
    for feed in feeds.iterator(chunk_size=2000):
        if feed.transport != Feed.Transport.HTTP:
            left_out += 1
            continue
        outlines.append(opml.FeedOutline(
            xml_url=feed.source, title=feed.title, html_url=feed.site_url,
            agency=feed.agency.code, agency_name=feed.agency.name,
            every_seconds=int(feed.poll_interval.total_seconds()),
            full_text=feed.full_text, enabled=feed.enabled))
    return opml.write_opml(outlines, created=now or timezone.now()), left_out
