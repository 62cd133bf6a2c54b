"""The signature on every push, and how a receiver checks it (pure: no Django).

A webhook body is signed as Stripe and Standard Webhooks do::

    X-Wiredesk-Signature: t=1767225600,v1=<hex HMAC-SHA256 of "1767225600." + body>

``t`` is the time the attempt was signed (each retry is signed afresh). A receiver
recomputes the HMAC with its secret over ``t``, a dot and the raw body, compares in
constant time, and refuses a ``t`` further than ``REPLAY_WINDOW`` seconds from its own
clock: a captured request cannot be replayed later. While a rotated secret's grace lasts
the header carries one ``v1`` per secret (current first), so a receiver still holding the
old secret and one already holding the new one both accept every delivery, pending ones
included; the receiver must accept the request if any ``v1`` matches.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterable

HEADER = "X-Wiredesk-Signature"
REPLAY_WINDOW = 300  # seconds a receiver should accept either side of its clock


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(body: bytes, secrets: Iterable[str], *, now: float | None = None) -> str:
    """The header value for ``body`` signed with each of ``secrets``."""
    timestamp = int(time.time() if now is None else now)
    parts = [f"t={timestamp}"] + [f"v1={signature(s, timestamp, body)}" for s in secrets if s]
    return ",".join(parts)


def verify(header: str, body: bytes, secret: str, *, now: float | None = None,
           window: int = REPLAY_WINDOW) -> bool:
    """What a receiver does: True if one ``v1`` is ``body`` signed with ``secret`` and ``t``
    is within ``window`` seconds of ``now``."""
    timestamp: int | None = None
    candidates: list[str] = []
    for part in (header or "").split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    if abs((time.time() if now is None else now) - timestamp) > window:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, c) for c in candidates)


def hub_signature(secret: str, body: bytes) -> str:
    """WebSub's ``X-Hub-Signature`` for content distributed to a subscriber."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
