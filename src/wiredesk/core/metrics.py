"""Counters for ``/metrics``, shared by every process of an instance.

Web workers, the in-process scheduler and Celery workers are separate processes, so a
counter kept in memory would only count one of them. Counters live instead:

- in **Redis** (one hash, ``wiredesk:metrics``, ``HINCRBY``) when ``REDIS_URL`` is set;
- else in the **database** (``core.MetricCounter``). So that a busy page does not turn
  every hit into a write, each process adds up its increments and writes them at
  most every ``FLUSH_SECONDS`` (and when ``/metrics`` is read in that process, and at
  exit). A process killed with SIGKILL loses at most that many seconds of counts.

Counting must never break the work being counted: storage errors are logged and dropped.
Other apps count their own events with ``metrics.increment("page_cache_hits_total")``.
"""

from __future__ import annotations

import atexit
import logging
import re
import threading
import time
from collections import Counter

from django.conf import settings

log = logging.getLogger(__name__)

REDIS_KEY = "wiredesk:metrics"
FLUSH_SECONDS = 2.0
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,150}$")

# Help text for the counters wiredesk itself increments; any other valid name works too.
KNOWN_COUNTERS = {
    "items_ingested_total": "Articles created from wire items.",
    "items_updated_total": "Articles updated in place by a changed wire item.",
    "feed_polls_total": "Feed polls completed (including not-modified answers).",
    "feed_errors_total": "Feed polls that failed to fetch or parse.",
    "feed_polls_deferred_total": "Polls re-queued because their host was at its limit.",
    "page_cache_hits_total": "Pages answered from the page cache.",
    "page_cache_misses_total": "Pages rendered because the page cache had no copy.",
    "digest_sends_total": "Digest emails sent.",
}

_pending: Counter[str] = Counter()
_pending_lock = threading.Lock()
_last_flush = time.monotonic()
_redis_client = None


def _redis():
    global _redis_client
    if _redis_client is None:
        import redis

        _redis_client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2,
                                             socket_connect_timeout=2)
    return _redis_client


def store_name() -> str:
    return "redis" if settings.REDIS_URL else "database"


def increment(name: str, amount: int = 1) -> None:
    """Add ``amount`` to the counter ``name`` (e.g. ``items_ingested_total``)."""
    if not _NAME.match(name):
        raise ValueError(f"not a metric name: {name!r}")
    if amount <= 0:
        return
    if settings.REDIS_URL:
        try:
            _redis().hincrby(REDIS_KEY, name, amount)
        except Exception as exc:
            log.warning("metrics: could not count %s in Redis: %s", name, exc)
        return
    global _last_flush
    with _pending_lock:
        _pending[name] += amount
        due = time.monotonic() - _last_flush >= FLUSH_SECONDS
    if due:
        flush()


def flush() -> None:
    """Write this process's pending database counts."""
    global _last_flush
    with _pending_lock:
        batch = dict(_pending)
        _pending.clear()
        _last_flush = time.monotonic()
    if not batch:
        return
    from django.db import DatabaseError, IntegrityError, transaction
    from django.db.models import F

    from wiredesk.core.models import MetricCounter

    try:
        for name, amount in batch.items():
            with transaction.atomic():
                if MetricCounter.objects.filter(name=name).update(value=F("value") + amount):
                    continue
                try:
                    with transaction.atomic():
                        MetricCounter.objects.create(name=name, value=amount)
                except IntegrityError:  # another process created it a moment ago
                    MetricCounter.objects.filter(name=name).update(value=F("value") + amount)
    except DatabaseError as exc:
        log.warning("metrics: could not write counters: %s", exc)


def discard_pending() -> None:
    """Forget this process's unwritten database counts (a test run whose database is gone)."""
    with _pending_lock:
        _pending.clear()


def _flush_at_exit() -> None:
    try:
        flush()
    except Exception:  # the database may be gone when the interpreter stops
        log.debug("metrics: final flush failed", exc_info=True)


atexit.register(_flush_at_exit)


def counters() -> dict[str, int]:
    """Every counter's value across all processes."""
    if settings.REDIS_URL:
        raw = _redis().hgetall(REDIS_KEY)
        return {k.decode(): int(v) for k, v in raw.items()}
    flush()
    from wiredesk.core.models import MetricCounter

    return dict(MetricCounter.objects.values_list("name", "value"))
