"""Sending the ledger: claim, send over a pooled SMTP connection, record; exactly once.

State machine of a delivery::

    pending --claim--> sending(claim_token, claimed_at) --> sent
                                                      \\--> pending (4xx / dropped, backoff)
                                                      \\--> failed  (5xx, or retries used up)
                                                      \\--> skipped (nothing left to say)

Claiming is one conditional UPDATE (``WHERE state = 'pending'``), so two senders never
hold the same row. A sender works through its claim strictly in id order and commits
every outcome before it starts the next SMTP transaction. Hence, when a sender dies,
of the rows it still holds only the lowest id can have been on the wire; the others
were certainly never attempted and go back to ``pending``.

That one row is the price of SMTP having no idempotency: the relay may have accepted
it in the instant before the process died. ``WIREDESK_DIGEST_IN_FLIGHT_ON_CRASH``
chooses: ``resend`` (default) sends it again with the *same* Message-ID, which
receivers that de-duplicate by Message-ID drop; a duplicate reaches a reader only if
the process died between the relay's final "250" and our commit, a window of one
database write. ``fail`` never re-sends it and records it as failed (never two
copies, but that reader may miss one digest). Both choices touch at most one message
per dead sender, and the delivery is flagged ``resent_after_crash`` either way.

A claim is a lease: a live sender hands back what it has not started when half the
lease (``WIREDESK_DIGEST_CLAIM_TIMEOUT``) has passed and claims afresh, so only the
claims of dead senders ever go stale.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import ssl
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from wiredesk.digest import tokens
from wiredesk.digest.models import Delivery, Subscriber
from wiredesk.digest.render import MessageParts, assemble_message, message_parts, render_digest
from wiredesk.digest.selectors import digest_articles, edition_base_url
from wiredesk.editions.models import Edition

log = logging.getLogger(__name__)


# --- transport -------------------------------------------------------------------------

class SendResult(NamedTuple):
    ok: bool
    code: int | None = None
    permanent: bool = False
    error: str = ""


class TransportUnavailable(Exception):
    """The relay cannot be reached at all: stop the run, burn nobody's attempts."""


class SmtpTransport:
    """One SMTP connection reused for up to ``per_connection`` messages, then renewed."""

    def __init__(self, *, host: str, port: int, username: str = "", password: str = "",
                 use_tls: bool = False, use_ssl: bool = False, timeout: float = 20,
                 per_connection: int = 100):
        self.host, self.port = host, port
        self.username, self.password = username, password
        self.use_tls, self.use_ssl, self.timeout = use_tls, use_ssl, timeout
        self.per_connection = max(1, per_connection)
        self._smtp: smtplib.SMTP | None = None
        self._sent_on_connection = 0
        self.connections_opened = 0

    @classmethod
    def from_settings(cls) -> SmtpTransport:
        return cls(host=settings.EMAIL_HOST, port=settings.EMAIL_PORT,
                   username=settings.EMAIL_HOST_USER, password=settings.EMAIL_HOST_PASSWORD,
                   use_tls=settings.EMAIL_USE_TLS, use_ssl=settings.EMAIL_USE_SSL,
                   timeout=settings.EMAIL_TIMEOUT or 20,
                   per_connection=settings.WIREDESK_DIGEST_MESSAGES_PER_CONNECTION)

    def _connect(self) -> None:
        try:
            if self.use_ssl:
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                        context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.use_tls:
                    smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password)
            # SMTP is a dialogue of small writes; Nagle's algorithm would hold each one
            # back waiting for the peer's delayed ACK.
            smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except (OSError, smtplib.SMTPException) as exc:
            raise TransportUnavailable(f"cannot connect to {self.host}:{self.port}: "
                                       f"{exc}") from exc
        self._smtp = smtp
        self._sent_on_connection = 0
        self.connections_opened += 1

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None

    def send(self, sender: str, recipient: str, data: bytes) -> SendResult:
        if self._smtp is None or self._sent_on_connection >= self.per_connection:
            self.close()
            self._connect()
        assert self._smtp is not None
        try:
            refused = self._smtp.sendmail(sender, [recipient], data)
        except smtplib.SMTPRecipientsRefused as exc:
            code, message = next(iter(exc.recipients.values()))
            return _classify(code, message)
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            return _classify(exc.smtp_code, exc.smtp_error)
        except smtplib.SMTPResponseException as exc:  # e.g. a 421 at MAIL FROM
            self.close()
            return _classify(exc.smtp_code, exc.smtp_error)
        except OSError as exc:  # dropped connection, timeout (SMTPServerDisconnected too)
            self._smtp.close()
            self._smtp = None
            return SendResult(False, None, False, f"connection lost: {exc}")
        self._sent_on_connection += 1
        if refused:
            code, message = next(iter(refused.values()))
            return _classify(code, message)
        return SendResult(True, 250)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _classify(code: int, message) -> SendResult:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return SendResult(False, code, 500 <= code < 600, f"{code} {text}"[:480])


class BackendTransport:
    """For the console, file and locmem backends (demo, development): Django sends."""

    def __init__(self):
        from django.core.mail import get_connection

        self.connection = get_connection()
        self.connections_opened = 1

    def send(self, sender: str, recipient: str, data: bytes) -> SendResult:
        from email import message_from_bytes, policy

        from django.core.mail import EmailMessage

        parsed = message_from_bytes(data, policy=policy.SMTP)

        class _Prebuilt(EmailMessage):
            def message(self, *, policy=None):
                return parsed

        self.connection.send_messages([_Prebuilt(from_email=sender, to=[recipient])])
        return SendResult(True, 250)

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open_transport():
    if settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
        return SmtpTransport.from_settings()
    return BackendTransport()


# --- rate limit ------------------------------------------------------------------------

class RateLimiter:
    """At most ``per_second`` messages a second (spaced evenly) and ``per_hour`` in any
    hour. 0 means no limit. The hour counts what every sender sent (seeded from the
    ledger); the per-second spacing is per sending process."""

    def __init__(self, *, per_second: float = 0, per_hour: int = 0,
                 sent_in_last_hour: list[float] | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.per_hour = per_hour
        self.clock, self.sleep = clock, sleep
        self._next_at = 0.0
        self._hour: deque[float] = deque(sorted(sent_in_last_hour or []))

    def acquire(self) -> bool:
        """Wait for the next slot; False when the hourly quota is used up (stop sending)."""
        now = self.clock()
        if self.per_hour:
            while self._hour and self._hour[0] <= now - 3600:
                self._hour.popleft()
            if len(self._hour) >= self.per_hour:
                return False
        if self.interval:
            if now < self._next_at:
                self.sleep(self._next_at - now)
                now = self._next_at
            self._next_at = now + self.interval
        if self.per_hour:
            self._hour.append(now)
        return True

    @classmethod
    def from_settings(cls, *, now: datetime) -> RateLimiter:
        per_hour = settings.WIREDESK_DIGEST_RATE_PER_HOUR
        seeded: list[float] = []
        if per_hour:
            base = time.monotonic()
            seeded = [base - (now - sent).total_seconds() for sent in Delivery.objects.filter(
                sent_at__gt=now - timedelta(hours=1)).values_list("sent_at", flat=True)]
        return cls(per_second=settings.WIREDESK_DIGEST_RATE_PER_SECOND, per_hour=per_hour,
                   sent_in_last_hour=seeded)


# --- claims ----------------------------------------------------------------------------

def _new_token() -> str:
    import secrets

    return secrets.token_hex(16)


def claim_batch(*, size: int, edition: Edition | None = None,
                now: datetime | None = None) -> tuple[str, list[Delivery]]:
    """Claim up to ``size`` due pending deliveries for this sender, lowest ids first."""
    now = now or timezone.now()
    token = _new_token()
    with transaction.atomic():
        due = Delivery.objects.filter(state=Delivery.State.PENDING, next_attempt_at__lte=now)
        if edition is not None:
            due = due.filter(edition=edition)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.order_by("pk").values_list("pk", flat=True)[:size])
        if ids:
            # The state condition makes the claim safe even where rows are not locked.
            Delivery.objects.filter(pk__in=ids, state=Delivery.State.PENDING).update(
                state=Delivery.State.SENDING, claim_token=token, claimed_at=now)
    if not ids:
        return token, []
    claimed = list(Delivery.objects.filter(claim_token=token, state=Delivery.State.SENDING)
                   .select_related("subscriber", "digest")
                   .prefetch_related("subscriber__sections").order_by("pk"))
    return token, claimed


def release(token: str, ids: list[int]) -> int:
    """Hand back claimed rows that were never attempted."""
    return Delivery.objects.filter(pk__in=ids, claim_token=token,
                                   state=Delivery.State.SENDING).update(
        state=Delivery.State.PENDING, claim_token="", claimed_at=None)


@dataclass
class RecoveryReport:
    returned: int = 0
    in_flight_resent: int = 0
    in_flight_failed: int = 0


def recover_stale_claims(*, now: datetime | None = None) -> RecoveryReport:
    """Free the claims of senders that died (see the module docstring for the rule)."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.WIREDESK_DIGEST_CLAIM_TIMEOUT)
    report = RecoveryReport()
    stale_tokens = set(Delivery.objects.filter(
        state=Delivery.State.SENDING, claimed_at__lt=cutoff).values_list(
        "claim_token", flat=True))
    policy = settings.WIREDESK_DIGEST_IN_FLIGHT_ON_CRASH
    for token in stale_tokens:
        with transaction.atomic():
            held = Delivery.objects.filter(state=Delivery.State.SENDING, claim_token=token,
                                           claimed_at__lt=cutoff)
            ids = list(held.order_by("pk").values_list("pk", flat=True))
            if not ids:
                continue
            maybe_sent, never_tried = ids[0], ids[1:]
            report.returned += release(token, never_tried)
            if policy == "fail":
                report.in_flight_failed += held.filter(pk=maybe_sent).update(
                    state=Delivery.State.FAILED, resent_after_crash=True, claim_token="",
                    last_error="sender died during the SMTP transaction; not sent again "
                               "(may or may not have arrived)")
            else:
                report.in_flight_resent += held.filter(pk=maybe_sent).update(
                    state=Delivery.State.PENDING, resent_after_crash=True, claim_token="",
                    claimed_at=None, next_attempt_at=now,
                    last_error="sender died during the SMTP transaction; sending again "
                               "with the same Message-ID")
    if report.returned or report.in_flight_resent or report.in_flight_failed:
        log.warning("recovered stale digest claims: %s", report)
    return report


# --- recording outcomes ----------------------------------------------------------------

_SENT_SQL = None


def _record_sent(delivery: Delivery, token: str, now: datetime) -> bool:
    """Commit one "sent" before the next message starts (the crash rule depends on it).

    This runs once per message, so it is two plain UPDATEs rather than ORM queries,
    whose compilation cost more than the database's work here.
    """
    global _SENT_SQL
    if _SENT_SQL is None:
        # Table names come from the models, never from input.
        d, s = Delivery._meta.db_table, Subscriber._meta.db_table
        _SENT_SQL = (
            "UPDATE " + d + " SET state = %s, sent_at = %s, smtp_code = 250, "  # noqa: S608
            "claim_token = '', attempts = attempts + 1, last_error = '' "
            "WHERE id = %s AND claim_token = %s AND state = %s",
            "UPDATE " + s + " SET last_window_end = %s, last_sent_at = %s, "  # noqa: S608
            "bounce_count = 0 "
            "WHERE id = %s")
    mark_sent, note_subscriber = _SENT_SQL
    stamp = connection.ops.adapt_datetimefield_value(now)
    window_end = connection.ops.adapt_datetimefield_value(delivery.window_end)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(mark_sent, [Delivery.State.SENT, stamp, delivery.pk, token,
                                   Delivery.State.SENDING])
        updated = cursor.rowcount
        cursor.execute(note_subscriber, [window_end, stamp, delivery.subscriber_id])
    return updated == 1


def _record_failure(delivery: Delivery, token: str, result: SendResult, now: datetime) -> str:
    attempts = delivery.attempts + 1
    mine = Delivery.objects.filter(pk=delivery.pk, claim_token=token,
                                   state=Delivery.State.SENDING)
    if result.permanent:
        with transaction.atomic():
            mine.update(state=Delivery.State.FAILED, attempts=attempts, claim_token="",
                        smtp_code=result.code, last_error=result.error)
            subscriber = Subscriber.objects.select_for_update().get(pk=delivery.subscriber_id)
            subscriber.bounce_count += 1
            subscriber.last_bounce_at = now
            subscriber.last_bounce_reason = result.error[:500]
            if (subscriber.bounce_count >= settings.WIREDESK_DIGEST_BOUNCE_THRESHOLD
                    and subscriber.status == Subscriber.Status.CONFIRMED):
                subscriber.status = Subscriber.Status.BOUNCING
                subscriber.next_due_at = None
            subscriber.save()
        return "failed"
    if attempts >= settings.WIREDESK_DIGEST_MAX_ATTEMPTS:
        mine.update(state=Delivery.State.FAILED, attempts=attempts, claim_token="",
                    smtp_code=result.code, last_error=f"gave up: {result.error}"[:500])
        return "failed"
    delay = min(settings.WIREDESK_DIGEST_RETRY_BASE * 2 ** (attempts - 1), 3600)
    mine.update(state=Delivery.State.PENDING, attempts=attempts, claim_token="",
                claimed_at=None, smtp_code=result.code, last_error=result.error[:500],
                next_attempt_at=now + timedelta(seconds=delay))
    return "retry"


def _record_skipped(delivery: Delivery, token: str, reason: str) -> None:
    Delivery.objects.filter(pk=delivery.pk, claim_token=token,
                            state=Delivery.State.SENDING).update(
        state=Delivery.State.SKIPPED, claim_token="", last_error=reason)


# --- the send loop ---------------------------------------------------------------------

@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    retry: int = 0
    skipped: int = 0
    connections: int = 0
    stopped: str = ""
    recovered: RecoveryReport = field(default_factory=RecoveryReport)

    def summary(self) -> str:
        text = (f"{self.sent} sent, {self.failed} failed, {self.retry} to retry, "
                f"{self.skipped} skipped")
        if self.stopped:
            text += f"; stopped: {self.stopped}"
        return text


class _Renderer:
    """Renders each distinct digest once per run and assembles the copies from it."""

    def __init__(self):
        self._parts: dict[tuple, MessageParts | None] = {}
        self._editions: dict[int, tuple[Edition, str]] = {}

    def edition(self, edition_id: int) -> tuple[Edition, str]:
        if edition_id not in self._editions:
            edition = Edition.objects.get(pk=edition_id)
            self._editions[edition_id] = (edition, edition_base_url(edition))
        return self._editions[edition_id]

    def parts(self, delivery: Delivery) -> MessageParts | None:
        section_ids = tuple(sorted(s.pk for s in delivery.subscriber.sections.all()))
        key = (delivery.edition_id, delivery.window_start, delivery.window_end, section_ids,
               delivery.digest.issue_date)
        if key not in self._parts:
            edition, base_url = self.edition(delivery.edition_id)
            articles = digest_articles(edition, start=delivery.window_start,
                                       end=delivery.window_end, section_ids=section_ids)
            if not articles:
                self._parts[key] = None
            else:
                rendered = render_digest(
                    edition=edition, articles=articles, base_url=base_url,
                    issue_label=f"{delivery.digest.issue_date:%A %d %B %Y}".replace(" 0", " "))
                self._parts[key] = message_parts(rendered, edition)
        return self._parts[key]

    def message(self, delivery: Delivery, parts: MessageParts, now: datetime) -> bytes:
        _, base_url = self.edition(delivery.edition_id)
        subscriber = delivery.subscriber
        link = f"{base_url}/digest/%s/%s"
        return assemble_message(
            parts, to=delivery.email, message_id=delivery.message_id, date=now,
            unsubscribe_url=link % (tokens.UNSUBSCRIBE,
                                    tokens.make_token(subscriber, tokens.UNSUBSCRIBE)),
            preferences_url=link % (tokens.PREFERENCES,
                                    tokens.make_token(subscriber, tokens.PREFERENCES)))


def send_pending(*, edition: Edition | None = None, transport=None,
                 limiter: RateLimiter | None = None,
                 progress: Callable[[SendReport], None] | None = None,
                 max_messages: int | None = None) -> SendReport:
    """Send every due pending delivery (of one edition, or all) until none is left."""
    report = SendReport(recovered=recover_stale_claims())
    transport = transport or open_transport()
    limiter = limiter or RateLimiter.from_settings(now=timezone.now())
    renderer = _Renderer()
    sender = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "news@localhost"
    lease = settings.WIREDESK_DIGEST_CLAIM_TIMEOUT
    attempted = 0
    with transport:
        while not report.stopped:
            token, batch = claim_batch(size=settings.WIREDESK_DIGEST_BATCH, edition=edition)
            if not batch:
                break
            claimed_at = time.monotonic()
            for index, delivery in enumerate(batch):
                rest = [d.pk for d in batch[index:]]
                if time.monotonic() - claimed_at > lease / 2:
                    release(token, rest)  # claim afresh, so no live claim looks stale
                    break
                if max_messages is not None and attempted >= max_messages:
                    release(token, rest)
                    report.stopped = f"message limit {max_messages} reached"
                    break
                subscriber = delivery.subscriber
                if subscriber.status != Subscriber.Status.CONFIRMED or subscriber.paused:
                    _record_skipped(delivery, token, f"subscriber {subscriber.status}"
                                    + (", paused" if subscriber.paused else ""))
                    report.skipped += 1
                    continue
                parts = renderer.parts(delivery)
                if parts is None:
                    _record_skipped(delivery, token, "nothing new to send")
                    report.skipped += 1
                    continue
                if not limiter.acquire():
                    release(token, rest)
                    report.stopped = "hourly rate limit reached; the rest stays pending"
                    break
                now = timezone.now()
                data = renderer.message(delivery, parts, now)
                attempted += 1
                try:
                    result = transport.send(sender, delivery.email, data)
                except TransportUnavailable as exc:
                    release(token, rest)
                    report.stopped = str(exc)
                    break
                if result.ok:
                    if _record_sent(delivery, token, now):
                        report.sent += 1
                    else:
                        log.error("delivery %s was sent after its claim was taken over",
                                  delivery.pk)
                elif _record_failure(delivery, token, result, now) == "failed":
                    report.failed += 1
                else:
                    report.retry += 1
                if progress:
                    progress(report)
        report.connections = getattr(transport, "connections_opened", 0) if attempted else 0
    return report


def pending_count(*, edition: Edition | None = None) -> int:
    qs = Delivery.objects.filter(state__in=[Delivery.State.PENDING, Delivery.State.SENDING])
    if edition is not None:
        qs = qs.filter(edition=edition)
    return qs.count()
