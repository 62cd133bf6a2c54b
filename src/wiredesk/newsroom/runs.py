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
