"""Sending the ledger: claim, send over a pooled SMTP connection, record; exactly once.

The loop ties :mod:`~wiredesk.digest.ledger` (claims and outcomes; its docstring has
the crash rule this loop keeps) to :mod:`~wiredesk.digest.transport` (the relay and the
rate limit), rendering each distinct digest once per reader's zone in a run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone

from wiredesk import mail
from wiredesk.digest import bounces, tokens
from wiredesk.digest.clock import reader_clock
from wiredesk.digest.ledger import (
    Claim,
    RecoveryReport,
    claim_batch,
    pending_count,
    record_failure,
    record_skipped,
    recover_stale_claims,
    release,
)
from wiredesk.digest.models import Digest, Subscriber
from wiredesk.digest.render import MessageParts, assemble_message, message_parts, render_digest
from wiredesk.digest.selectors import digest_articles
from wiredesk.digest.sent_records import note_sent, quick_commits, record_sent
from wiredesk.digest.transport import (
    RateLimiter,
    SendResult,
    TransportUnavailable,
    open_transport,
)
from wiredesk.editions.links import edition_base_url
from wiredesk.editions.models import Edition
from wiredesk.newsroom.models import Article

__all__ = ["SendReport", "pending_count", "send_pending"]

log = logging.getLogger(__name__)


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    retry: int = 0
    skipped: int = 0
    connections: int = 0
    stopped: str = ""
    recovered: RecoveryReport = field(default_factory=RecoveryReport)

    @property
    def nothing_done(self) -> bool:
        recovered = self.recovered
        return not (self.sent or self.failed or self.retry or self.skipped or self.stopped
                    or recovered.returned or recovered.in_flight_resent
                    or recovered.in_flight_failed)

    def summary(self) -> str:
        text = (f"{self.sent} sent, {self.failed} failed, {self.retry} to retry, "
                f"{self.skipped} skipped")
        if self.stopped:
            text += f"; stopped: {self.stopped}"
        return text


class _Renderer:
    """Renders each distinct digest once per reader's zone in a run, and assembles the
    copies from it: the stories are read once per content (edition, window, sections),
    the templates rendered once per content, issue day and zone, never per reader."""

    def __init__(self):
        self._articles: dict[tuple, list[Article]] = {}
        self._parts: dict[tuple, MessageParts] = {}
        self._seen: dict[tuple, MessageParts | None] = {}
        self._editions: dict[int, tuple[Edition, str]] = {}
        self._issue_dates: dict[int, date] = {}

    def edition(self, edition_id: int) -> tuple[Edition, str]:
        if edition_id not in self._editions:
            edition = Edition.objects.get(pk=edition_id)
            self._editions[edition_id] = (edition, edition_base_url(edition))
        return self._editions[edition_id]

    def parts(self, delivery: Claim) -> MessageParts | None:
        # What decides a copy's parts, looked up first: most readers share them.
        seen = (delivery.edition_id, delivery.window_start, delivery.window_end,
                delivery.section_ids, delivery.digest_id, delivery.time_zone)
        if seen not in self._seen:
            self._seen[seen] = self._make_parts(delivery)
        return self._seen[seen]

    def _make_parts(self, delivery: Claim) -> MessageParts | None:
        edition, base_url = self.edition(delivery.edition_id)
        section_ids = delivery.section_ids  # loaded with the claim (ledger.claim_batch)
        content = (delivery.edition_id, delivery.window_start, delivery.window_end,
                   section_ids)
        if content not in self._articles:
            self._articles[content] = digest_articles(
                edition, start=delivery.window_start, end=delivery.window_end,
                section_ids=section_ids)
        articles = self._articles[content]
        if not articles:
            return None
        if delivery.digest_id not in self._issue_dates:
            self._issue_dates[delivery.digest_id] = Digest.objects.values_list(
                "issue_date", flat=True).get(pk=delivery.digest_id)
        issue_date = self._issue_dates[delivery.digest_id]
        clock = reader_clock(zone=delivery.time_zone, edition=edition)
        key = (*content, issue_date, clock)
        if key not in self._parts:
            rendered = render_digest(
                edition=edition, articles=articles, base_url=base_url, clock=clock,
                issue_date=issue_date, since=delivery.window_start)
            self._parts[key] = message_parts(rendered, edition)
        return self._parts[key]

    def message(self, delivery: Claim, parts: MessageParts, now: datetime) -> bytes:
        _, base_url = self.edition(delivery.edition_id)
        unsubscribe, preferences = (
            f"{base_url}/digest/{purpose}/"
            f"{tokens.link_token(delivery.subscriber_id, delivery.link_key, purpose)}"
            for purpose in (tokens.UNSUBSCRIBE, tokens.PREFERENCES))
        return assemble_message(
            parts, to=delivery.email, message_id=delivery.message_id, date=now,
            unsubscribe_url=unsubscribe, preferences_url=preferences)


def _from(batch: list[Claim], index: int) -> list[int]:
    """The ids of this delivery and the ones after it: claimed, not attempted."""
    return [d.pk for d in batch[index:]]


def send_pending(*, edition: Edition | None = None, transport=None,
                 limiter: RateLimiter | None = None,
                 progress: Callable[[SendReport], None] | None = None,
                 max_messages: int | None = None) -> SendReport:
    """Send every due pending delivery (of one edition, or all) until none is left."""
    report = SendReport(recovered=recover_stale_claims())
    transport = transport or open_transport()
    limiter = limiter or RateLimiter.from_settings(now=timezone.now())
    run = _Run(report, transport, limiter, _Renderer(), progress, max_messages)
    with transport, quick_commits():
        while not report.stopped:
            token, batch = claim_batch(size=settings.WIREDESK_DIGEST_BATCH, edition=edition)
            if not batch:
                break
            try:
                run.batch(token, batch)
            finally:
                note_sent(token)
        report.connections = (getattr(transport, "connections_opened", 0)
                              if run.attempted else 0)
    return report


class _Run:
    """One sending run, a batch at a time.

    While the relay reads a message, the next one is assembled; while it answers the
    next envelope, the previous message's "sent" is committed. The crash rule holds:
    each outcome is committed before the next message's content is written, and an
    envelope alone delivers nothing.
    """

    def __init__(self, report: SendReport, transport, limiter: RateLimiter,
                 renderer: _Renderer, progress: Callable[[SendReport], None] | None,
                 max_messages: int | None):
        self.report, self.transport, self.limiter = report, transport, limiter
        self.renderer, self.progress, self.max_messages = renderer, progress, max_messages
        self.lease = settings.WIREDESK_DIGEST_CLAIM_TIMEOUT
        self.attempted = 0

    def batch(self, token: str, batch: list[Claim]) -> None:
        report, transport = self.report, self.transport
        claimed_at = time.monotonic()
        # The message whose content is written and whose outcome is not yet recorded.
        in_flight: tuple[Claim, datetime] | None = None
        outcome: SendResult | None = None
        try:
            for index, delivery in enumerate(batch):
                if time.monotonic() - claimed_at > self.lease / 2:
                    # Claim afresh, so no live claim looks stale.
                    release(token, _from(batch, index))
                    break
                if self.max_messages is not None and self.attempted >= self.max_messages:
                    release(token, _from(batch, index))
                    report.stopped = f"message limit {self.max_messages} reached"
                    break
                reason = self._skip_reason(delivery)
                parts = None if reason else self.renderer.parts(delivery)
                if reason or parts is None:
                    record_skipped(delivery, token, reason or "nothing new to send")
                    report.skipped += 1
                    continue
                if not self.limiter.acquire():
                    release(token, _from(batch, index))
                    report.stopped = "hourly rate limit reached; the rest stays pending"
                    break
                now = timezone.now()
                data = self.renderer.message(delivery, parts, now)
                if in_flight:
                    outcome = transport.outcome()
                # The VERP return path names this delivery in any bounce.
                envelope = (bounces.return_path(delivery.pk) or parts.envelope_from
                            or mail.sender_address())
                try:
                    transport.open_envelope(envelope, delivery.email)
                except TransportUnavailable as exc:
                    release(token, _from(batch, index))
                    report.stopped = str(exc)
                    break
                finally:
                    if in_flight:
                        self._record(token, *in_flight, outcome)
                        in_flight = None
                self.attempted += 1
                transport.send_content(data)
                in_flight = (delivery, now)
        finally:
            if in_flight:
                self._record(token, *in_flight, transport.outcome())

    @staticmethod
    def _skip_reason(delivery: Claim) -> str:
        if delivery.status != Subscriber.Status.CONFIRMED or delivery.paused:
            return f"subscriber {delivery.status}" + (", paused" if delivery.paused else "")
        if delivery.suppressed:
            return f"address suppressed ({delivery.suppressed})"
        return ""

    def _record(self, token: str, delivery: Claim, now: datetime, result: SendResult) -> None:
        report = self.report
        if result.ok:
            record_sent(delivery, token, now)
            report.sent += 1
        elif record_failure(delivery, token, result, now) == "failed":
            report.failed += 1
        else:
            report.retry += 1
        if self.progress:
            self.progress(report)
