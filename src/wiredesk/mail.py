"""Outgoing mail settings from one URL, ``EMAIL_URL``.

``smtp://user:pass@host:587`` (plain, or STARTTLS when the server offers nothing else is
wanted: use ``smtp+tls://`` to require STARTTLS), ``smtps://`` (TLS from the first byte),
``console://`` (print messages, the demo default), ``file:///path`` (one file per message).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from urllib.parse import parse_qs, unquote, urlsplit

from wiredesk.errors import WiredeskError

log = logging.getLogger(__name__)


class EmailURLError(WiredeskError, ValueError):
    pass


def email_settings_from_url(url: str) -> dict:
    """Django EMAIL_* settings for ``url``; raises EmailURLError on anything unknown."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "file":
        return {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": unquote(parts.path) or "./wiredesk-data/mail"}
    if scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme not in ("smtp", "smtp+tls", "smtps"):
        raise EmailURLError(f"EMAIL_URL scheme {scheme!r} is not one of smtp, smtp+tls, smtps, "
                            "console, file")
    if not parts.hostname:
        raise EmailURLError("EMAIL_URL names no host")
    try:
        port = parts.port
    except ValueError as exc:
        raise EmailURLError(f"EMAIL_URL port is not a number: {exc}") from exc
    query = parse_qs(parts.query)
    default_port = {"smtp": 25, "smtp+tls": 587, "smtps": 465}[scheme]
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or default_port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": scheme == "smtp+tls",
        "EMAIL_USE_SSL": scheme == "smtps",
        "EMAIL_TIMEOUT": int(query.get("timeout", ["20"])[0]),
    }


def send(subject: str, body: str, to: Sequence[str]) -> bool:
    """Send one plain-text message; a failure is logged and reported, never raised.

    Callers send after their database work is committed, so a dead relay must not
    turn a stored submission or decision into an error page.
    """
    from django.conf import settings
    from django.core.mail import EmailMessage

    # A header never carries a line break, whatever a form let through.
    subject = " ".join(subject.split())
    try:
        EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL,
                     to=list(to)).send(fail_silently=False)
    except Exception:
        log.exception("sending mail %r to %s failed", subject, ", ".join(to))
        return False
    return True
