"""The guards a public form needs: honeypot, minimum fill time, rate limits.

Rate limits count in Django's cache (fixed windows). With the default local-memory
cache each server process counts on its own; point the cache at Redis when several
processes or machines serve the site so the limits hold across all of them.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache

log = logging.getLogger("wiredesk.releases.abuse")

HONEYPOT_FIELD = "website"
_STARTED_SALT = "wiredesk.releases.form-started"
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class Refused(Exception):
    """A submission the guards turned away; ``str()`` is the message for the submitter."""

    def __init__(self, message: str, *, reason: str):
        super().__init__(message)
        self.reason = reason  # short code for the operator's log


@dataclass(frozen=True, slots=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``10/h``, ``5/d``, ``3/10m``; a count of 0 turns the limit off."""
        match = _RATE.match(text or "")
        if not match:
            raise ValueError(f"not a rate: {text!r} (use e.g. 10/h)")
        count, multiple, unit = int(match.group(1)), int(match.group(2) or 1), match.group(3)
        return cls(count=count, seconds=multiple * _PERIODS[unit])


def client_ip(request) -> str:
    """The submitter's address: the peer, or the one our own proxies recorded
    (``WIREDESK_TRUSTED_PROXIES``, the same rule as everywhere else)."""
    from wiredesk.ops.access import client_address

    address = client_address(request)
    return str(address) if address is not None else "unknown"


def started_token() -> str:
    """A signed "form shown at" time, put in a hidden field."""
    return signing.dumps(time.time(), salt=_STARTED_SALT)


def check_fill_time(token: str) -> None:
    minimum = float(getattr(settings, "WIREDESK_RELEASE_MIN_FILL_SECONDS", 4))
    try:
        started = float(signing.loads(token or "", salt=_STARTED_SALT, max_age=86400))
    except (signing.BadSignature, TypeError, ValueError) as exc:
        raise Refused("The form expired or was changed. Please check your release and "
                      "send it again.", reason="bad-start-token") from exc
    if time.time() - started < minimum:
        raise Refused("That was sent faster than a person can fill in this form. Please "
                      "check your release and send it again.", reason="too-fast")


def check_honeypot(value: str) -> None:
    if value:
        raise Refused("Your release could not be accepted.", reason="honeypot")


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode("utf-8")).hexdigest()[:32]
    return f"wiredesk:releases:rate:{kind}:{digest}"


def _over(kind: str, value: str, rate: Rate) -> bool:
    if rate.count <= 0 or not value:
        return False
    window = int(time.time() // rate.seconds)
    key = f"{_key(kind, value)}:{rate.seconds}:{window}"
    cache.add(key, 0, timeout=rate.seconds + 5)
    try:
        used = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=rate.seconds + 5)
        used = 1
    return used > rate.count


def check_ip_rate(ip: str) -> None:
    """Counts every submission attempt from one address, valid or not."""
    if _over("ip", ip, Rate.parse(settings.WIREDESK_RELEASE_RATE_IP)):
        raise Refused("Too many submissions from your network. Please try again later.",
                      reason="rate-ip")


def check_sender_rate(*, email: str, organisation: str) -> None:
    """Counts accepted-looking submissions per email address and per organisation."""
    if _over("email", email, Rate.parse(settings.WIREDESK_RELEASE_RATE_EMAIL)):
        raise Refused("Too many releases from this email address. Please try again later.",
                      reason="rate-email")
    if _over("org", " ".join(organisation.split()),
             Rate.parse(settings.WIREDESK_RELEASE_RATE_ORG)):
        raise Refused("Too many releases from this organisation. Please try again later.",
                      reason="rate-organisation")


def log_refusal(refused: Refused, *, ip: str, edition: str) -> None:
    log.warning("release submission refused: reason=%s ip=%s edition=%s",
                refused.reason, ip, edition)
