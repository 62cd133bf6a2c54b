"""The delivery ledger: claim rows, record outcomes, recover the claims of dead senders.

State machine of a delivery::

    pending --claim--> sending(claim_token, claimed_at) --> sent (recorded at once as
                                                      |    a SentRecord, folded into
                                                      |    the row per batch:
                                                      |    :mod:`.sent_records`)
                                                      \\--> pending (4xx / dropped, backoff)
                                                      \\--> failed  (5xx, or retries used up)
                                                      \\--> skipped (nothing left to say)

Claiming is one conditional UPDATE (``WHERE state = 'pending'``), so two senders never
hold the same row. A sender works through its claim strictly in id order and commits
every outcome before it writes the next message's content (the next envelope may go
out first: without its content the relay delivers nothing). Hence, when a sender dies,
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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from wiredesk.digest.models import Delivery, Subscriber, Suppression
from wiredesk.digest.sent_records import fold_stale
from wiredesk.digest.transport import SendResult
from wiredesk.editions.models import Edition

log = logging.getLogger(__name__)


# --- claims ----------------------------------------------------------------------------

def _new_token() -> str:
    import secrets

    return secrets.token_hex(16)


class Claim:
    """One claimed delivery with what sending reads: its row, its subscriber's status,
    zone, link key and sections, and whether its address is suppressed. A plain object,
    not a model instance: building those cost more than the database's work."""

    __slots__ = (
        "attempts",
        "digest_id",
        "edition_id",
        "email",
        "link_key",
        "message_id",
        "paused",
        "pk",
        "section_ids",
        "status",
        "subscriber_id",
        "suppressed",
        "time_zone",
        "window_end",
        "window_start",
    )

    def __init__(self, row):
        (self.pk, self.email, self.message_id, self.window_start, self.window_end,
         self.attempts, self.subscriber_id, self.edition_id, self.digest_id) = row
        self.status, self.paused, self.time_zone, self.link_key = "", False, "", ""
        self.section_ids: tuple[int, ...] = ()
        self.suppressed = ""  # the suppression's reason

    def as_delivery(self) -> Delivery:
        """A model instance naming this row (for a foreign key)."""
        return Delivery(pk=self.pk, email=self.email, subscriber_id=self.subscriber_id,
                        edition_id=self.edition_id, digest_id=self.digest_id)


_CLAIMED = ("id", "email", "message_id", "window_start", "window_end", "attempts",
            "subscriber_id", "edition_id", "digest_id")


def claim_batch(*, size: int, edition: Edition | None = None,
                now: datetime | None = None) -> tuple[str, list[Claim]]:
    """Claim up to ``size`` due pending deliveries for this sender, lowest ids first.

    One conditional UPDATE claims them and returns their rows (``SKIP LOCKED`` where the
    database has it, so parallel senders never wait on each other; the state condition
    makes it safe where rows are not locked); one read adds the subscribers' status,
    zone, link key and sections, one the suppressed addresses. Raw SQL: the ORM's query
    compilation and model instances cost more than the database's work.
    """
    now = now or timezone.now()
    token = _new_token()
    d = Delivery._meta.db_table
    # The states are written into the statement (constants of the model, never input):
    # a query can use the partial index of pending rows only when it names the state.
    pending, sending = f"'{Delivery.State.PENDING}'", f"'{Delivery.State.SENDING}'"
    stamp = connection.ops.adapt_datetimefield_value(now)
    due = "state = " + pending + " AND next_attempt_at <= %s"
    params: list = [stamp]
    if edition is not None:
        due += " AND edition_id = %s"
        params.append(edition.pk)
    # Table and column names come from the models, never from input.
    pick = "SELECT id FROM " + d + " WHERE " + due + " ORDER BY id LIMIT %s"  # noqa: S608
    claim = ("UPDATE " + d + " SET state = " + sending + ", claim_token = %s, "  # noqa: S608
             "claimed_at = %s WHERE id ")
    if connection.features.has_select_for_update_skip_locked:
        # Picked once, as an array (an IN (subquery) may be run again by the planner and,
        # skipping what it has just locked, claim more rows); the rows are then found by
        # their ids, never by reading the table.
        claim += "= ANY(ARRAY(" + pick + " FOR UPDATE SKIP LOCKED))"
    else:
        claim += "IN (" + pick + ")"
    claim += " AND state = " + pending + " RETURNING " + ", ".join(_CLAIMED)
    values = [token, stamp, *params, size]
    with connection.cursor() as cursor:
        cursor.execute(claim, values)
        rows = cursor.fetchall()
    if not rows:
        return token, []
    claimed = sorted((Claim(row) for row in rows), key=lambda c: c.pk)
    _add_subscribers(claimed)
    return token, claimed


def _add_subscribers(claimed: list[Claim]) -> None:
    s, sup = Subscriber._meta.db_table, Suppression._meta.db_table
    through = Subscriber.sections.through._meta.db_table
    ids = list({c.subscriber_id for c in claimed})
    emails = list({c.email.lower() for c in claimed})
    times: dict = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.id, s.status, s.paused, s.time_zone, s.link_key, t.section_id "
            "FROM " + s + " s LEFT JOIN " + through + " t ON t.subscriber_id = s.id "
            "WHERE s.id IN (" + ", ".join(["%s"] * len(ids)) + ")", ids)
        subscribers: dict[int, list] = {}
        for pk, status, paused, zone, link_key, section_id in cursor.fetchall():
            if pk not in subscribers:
                subscribers[pk] = [status, bool(paused), zone, link_key, []]
            if section_id is not None:
                subscribers[pk][4].append(section_id)
        cursor.execute("SELECT email, reason FROM " + sup  # noqa: S608
                       + " WHERE email IN (" + ", ".join(["%s"] * len(emails)) + ")", emails)
        suppressed = dict(cursor.fetchall())
    for each in claimed:
        status, paused, zone, link_key, sections = subscribers[each.subscriber_id]
        each.status, each.paused, each.time_zone, each.link_key = status, paused, zone, link_key
        each.section_ids = tuple(sorted(sections))
        each.suppressed = suppressed.get(each.email.lower(), "")
        # A raw read gives SQLite's stored UTC time as text; most rows share their window.
        for name in ("window_start", "window_end"):
            value = getattr(each, name)
            if value not in times:
                times[value] = _aware(value)
            setattr(each, name, times[value])


def _aware(value):
    # A raw read gives SQLite's stored UTC time naive (or as text); PostgreSQL's is aware.
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value


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
    # Sends a dead sender recorded but had not yet folded into the ledger: sent.
    fold_stale(cutoff)
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

def record_failure(delivery: Claim, token: str, result: SendResult, now: datetime) -> str:
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
            hard = _suppress_if_hard(delivery, result, now)
            if ((hard or subscriber.bounce_count >= settings.WIREDESK_DIGEST_BOUNCE_THRESHOLD)
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


def _suppress_if_hard(delivery: Claim, result: SendResult, now: datetime) -> bool:
    """A relay's 5xx that says the address is bad (5.1.1, 5.2.1) is a hard bounce as much
    as a DSN saying so later: the address is suppressed at once. A 5xx about the message
    or our standing (5.7.1 spam block, 5.2.2 mailbox full) only counts as before."""
    from wiredesk.digest.bounces import suppression_add
    from wiredesk.digest.models import Suppression
    from wiredesk.mailreports import HARD, status_of, status_severity

    status = status_of(result.error)
    if not status or status == "5.0.0" or status_severity(status, "failed") != HARD:
        return False
    suppression_add(email=delivery.email, reason=Suppression.Reason.HARD_BOUNCE,
                    detail=result.error, source="smtp", delivery=delivery.as_delivery(), now=now)
    return True


def record_skipped(delivery: Claim, token: str, reason: str) -> None:
    Delivery.objects.filter(pk=delivery.pk, claim_token=token,
                            state=Delivery.State.SENDING).update(
        state=Delivery.State.SKIPPED, claim_token="", last_error=reason)


def pending_count(*, edition: Edition | None = None) -> int:
    qs = Delivery.objects.filter(state__in=[Delivery.State.PENDING, Delivery.State.SENDING])
    # A recorded send is sent, whatever its row says until its batch is folded.
    qs = qs.exclude(state=Delivery.State.SENDING, sent_record__claim_token=F("claim_token"))
    if edition is not None:
        qs = qs.filter(edition=edition)
    return qs.count()
