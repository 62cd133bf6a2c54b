"""The "sent" record of each message, and how a run's records reach the ledger.

The crash rule (:mod:`~wiredesk.digest.ledger`) needs one durable "sent" per message,
committed before the next message's content goes out. That record is one narrow row,
:class:`~wiredesk.digest.models.SentRecord` (delivery id, claim token, time), inserted
in autocommit: on PostgreSQL an insert with one index costs the server about a third of
an UPDATE of the delivery, whose state and time are indexed (so every update of them
writes a new entry in each of the delivery's twelve indexes).

A record is authoritative while its delivery is ``sending`` under the same claim token:
that delivery *is* sent, whatever its row says. :func:`note_sent` folds a batch's records
into their deliveries (``sent``, its time, the claim cleared) and subscribers (window,
last send) in one transaction at the batch's end, and deletes them; the recovery does the
same for a dead sender's (:func:`fold_stale`). Readers that must count sends as they
happen (``digest status``, the rate limit, bounce matching) ask :func:`sent_q`.
"""

from __future__ import annotations

import logging
import weakref
from contextlib import contextmanager
from datetime import datetime

from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q

from wiredesk.digest.models import Delivery, SentRecord, Subscriber

log = logging.getLogger(__name__)


def sent_q(prefix: str = "") -> Q:
    """The deliveries that were sent (``prefix``: the path from the model filtered to the
    delivery, e.g. ``deliveries__``): folded, or recorded under their current claim."""
    p = prefix
    return (Q(**{f"{p}state": Delivery.State.SENT})
            | Q(**{f"{p}state": Delivery.State.SENDING,
                   f"{p}sent_record__claim_token": F(f"{p}claim_token")}))


_RECORD = ("INSERT INTO {table} (delivery_id, claim_token, sent_at) VALUES ({marks}) "
           "ON CONFLICT (delivery_id) DO UPDATE SET "
           "claim_token = excluded.claim_token, sent_at = excluded.sent_at")


def record_sent(delivery, token: str, now: datetime) -> None:
    """Record one "sent", committed before the next message's content goes out.

    An insert of one narrow row; a record left by an earlier claim of the same delivery
    (its sender's claim was taken over) is replaced, since this send is the one that
    counts. Whether the claim was still ours is checked when the batch is folded."""
    r = SentRecord._meta.db_table
    stamp = connection.ops.adapt_datetimefield_value(now)
    if (connection.in_atomic_block or connection.vendor not in ("sqlite", "postgresql")
            or not connection.get_autocommit()):
        with connection.cursor() as cursor:
            cursor.execute(_RECORD.format(table=r, marks="%s, %s, %s"),
                           [delivery.pk, token, stamp])
        return
    # Once per message: straight on the driver's connection, in autocommit (Django's
    # cursor wrappers, and on PostgreSQL parsing and planning the statement each time,
    # cost more than the insert itself).
    with connection.wrap_database_errors:
        if connection.vendor == "postgresql":
            _insert_prepared(connection.connection.pgconn, r,
                             [str(delivery.pk).encode(), token.encode(),
                              stamp.isoformat().encode()])
            return
        cursor = connection.connection.cursor()
        try:
            cursor.execute(_RECORD.format(table=r, marks="?, ?, ?"),
                           [delivery.pk, token, stamp])
        finally:
            cursor.close()


_STATEMENT = b"wiredesk_sent_record"
# Per driver connection: whether the statement is prepared on it (False: it could not be,
# or it kept vanishing, as behind a pooler that hands each transaction another session).
_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# Per driver connection: how often the statement vanished. Once is prepared again: other
# work on the same connection may have deallocated every statement (storing a document ends
# with DEALLOCATE ALL, ``core.prepared``); a second time, it is a pooler's doing.
_vanished: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
VANISHED_LIMIT = 2


def _insert_prepared(pgconn, table: str, values: list[bytes]) -> None:
    from psycopg import errors, pq

    sql = _RECORD.format(table=table, marks="$1, $2, $3").encode()
    if pgconn not in _prepared:
        result = pgconn.prepare(_STATEMENT, sql)
        _prepared[pgconn] = (result.status == pq.ExecStatus.COMMAND_OK
                             or _sqlstate(result) == errors.DuplicatePreparedStatement.sqlstate)
    if _prepared[pgconn]:
        result = pgconn.exec_prepared(_STATEMENT, values)
        if _sqlstate(result) == errors.InvalidSqlStatementName.sqlstate:  # not there
            _vanished[pgconn] = _vanished.get(pgconn, 0) + 1
            if _vanished[pgconn] < VANISHED_LIMIT:
                del _prepared[pgconn]  # prepared again for the next message
            else:
                _prepared[pgconn] = False
            result = pgconn.exec_params(sql, values)
    else:
        result = pgconn.exec_params(sql, values)
    if result.status != pq.ExecStatus.COMMAND_OK:
        raise errors.error_from_result(result)


def _sqlstate(result) -> str:
    from psycopg import pq

    value = result.error_field(pq.DiagnosticField.SQLSTATE)
    return value.decode() if value else ""


def note_sent(token: str) -> int:
    """Fold a batch's records into the ledger, all or nothing: the subscribers get the
    window the next digest starts from, the last send and a bounce count back to 0; the
    deliveries become ``sent`` with their time, their claim cleared; the records go.
    Run at the end of each batch, and by the recovery for a dead sender's. Returns how
    many deliveries were folded."""
    if connection.vendor == "postgresql":
        recorded, folded = _fold_in_one_statement(token)
    else:
        recorded, folded = _fold_in_one_transaction(token)
    if recorded > folded:
        log.error("%d digest deliveries were sent after their claim was taken over",
                  recorded - folded)
    return folded


def _tables() -> tuple[str, str, str]:
    return Delivery._meta.db_table, Subscriber._meta.db_table, SentRecord._meta.db_table


# A newer send of the same reader (another sender) is never overwritten.
_NOTE_SUBSCRIBERS = (
    "UPDATE {s} SET last_window_end = x.window_end, last_sent_at = x.sent_at, "
    "bounce_count = 0 FROM ({sends}) x WHERE {s}.id = x.subscriber_id AND "
    "({s}.last_sent_at IS NULL OR {s}.last_sent_at <= x.sent_at)")


def _fold_in_one_statement(token: str) -> tuple[int, int]:
    """PostgreSQL: one statement (data-modifying CTEs), atomic by itself: one round trip
    instead of five (BEGIN, three statements, COMMIT)."""
    d, s, r = _tables()
    sends = ("SELECT subscriber_id, MAX(window_end) AS window_end, MAX(sent_at) AS sent_at "
             "FROM folded GROUP BY subscriber_id")
    # Table names come from the models, never from input.
    sql = ("WITH recorded AS (DELETE FROM " + r + " WHERE claim_token = %s "  # noqa: S608
           "RETURNING delivery_id, sent_at), "
           "folded AS (UPDATE " + d + " SET state = '" + Delivery.State.SENT + "', "
           "sent_at = recorded.sent_at, smtp_code = 250, attempts = attempts + 1, "
           "last_error = '', claim_token = '' FROM recorded "
           "WHERE " + d + ".id = recorded.delivery_id AND " + d + ".claim_token = %s AND "
           + d + ".state = '" + Delivery.State.SENDING + "' RETURNING " + d
           + ".subscriber_id, " + d + ".window_end, recorded.sent_at), "
           "noted AS (" + _NOTE_SUBSCRIBERS.format(s=s, sends=sends) + ") "
           "SELECT (SELECT COUNT(*) FROM recorded), (SELECT COUNT(*) FROM folded)")
    with connection.cursor() as cursor:
        cursor.execute(sql, [token, token])
        recorded, folded = cursor.fetchone()
    return recorded, folded


def _fold_in_one_transaction(token: str) -> tuple[int, int]:
    d, s, r = _tables()
    sending = Delivery.State.SENDING
    # Table names come from the models, never from input.
    sends = ("SELECT " + d + ".subscriber_id AS subscriber_id, MAX(" + d + ".window_end) "  # noqa: S608
             "AS window_end, MAX(" + r + ".sent_at) AS sent_at FROM " + r + " JOIN " + d
             + " ON " + d + ".id = " + r + ".delivery_id WHERE " + r + ".claim_token = %s "
             "AND " + d + ".claim_token = %s AND " + d + ".state = %s GROUP BY " + d
             + ".subscriber_id")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_NOTE_SUBSCRIBERS.format(s=s, sends=sends), [token, token, sending])
        cursor.execute(
            "UPDATE " + d + " SET state = %s, sent_at = " + r + ".sent_at, "  # noqa: S608
            "smtp_code = 250, attempts = attempts + 1, last_error = '', claim_token = '' "
            "FROM " + r + " WHERE " + r + ".claim_token = %s AND " + d + ".id = " + r
            + ".delivery_id AND " + d + ".claim_token = %s AND " + d + ".state = %s",
            [Delivery.State.SENT, token, token, sending])
        folded = cursor.rowcount
        cursor.execute("DELETE FROM " + r + " WHERE claim_token = %s", [token])  # noqa: S608
        return cursor.rowcount, folded


def fold_stale(cutoff: datetime) -> int:
    """For the recovery: fold the records of claims older than ``cutoff`` (their senders
    died between a send and the batch's end), then delete records that name no current
    claim (a claim taken over; a delivery deleted since). Returns the deliveries folded."""
    tokens = set(SentRecord.objects.filter(
        delivery__state=Delivery.State.SENDING, delivery__claimed_at__lt=cutoff,
        claim_token=F("delivery__claim_token")).values_list("claim_token", flat=True))
    folded = sum(note_sent(token) for token in tokens)
    current = Delivery.objects.filter(pk=OuterRef("delivery_id"),
                                      claim_token=OuterRef("claim_token"),
                                      state=Delivery.State.SENDING)
    SentRecord.objects.exclude(Exists(current)).delete()
    return folded


# --- cheap commits for a run ----------------------------------------------------------

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
    if connection.vendor == "sqlite":
        with _rare_checkpoints():
            yield
        return
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


@contextmanager
def _rare_checkpoints(pages: int = 10000):
    """SQLite copies the write-ahead log into the database (a checkpoint, with an fsync)
    every 1,000 pages by default: every 150 or so "sent" commits, half their cost. For the
    run, every ``pages`` (about 40 MB of log); the end of the run checkpoints what is
    left. Commits are as durable as before (in the log, which survives the process)."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA wal_autocheckpoint = {int(before)}")
                if not connection.in_atomic_block:
                    cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except DatabaseError:
            log.debug("could not restore wal_autocheckpoint", exc_info=True)
