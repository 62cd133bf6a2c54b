"""A lock with expiry shared by every process: Redis when configured, else the database.

Used so that one job (a feed's poll, a digest send) never runs twice at once, even
across machines; the expiry frees a lock whose holder was killed.
"""

from __future__ import annotations

import contextlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL)


@contextlib.contextmanager
def single_flight(name: str, *, ttl: int = 300):
    """Yield True if this process holds ``name`` for up to ``ttl`` seconds, else False."""
    token = secrets.token_hex(16)
    if settings.REDIS_URL:
        client = _redis()
        key = f"wiredesk:lock:{name}"
        acquired = bool(client.set(key, token, nx=True, ex=ttl))
        try:
            yield acquired
        finally:
            if acquired:
                client.eval(_RELEASE, 1, key, token)
        return
    from wiredesk.core.models import JobLock

    now = timezone.now()
    acquired = False
    with transaction.atomic():
        JobLock.objects.filter(name=name, expires_at__lt=now).delete()
        try:
            with transaction.atomic():
                JobLock.objects.create(name=name, token=token,
                                       expires_at=now + timedelta(seconds=ttl))
            acquired = True
        except IntegrityError:
            acquired = False
    try:
        yield acquired
    finally:
        if acquired:
            JobLock.objects.filter(name=name, token=token).delete()


@contextlib.contextmanager
def one_of_slots(name: str, *, slots: int, ttl: int = 300):
    """A counting semaphore with expiry: yield True if one of ``slots`` places is free.

    Built from ``slots`` single-flight locks (``name:0`` ... ``name:N-1``), so it has the
    same storage (Redis, else the database) and the same expiry: a holder killed with
    SIGKILL frees its place after ``ttl`` seconds.
    """
    with contextlib.ExitStack() as stack:
        for slot in range(max(1, slots)):
            if stack.enter_context(single_flight(f"{name}:{slot}", ttl=ttl)):
                yield True
                return
        yield False
