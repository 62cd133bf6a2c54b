"""The delivery ledger: claim rows, record outcomes, recover the claims of dead senders.

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

import contextlib
import logging
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from wiredesk.digest.models import Delivery, Digest, Subscriber
from wiredesk.digest.transport import SendResult
from wiredesk.editions.models import Edition

log = logging.getLogger(__name__)


# --- claims ----------------------------------------------------------------------------

def _new_token() -> str:
    import secrets

    return secrets.token_hex(16)


def claim_batch(*, size: int, edition: Edition | None = None,
                now: datetime | None = None) -> tuple[str, list[Delivery]]:
    """Claim up to ``size`` due pending deliveries for this sender, lowest ids first.

    One conditional UPDATE claims them (``SKIP LOCKED`` where the database has it, so
    parallel senders never wait on each other; the state condition makes it safe where
    rows are not locked), then plain reads load them: the deliveries with their
    subscribers (each delivery's ``subscriber``; only the fields sending reads, the others
    deferred), the subscribers' sections (each delivery's ``section_ids``, sorted) and the
    issues. Raw SQL: the ORM's query compilation, conversions and prefetch machinery cost
    more than the database's work.
    """
    now = now or timezone.now()
    token = _new_token()
    d = Delivery._meta.db_table
    state_pending, state_sending = Delivery.State.PENDING, Delivery.State.SENDING
    stamp = connection.ops.adapt_datetimefield_value(now)
    due = "state = %s AND next_attempt_at <= %s"
    params: list = [state_pending, stamp]
    if edition is not None:
        due += " AND edition_id = %s"
        params.append(edition.pk)
    # Table and column names come from the models, never from input.
    pick = "SELECT id FROM " + d + " WHERE " + due + " ORDER BY id LIMIT %s"  # noqa: S608
    if connection.features.has_select_for_update_skip_locked:
        # Picked once, in a materialized CTE: as an IN (subquery) the planner may run the
        # locking subquery again and, skipping what it has just locked, claim more rows.
        claim = ("WITH picked AS MATERIALIZED (" + pick + " FOR UPDATE SKIP LOCKED) "  # noqa: S608
                 "UPDATE " + d + " SET state = %s, claim_token = %s, claimed_at = %s "
                 "FROM picked WHERE " + d + ".id = picked.id AND " + d + ".state = %s")
        values = [*params, size, state_sending, token, stamp, state_pending]
    else:
        claim = ("UPDATE " + d + " SET state = %s, claim_token = %s, "  # noqa: S608
                 "claimed_at = %s WHERE state = %s AND id IN (" + pick + ")")
        values = [state_sending, token, stamp, state_pending, *params, size]
    with connection.cursor() as cursor:
        cursor.execute(claim, values)
        if not cursor.rowcount:
            return token, []
    return token, _load_claim(token)


def _in_model_order(model, names: set[str]) -> tuple[str, ...]:
    # Model.from_db takes a subset of fields in the model's own order.
    return tuple(f.attname for f in model._meta.concrete_fields if f.attname in names)


_DELIVERY_FIELDS = _in_model_order(Delivery, {
    "id", "email", "message_id", "window_start", "window_end", "attempts", "subscriber_id",
    "edition_id", "digest_id"})
_SUBSCRIBER_FIELDS = _in_model_order(Subscriber, {
    "id", "edition_id", "status", "paused", "time_zone", "link_key"})
_TIMES = [_DELIVERY_FIELDS.index("window_start"), _DELIVERY_FIELDS.index("window_end")]


def _load_claim(token: str) -> list[Delivery]:
    """The claimed rows with only what sending reads (the other fields are deferred)."""
    d, s = Delivery._meta.db_table, Subscriber._meta.db_table
    through = Subscriber.sections.through._meta.db_table
    held = "SELECT subscriber_id FROM " + d + " WHERE claim_token = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join("d." + f for f in _DELIVERY_FIELDS) + ", "  # noqa: S608
            + ", ".join("s." + f for f in _SUBSCRIBER_FIELDS)
            + " FROM " + d + " d JOIN " + s + " s ON s.id = d.subscriber_id"
            " WHERE d.claim_token = %s AND d.state = %s ORDER BY d.id",
            [token, Delivery.State.SENDING])
        rows = cursor.fetchall()
        cursor.execute("SELECT subscriber_id, section_id FROM " + through  # noqa: S608
                       + " WHERE subscriber_id IN (" + held + ")", [token])
        sections: dict[int, list[int]] = {}
        for subscriber_id, section_id in cursor.fetchall():
            sections.setdefault(subscriber_id, []).append(section_id)
    split = len(_DELIVERY_FIELDS)
    claimed = []
    for row in rows:
        values = list(row[:split])
        for index in _TIMES:
            values[index] = _aware(values[index])
        delivery = Delivery.from_db("default", _DELIVERY_FIELDS, values)
        subscriber = Subscriber.from_db("default", _SUBSCRIBER_FIELDS, row[split:])
        subscriber.paused = bool(subscriber.paused)
        delivery.subscriber = subscriber
        delivery.section_ids = tuple(sorted(sections.get(delivery.subscriber_id, ())))
        claimed.append(delivery)
    digests = Digest.objects.in_bulk({delivery.digest_id for delivery in claimed})
    for delivery in claimed:
        delivery.digest = digests[delivery.digest_id]
    return claimed


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

@contextmanager
def quick_commits():
    """Cheap "sent" commits for one sending run, as durable as a sender crash needs.

    SQLite already commits without waiting for the disk (WAL, ``synchronous=NORMAL``):
    a commit survives the process that made it, only a power loss can lose the last
    ones. On PostgreSQL this session sets ``synchronous_commit = off`` until the run
    ends: a commit is visible to every other session at once and survives the sender
    being killed (the kill -9 test proves it); only a crash of the database server
    itself can lose the last fraction of a second of "sent" records, whose messages
    would then go out again. Nothing else of this session is affected after the run.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        except DatabaseError:  # a broken connection is discarded with its setting
            log.debug("could not reset synchronous_commit", exc_info=True)


_SENT_SQL = None


def record_sent(delivery: Delivery, token: str, now: datetime) -> bool:
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
    updated, _ = _in_one_transaction([
        (mark_sent, [Delivery.State.SENT, stamp, delivery.pk, token, Delivery.State.SENDING]),
        (note_subscriber, [window_end, stamp, delivery.subscriber_id])])
    return updated == 1


def _in_one_transaction(statements: list[tuple[str, list]]) -> list[int]:
    """Run ``statements`` in one transaction of their own; their row counts.

    Straight on the driver's connection when Django holds no transaction open: once per
    message, Django's atomic block, cursor wrappers and autocommit switching cost more
    than the database's work. Inside a transaction (tests, a caller's atomic block) the
    ordinary way, as a savepoint.
    """
    if connection.in_atomic_block or connection.vendor not in ("sqlite", "postgresql"):
        with transaction.atomic(), connection.cursor() as cursor:
            counts = []
            for sql, params in statements:
                cursor.execute(sql, params)
                counts.append(cursor.rowcount)
            return counts
    connection.ensure_connection()
    sqlite = connection.vendor == "sqlite"
    cursor = connection.connection.cursor()
    try:
        cursor.execute("BEGIN IMMEDIATE" if sqlite else "BEGIN")
        counts = []
        for sql, params in statements:
            cursor.execute(sql.replace("%s", "?") if sqlite else sql, params)
            counts.append(cursor.rowcount)
        cursor.execute("COMMIT")
        return counts
    except BaseException:
        with contextlib.suppress(Exception):
            cursor.execute("ROLLBACK")
        raise
    finally:
        cursor.close()


def record_failure(delivery: Delivery, token: str, result: SendResult, now: datetime) -> str:
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


def _suppress_if_hard(delivery: Delivery, result: SendResult, now: datetime) -> bool:
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
                    detail=result.error, source="smtp", delivery=delivery, now=now)
    return True


def record_skipped(delivery: Delivery, token: str, reason: str) -> None:
    Delivery.objects.filter(pk=delivery.pk, claim_token=token,
                            state=Delivery.State.SENDING).update(
        state=Delivery.State.SKIPPED, claim_token="", last_error=reason)


def pending_count(*, edition: Edition | None = None) -> int:
    qs = Delivery.objects.filter(state__in=[Delivery.State.PENDING, Delivery.State.SENDING])
    if edition is not None:
        qs = qs.filter(edition=edition)
    return qs.count()
