"""PostgreSQL: a run of many alike statements bound and prepared by the server, planned once.

Django binds parameters on the client and never prepares a statement (a pooler in
transaction mode may hand the next transaction another server session). Work that sends
the same few hundred statement texts over and over — a document's items stored with their
story intelligence, the intelligence stage's batches — spends more of the server's time
planning them than running them: a candidates' look-up took 1.3-1.6 ms to plan for
0.8-1.6 ms of execution (BENCHMARKS.md). Inside ``prepared_statements()`` the connection
binds on the server and psycopg prepares a text at its ``PREPARE_AFTER``-th use; inside
``planned_once()``, in the block's transaction, each prepared text keeps one plan.

The prepared statements live for the block only: a plan made once and kept for the
connection's life was made for the tables as they were then, and a database filling fast (a
new installation's first import, a backfill) outgrows it before autovacuum's next ANALYZE
replaces it: the SEE ALSO look-up, planned on near-empty tables, took 17 ms a call instead
of 1 (BENCHMARKS.md). Planned again at each block (a document's items, a batch of the stage),
a plan is at most that old.

Inside ``prepared_statements()`` each statement text is also turned into PostgreSQL's form
(``%s`` to ``$1``) once and kept (``_binding_cursor``): psycopg scans the text again at every
execution unless it has at most 50 parameters, and most of these texts have more.

Both do nothing on SQLite, or with ``WIREDESK_PREPARED_STATEMENTS`` off.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from django.conf import settings
from django.db import connection

log = logging.getLogger(__name__)

PREPARE_AFTER = 2
# Statement texts kept with their conversion to PostgreSQL's placeholders: the stage and
# storing send a few hundred texts over and over (an ``IN`` list or a multi-row ``INSERT``
# is one text for each length). Emptied when full; a longer text is converted each time.
CONVERTED_KEPT = 2048
CONVERTED_MAX_CHARS = 65536
_converted: dict[tuple[str, str], tuple] = {}


def _wanted() -> bool:
    return connection.vendor == "postgresql" and settings.WIREDESK_PREPARED_STATEMENTS


@contextmanager
def prepared_statements() -> Iterator[None]:
    """The block's statements bound by the server and prepared at their second use, on
    this thread's connection only, and deallocated as the block ends; the connection's
    binding put back after it, so nothing else on it prepares. Nested, the outer block's
    binding stands."""
    if not _wanted():
        yield
        return
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    raw, features = connection.connection, connection.features
    statements = getattr(raw, "_prepared", None)  # psycopg's record of what it prepared
    if issubclass(raw.cursor_factory, ServerBindingCursor) or not _can_forget(statements):
        # Inside another block; or a psycopg whose record this cannot empty, where a plan
        # would outlive the block: nothing prepared rather than plans made for other tables.
        yield
        return
    kept = raw.cursor_factory, raw.prepare_threshold, features.uses_server_side_binding
    raw.cursor_factory, raw.prepare_threshold = _binding_cursor(), PREPARE_AFTER
    # What Django records of each statement (tests, DEBUG) is composed from the text and
    # its parameters, as with ``server_side_binding``: a prepared one leaves no text behind.
    features.uses_server_side_binding = True
    try:
        yield
    finally:
        raw.cursor_factory, raw.prepare_threshold, features.uses_server_side_binding = kept
        _deallocate(raw, statements)


@lru_cache(maxsize=1)
def _binding_cursor() -> type:
    """Django's cursor that binds on the server, its statement texts converted once.

    psycopg turns a text's ``%s`` into ``$1``, ``$2``... by scanning it, and keeps the answer
    only for a text of at most 50 parameters (128 texts in all). A story's look-up terms, a
    candidates' ``IN`` list or the rows of a multi-row ``INSERT`` are more: at a 10,000-item
    burst's tail the stage's process spent 6% of its time scanning the same texts again
    (BENCHMARKS.md). The conversion depends on the text and the connection's encoding alone,
    so it is kept by both here, for every text up to ``CONVERTED_MAX_CHARS``. It reaches into
    psycopg's query class: a psycopg whose class has another shape gets Django's cursor."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    try:
        from psycopg._queries import PostgresQuery
    except ImportError:
        return ServerBindingCursor
    slots = getattr(PostgresQuery, "__slots__", ())
    if not (callable(getattr(PostgresQuery, "dump", None)) and not isinstance(slots, str)
            and {"query", "_want_formats", "_order", "_parts", "_tx"} <= set(slots)):
        return ServerBindingCursor

    class ConvertedOnce(PostgresQuery):
        __slots__ = ()

        def convert(self, query, vars) -> None:
            if vars is None or type(query) is not str or len(query) > CONVERTED_MAX_CHARS:
                super().convert(query, vars)
                return
            key = (query, self._tx.encoding)
            found = _converted.get(key)
            if found is None:
                super().convert(query, vars)  # raises before anything is kept
                if len(_converted) >= CONVERTED_KEPT:
                    _converted.clear()
                _converted[key] = (self.query, self._want_formats, self._order, self._parts)
                return
            # Shared, never changed: psycopg's own cache hands the same objects out too.
            self.query, self._want_formats, self._order, self._parts = found
            self.dump(vars)

    class ConvertingServerBindingCursor(ServerBindingCursor):
        _query_cls = ConvertedOnce

    return ConvertingServerBindingCursor


def _can_forget(statements) -> bool:
    return callable(getattr(statements, "clear", None)) and hasattr(statements, "_to_flush")


def _deallocate(raw, statements) -> None:
    """Forget what psycopg prepared in the block (its counts of uses too) and deallocate it
    on the server. Not through a cursor: psycopg notices a ``DEALLOCATE ALL`` only the
    first time it sees the text, and would then believe the next block's statements
    prepared. In a failed transaction nothing can run: the statements stay until the next
    block's end, under names psycopg never gives again."""
    from psycopg import pq

    if not statements.clear():  # True when it had prepared some
        return
    statements._to_flush.clear()  # its own DEALLOCATE ALL, sent at its next statement
    if raw.closed or raw.pgconn.transaction_status == pq.TransactionStatus.INERROR:
        return
    result = raw.pgconn.exec_(b"DEALLOCATE ALL")
    if result.status != pq.ExecStatus.COMMAND_OK:
        log.warning("prepared statements not deallocated: %s",
                    (result.error_message or b"").decode(errors="replace").strip())


@contextmanager
def planned_once() -> Iterator[None]:
    """Inside a transaction: the block's prepared statements keep one plan, made without
    their parameters' values (the custom plan PostgreSQL otherwise makes at each call of an
    ``IN`` list or a time window costs more than the statement's work). The transaction's
    own setting is put back as the block ends: a document stored inside a caller's
    transaction leaves the rest of it planned as before (a block that fails is rolled back,
    its setting with it)."""
    if not _wanted():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('plan_cache_mode'),"
                       " set_config('plan_cache_mode', 'force_generic_plan', true)")
        kept = cursor.fetchone()[0]
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('plan_cache_mode', %s, true)", [kept])
