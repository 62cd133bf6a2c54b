"""The guards a public form needs: honeypot, minimum fill time, rate limits.

Rate limits are ``core.ratelimit`` windows, per client address and per sender.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _

from wiredesk.core.ratelimit import Rate, hit
from wiredesk.errors import WiredeskError

log = logging.getLogger("wiredesk.releases.abuse")

HONEYPOT_FIELD = "website"
_STARTED_SALT = "wiredesk.releases.form-started"


class Refused(WiredeskError):
    """A submission the guards turned away; ``str()`` is the message for the submitter."""

    def __init__(self, message: str, *, reason: str):
        super().__init__(message)
        self.reason = reason  # short code for the operator's log


def started_token() -> str:
    """A signed "form shown at" time, put in a hidden field."""
    return signing.dumps(time.time(), salt=_STARTED_SALT)


def check_fill_time(token: str) -> None:
    minimum = float(getattr(settings, "WIREDESK_RELEASE_MIN_FILL_SECONDS", 4))
    try:
        started = float(signing.loads(token or "", salt=_STARTED_SALT, max_age=86400))
    except (signing.BadSignature, TypeError, ValueError) as exc:
        raise Refused(_("The form expired or was changed. Please check your release and "
                      "send it again."), reason="bad-start-token") from exc
    if time.time() - started < minimum:
        raise Refused(_("That was sent faster than a person can fill in this form. Please "
                      "check your release and send it again."), reason="too-fast")


def check_honeypot(value: str) -> None:
    if value:
        raise Refused(_("Your release could not be accepted."), reason="honeypot")


def _over(kind: str, value: str, rate: Rate) -> bool:
    """A count of 0 turns the limit off; so does a value not given."""
    value = value.strip().lower()
    if rate.count <= 0 or not value:
        return False
    return not hit(f"releases-{kind}", value, rate)


def check_ip_rate(ip: str) -> None:
    """Counts every submission attempt from one address, valid or not."""
    if _over("ip", ip, Rate.parse(settings.WIREDESK_RELEASE_RATE_IP)):
        raise Refused(_("Too many submissions from your network. Please try again later."),
                      reason="rate-ip")


def check_sender_rate(*, email: str, organisation: str) -> None:
    """Counts accepted-looking submissions per email address and per organisation."""
    if _over("email", email, Rate.parse(settings.WIREDESK_RELEASE_RATE_EMAIL)):
        raise Refused(_("Too many releases from this email address. Please try again later."),
                      reason="rate-email")
    if _over("org", " ".join(organisation.split()),
             Rate.parse(settings.WIREDESK_RELEASE_RATE_ORG)):
        raise Refused(_("Too many releases from this organisation. Please try again later."),
                      reason="rate-organisation")


def log_refusal(refused: Refused, *, ip: str, edition: str) -> None:
    log.warning("release submission refused: reason=%s ip=%s edition=%s",
                refused.reason, ip, edition)
