"""One fixed-window rate counter, kept in Django's cache.

Used for every limit per client (``core.clients.client_ip``) or per sender: digest
sign-ups, news-release submissions, the API. With the default local-memory cache each
server process counts on its own; point the cache at Redis (``REDIS_URL``) when several
processes or machines serve the site so that a limit holds across all of them.
Counters live in their own cache alias, ``counters``: the page cache (``pages``) can be
filled by anyone with unique URLs, and must never evict a limit.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass

from django.core.cache import caches

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True, slots=True)
class Rate:
    """At most ``count`` hits in each window of ``seconds``."""

    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``10/h``, ``5/d``, ``3/10m``."""
        match = _RATE.match(text or "")
        if not match:
            raise ValueError(f"not a rate: {text!r} (use e.g. 10/h)")
        count, multiple, unit = int(match.group(1)), int(match.group(2) or 1), match.group(3)
        return cls(count=count, seconds=multiple * _PERIODS[unit])


def hit(scope: str, key: str, rate: Rate) -> bool:
    """Count one hit of ``key`` (an address, a sender) in ``scope``'s current window.

    True while the window holds at most ``rate.count`` hits. Windows are aligned to the
    clock (a minute, an hour), so a burst across a boundary may see up to twice the
    rate; that is the price of one cache key per window.
    """
    window = int(time.time() // rate.seconds)
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    counter = f"wiredesk:rate:{scope}:{rate.seconds}:{digest}:{window}"
    cache = caches["counters"]
    cache.add(counter, 0, timeout=rate.seconds + 5)
    try:
        used = cache.incr(counter)
    except ValueError:  # evicted between add and incr
        cache.set(counter, 1, timeout=rate.seconds + 5)
        used = 1
    return used <= rate.count


def seconds_left(rate: Rate) -> float:
    """Seconds until the current window of ``rate`` ends (for ``Retry-After``)."""
    return rate.seconds - (time.time() % rate.seconds)
