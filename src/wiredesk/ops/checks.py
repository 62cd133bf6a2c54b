"""Readiness: can this process do its work right now? Each check names what failed."""

from __future__ import annotations

from django.conf import settings
from django.db import connections


def check_database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_redis() -> None:
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2,
                                  socket_connect_timeout=2)
    try:
        client.ping()
    finally:
        client.close()


def check_broker() -> None:
    from wiredesk.core.taskqueue import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def readiness() -> dict[str, str]:
    """``{"database": "ok", "broker": "error: ..."}`` for every configured dependency."""
    checks = {"database": check_database}
    if settings.REDIS_URL:
        checks["redis"] = check_redis
    if settings.CELERY_BROKER_URL and settings.CELERY_BROKER_URL != settings.REDIS_URL:
        checks["broker"] = check_broker
    results = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:
            results[name] = f"error: {type(exc).__name__}: {exc}"[:500]
    return results


def queue_depth() -> dict[str, int]:
    """Messages waiting in each task queue, when a broker is configured."""
    if not settings.CELERY_BROKER_URL:
        return {}
    from wiredesk.core.taskqueue import app

    depths = {}
    with app.connection_for_read() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        channel = conn.default_channel
        for queue in (settings.CELERY_TASK_DEFAULT_QUEUE,):
            try:
                depths[queue] = channel.queue_declare(queue=queue, passive=True).message_count
            except Exception:  # the queue does not exist yet: nothing was ever queued
                depths[queue] = 0
    return depths
