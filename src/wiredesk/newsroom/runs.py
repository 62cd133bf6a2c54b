"""Ingest runs: what stays the same while one document's items are stored.

Each item is stored in its own transaction, but some reads (an edition's routing rules,
say) do not change between the items of one document. Receivers of ``article_stored``
keep such reads here: once per run instead of once per item. A run is opened by
``ingest_bytes`` for a document and by ``store_item`` for a lone item, so outside any
run nothing is kept and every read is fresh.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_memo: ContextVar[dict[str, Any] | None] = ContextVar("wiredesk_ingest_run", default=None)


@contextmanager
def ingest_run() -> Iterator[None]:
    """Open a run; inside one already open, join it (a document's items share one)."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def per_run(key: str, load: Callable[[], T]) -> T:
    """``load()``'s answer, read once per run; read every time outside a run."""
    memo = _memo.get()
    if memo is None:
        return load()
    if key not in memo:
        memo[key] = load()
    return memo[key]


def forget(key: str) -> None:
    """Drop what the run keeps under ``key``: what it was read from has changed."""
    memo = _memo.get()
    if memo is not None:
        memo.pop(key, None)


# A batch: many articles' work in one transaction (the intelligence stage's turn). What a
# receiver writes for every article but needs only once for all of them (edition stamps) is
# kept here and written as the batch ends, inside its transaction, so a reader never sees
# the articles' changes without it.
_batch: ContextVar[dict[str, tuple[Any, Callable[[Any], None]]] | None] = ContextVar(
    "wiredesk_batch", default=None)


@contextmanager
def batch() -> Iterator[None]:
    """Open a batch; inside one already open, join it. Its writes are made on leaving it
    normally (a failure that leaves it rolls the transaction back: nothing to write)."""
    if _batch.get() is not None:
        yield
        return
    pending: dict[str, tuple[Any, Callable[[Any], None]]] = {}
    token = _batch.set(pending)
    try:
        yield
    finally:
        _batch.reset(token)
    for state, flush in pending.values():
        flush(state)


def batched(key: str, make: Callable[[], T], flush: Callable[[T], None]) -> T | None:
    """The state kept under ``key`` in the open batch (made by ``make`` and written by
    ``flush(state)`` as the batch ends), or None outside a batch: write at once then. The
    state's ``copy()`` must give one that later changes to it do not touch
    (``batch_savepoint`` keeps one)."""
    pending = _batch.get()
    if pending is None:
        return None
    if key not in pending:
        pending[key] = (make(), flush)
    return pending[key][0]


@contextmanager
def batch_savepoint() -> Iterator[None]:
    """What the open batch keeps, put back as it was if the block fails: the partner of a
    transaction savepoint around the same work, so a turn that is undone leaves nothing
    of its own to write as the batch ends. Outside a batch, nothing to do."""
    pending = _batch.get()
    if pending is None:
        yield
        return
    kept = {key: (state.copy(), flush) for key, (state, flush) in pending.items()}
    try:
        yield
    except BaseException:
        pending.clear()
        pending.update(kept)
        raise
