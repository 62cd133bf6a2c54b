"""Bounces and complaints: the return path each digest carries, reports matched to their
deliveries, and the suppression list the sender obeys.

Flow: every digest goes out with a VERP return path, ``bounces+<token>@domain``
(``WIREDESK_BOUNCE_ADDRESS``), the token naming the delivery and signed, so a report
names its delivery even when the receiving MTA rewrote everything else. Reports come
from the bounce mailbox (``bounces_fetch``, the ``fetch-bounces`` job) or a provider's
signed webhook (``digest.hooks``); ``wiredesk.mailreports`` parses both; ``record_report``
matches each to its delivery (by the token, else by our Message-ID, else, for a
provider's authenticated event only, by address) and acts at once:

- a hard bounce suppresses the address (``Suppression``) and marks its subscribers
  bouncing; soft bounces do when ``WIREDESK_SOFT_BOUNCE_LIMIT`` deliveries have soft-
  bounced within ``SOFT_BOUNCE_WINDOW``;
- a complaint suppresses the address and unsubscribes the reader;
- mail that is no report, or names no delivery of ours, is kept as ``unmatched``.

Anyone can write to a bounce mailbox, so mail from it only counts when it carries our
signed token or one of our Message-IDs (both unguessable); a stranger cannot get a
reader dropped by mailing a made-up bounce.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.crypto import salted_hmac

from wiredesk import mailreports
from wiredesk.digest.models import BounceEvent, Delivery, Subscriber, Suppression
from wiredesk.digest.sent_records import sent_q
from wiredesk.inbox import Mailbox, MailboxError
from wiredesk.mailreports import Recipient, Report

log = logging.getLogger(__name__)

SOFT_BOUNCE_WINDOW = timedelta(days=30)
FETCH_LIMIT = 1000  # messages per run; the rest waits for the next
EXCERPT_BYTES = 4000
_TOKEN_SALT = "wiredesk.digest.return-path"  # noqa: S105 (a salt, not a secret)


# --- the return path ---------------------------------------------------------------------

def _signature(delivery_id: int) -> str:
    return salted_hmac(_TOKEN_SALT, str(delivery_id)).hexdigest()[:16]


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if not number:
            return text


def return_token(delivery_id: int) -> str:
    """Lower case only: some MTAs fold the case of the local part."""
    return f"d{_base36(delivery_id)}-{_signature(delivery_id)}"


def read_return_token(token: str) -> int | None:
    """The delivery id a token names, or None when it is not one of ours."""
    token = (token or "").strip().lower()
    if not token.startswith("d") or "-" not in token or len(token) > 40:
        return None
    number, _, signature = token[1:].partition("-")
    try:
        delivery_id = int(number, 36)
    except ValueError:
        return None
    if not hmac.compare_digest(signature, _signature(delivery_id)):
        return None
    return delivery_id


def bounce_local_part() -> str:
    address = settings.WIREDESK_BOUNCE_ADDRESS
    return address.rpartition("@")[0] if "@" in address else ""


def return_path(delivery_id: int) -> str:
    """The envelope sender of one digest message, or "" when no bounce address is set
    (then the edition's own address, as before)."""
    local = bounce_local_part()
    if not local:
        return ""
    domain = settings.WIREDESK_BOUNCE_ADDRESS.rpartition("@")[2]
    return f"{local}+{return_token(delivery_id)}@{domain}"


# --- the suppression list ---------------------------------------------------------------

def suppressed_among(emails) -> dict[str, str]:
    """Which of ``emails`` are suppressed, and why."""
    emails = {e.lower() for e in emails}
    if not emails:
        return {}
    return dict(Suppression.objects.filter(email__in=emails).values_list("email", "reason"))


def suppression_add(*, email: str, reason: str, detail: str = "", source: str = "",
                    delivery: Delivery | None = None,
                    now: datetime | None = None) -> tuple[Suppression, bool]:
    """Suppress an address (once; a complaint outranks a bounce already recorded)."""
    email = email.strip().lower()
    now = now or timezone.now()
    # Within a report's transaction, no savepoint of its own (a query less per report).
    with transaction.atomic(savepoint=False):
        row = Suppression.objects.select_for_update().filter(email=email).first()
        if row is None:
            row = Suppression.objects.create(email=email, reason=reason, detail=detail[:500],
                                             source=source, delivery=delivery, created_at=now)
            return row, True
        if (reason == Suppression.Reason.COMPLAINT
                and row.reason != Suppression.Reason.COMPLAINT):
            row.reason, row.detail, row.source = reason, detail[:500], source
            row.save(update_fields=["reason", "detail", "source"])
    return row, False


def suppression_remove(*, email: str) -> bool:
    return Suppression.objects.filter(email=email.strip().lower()).delete()[0] > 0


def suppression_lift_on_confirm(*, email: str) -> None:
    """A reader who confirms a new sign-up (double opt-in) has a mailbox that works and
    wants the mail: a bounce's or a complaint's suppression goes; an operator's stays."""
    Suppression.objects.filter(email=email.strip().lower()).exclude(
        reason=Suppression.Reason.MANUAL).delete()


# --- matching and acting -------------------------------------------------------------------

@dataclass
class Match:
    delivery: Delivery | None
    by: str = ""


def _match(report: Report, recipient: Recipient, *, trusted: bool) -> Match:
    tokens = list(report.tokens)
    local = bounce_local_part()
    if report.envelope_sender and local:
        tokens += mailreports.find_tokens(report.envelope_sender.encode(), local)
    for token in tokens:
        delivery_id = read_return_token(token)
        if delivery_id is not None:
            delivery = Delivery.objects.filter(pk=delivery_id).first()
            if delivery is not None:
                return Match(delivery, "return-path")
    if report.original_message_id:
        delivery = Delivery.objects.filter(message_id=report.original_message_id).first()
        if delivery is not None:
            return Match(delivery, "message-id")
    if trusted and recipient.address:
        # The last one sent, folded or still only recorded (its batch not yet ended).
        delivery = (Delivery.objects.filter(sent_q(), email=recipient.address)
                    .order_by(Coalesce("sent_at", "sent_record__sent_at").desc(), "-pk")
                    .first())
        return Match(delivery, "address")
    return Match(None)


def _kind(severity: str) -> str:
    return {mailreports.HARD: BounceEvent.Kind.HARD, mailreports.SOFT: BounceEvent.Kind.SOFT,
            mailreports.COMPLAINT: BounceEvent.Kind.COMPLAINT}.get(
        severity, BounceEvent.Kind.UNMATCHED)


@dataclass
class Outcome:
    hard: int = 0
    soft: int = 0
    complaints: int = 0
    unmatched: int = 0
    duplicates: int = 0
    suppressed: int = 0

    def add(self, other: Outcome) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def record_report(*, report: Report, source: str, fingerprint: str, raw: bytes = b"",
                  trusted: bool = False, now: datetime | None = None) -> Outcome:
    """Store what one report says and act on it; a report seen before does nothing.

    ``trusted``: the report came through a provider's authenticated webhook, so its
    recipient address alone may name the reader.
    """
    now = now or timezone.now()
    outcome = Outcome()
    common = {"source": source, "format": report.format[:16],
              "report_from": report.sender[:200], "report_subject": report.subject[:200],
              "received_at": now}
    recipients = report.actionable
    # One transaction per report: it is stored and acted on whole, or not at all (and
    # then read again next time).
    with transaction.atomic():
        if not recipients:
            _store(outcome, fingerprint, kind=BounceEvent.Kind.UNMATCHED,
                   email=report.recipients[0].address if report.recipients else "",
                   error=report.error or f"{report.kind}: nothing to act on",
                   excerpt=_excerpt(raw), **common)
            return outcome
        for index, recipient in enumerate(recipients):
            match = _match(report, recipient, trusted=trusted)
            delivery = match.delivery
            email = delivery.email if delivery is not None else recipient.address
            key = fingerprint if index == 0 else f"{fingerprint}:{index}"
            if delivery is None and not (trusted and email):
                _store(outcome, key, kind=BounceEvent.Kind.UNMATCHED, email=email[:254],
                       status=recipient.status[:16], diagnostic=recipient.diagnostic[:500],
                       error=f"{_kind(recipient.severity)} report names no delivery of ours",
                       excerpt=_excerpt(raw), **common)
                continue
            event = _store(outcome, key, kind=_kind(recipient.severity), email=email[:254],
                           status=recipient.status[:16],
                           diagnostic=recipient.diagnostic[:500], delivery=delivery,
                           matched_by=match.by, **common)
            if event is not None:
                _act(event, recipient, delivery, source=source, now=now, outcome=outcome)
    return outcome


def _excerpt(raw: bytes) -> str:
    return raw[:EXCERPT_BYTES].decode("utf-8", "replace").replace("\x00", "")


def _store(outcome: Outcome, fingerprint: str, **fields) -> BounceEvent | None:
    """The event, or None when this report was stored before. Two runs storing the same
    report at the same instant: the second fails on the unique fingerprint, its
    transaction is rolled back and the report is seen as a duplicate next time."""
    fingerprint = fingerprint[:200]
    if BounceEvent.objects.filter(fingerprint=fingerprint).exists():
        outcome.duplicates += 1
        return None
    event = BounceEvent.objects.create(fingerprint=fingerprint, **fields)
    if event.kind == BounceEvent.Kind.UNMATCHED:
        outcome.unmatched += 1
    return event


def _act(event: BounceEvent, recipient: Recipient, delivery: Delivery | None, *,
         source: str, now: datetime, outcome: Outcome) -> None:
    email = event.email
    detail = f"{event.status} {event.diagnostic}".strip()
    if event.kind == BounceEvent.Kind.COMPLAINT:
        outcome.complaints += 1
        _, created = suppression_add(email=email, reason=Suppression.Reason.COMPLAINT,
                                     detail=detail, source=source, delivery=delivery, now=now)
        outcome.suppressed += created
        _unsubscribe(delivery, email, now)
        return
    if event.kind == BounceEvent.Kind.HARD:
        outcome.hard += 1
        _, created = suppression_add(email=email, reason=Suppression.Reason.HARD_BOUNCE,
                                     detail=detail, source=source, delivery=delivery, now=now)
        outcome.suppressed += created
        _note_bounce(email, detail, now, bouncing=True)
        return
    outcome.soft += 1
    _note_bounce(email, detail, now, bouncing=False)
    recent = BounceEvent.objects.filter(email=email, kind=BounceEvent.Kind.SOFT,
                                        received_at__gte=now - SOFT_BOUNCE_WINDOW)
    deliveries = set(recent.exclude(delivery=None).values_list("delivery_id", flat=True))
    count = len(deliveries) + recent.filter(delivery=None).count()
    if count >= settings.WIREDESK_SOFT_BOUNCE_LIMIT:
        _, created = suppression_add(
            email=email, reason=Suppression.Reason.SOFT_BOUNCES, source=source,
            detail=f"{count} soft bounces in {SOFT_BOUNCE_WINDOW.days} days; last: "
                   f"{detail}", delivery=delivery, now=now)
        outcome.suppressed += created
        if created:
            _note_bounce(email, detail, now, bouncing=True, count=False)


def _note_bounce(email: str, detail: str, now: datetime, *, bouncing: bool,
                 count: bool = True) -> None:
    """Every subscription of the address: the bounce noted, and (``bouncing``) no more
    digests; one UPDATE."""
    changes = {"last_bounce_at": now, "last_bounce_reason": detail[:500]}
    if count:
        changes["bounce_count"] = F("bounce_count") + 1
    if bouncing:
        confirmed = Q(status=Subscriber.Status.CONFIRMED)
        changes["status"] = Case(When(confirmed, then=Value(Subscriber.Status.BOUNCING)),
                                 default=F("status"))
        changes["next_due_at"] = Case(When(confirmed, then=Value(None)),
                                      default=F("next_due_at"))
    Subscriber.objects.filter(email=email).update(**changes)


def _unsubscribe(delivery: Delivery | None, email: str, now: datetime) -> None:
    from wiredesk.digest.services import subscriber_unsubscribe

    subscribers = (Subscriber.objects.filter(pk=delivery.subscriber_id) if delivery
                   else Subscriber.objects.filter(email=email))
    for subscriber in subscribers:
        subscriber_unsubscribe(subscriber=subscriber, now=now)


# --- the bounce mailbox -------------------------------------------------------------------

@dataclass
class FetchReport:
    read: int = 0
    unreadable: int = 0
    failed: int = 0  # could not be stored: left in the mailbox for the next run
    outcome: Outcome = None  # type: ignore[assignment]

    def __post_init__(self):
        self.outcome = self.outcome or Outcome()

    def summary(self) -> str:
        o = self.outcome
        text = (f"{self.read} read: {o.hard} hard, {o.soft} soft, {o.complaints} complaints, "
                f"{o.unmatched} unmatched, {o.duplicates} seen before; "
                f"{o.suppressed} addresses suppressed")
        if self.failed:
            text += f"; {self.failed} left for the next run (see the log)"
        return text


def bounces_fetch(*, url: str = "", limit: int = FETCH_LIMIT,
                  now: datetime | None = None) -> FetchReport:
    """Read the bounce mailbox once: store and act on each message, then delete it (or
    move it, ``?move=Folder``). Raises ``MailboxError`` when the mailbox cannot be read."""
    url = url or settings.WIREDESK_BOUNCE_MAILBOX
    if not url:
        raise MailboxError("no bounce mailbox: set WIREDESK_BOUNCE_MAILBOX")
    report = FetchReport()
    local = bounce_local_part()
    with Mailbox(url) as box:
        for item in box.messages(limit=limit):
            report.read += 1
            if isinstance(item, MailboxError):
                report.unreadable += 1
                parsed = Report(kind=mailreports.UNKNOWN, format="unreadable", error=str(item))
                raw, fingerprint = b"", f"unreadable:{box.url.redacted()}:{item.key}"
                key = item.key
            else:
                raw, key = item.data, item.key
                parsed = mailreports.parse_report(raw, verp_local_part=local)
                fingerprint = "mail:" + hashlib.sha256(raw).hexdigest()
                if item.truncated and not parsed.error:
                    log.info("bounce message %s read in part (%d bytes)", key, item.size)
            try:
                report.outcome.add(record_report(report=parsed, source="mailbox",
                                                 fingerprint=fingerprint, raw=raw, now=now))
            except Exception:
                # Not stored, so not deleted: it is read again next time.
                log.exception("could not record bounce message %s", key)
                report.failed += 1
                continue
            box.done(key)
    return report
