"""Outgoing mail settings from one URL, ``EMAIL_URL``.

``smtp://user:pass@host:587`` (plain, or STARTTLS when the server offers nothing else is
wanted: use ``smtp+tls://`` to require STARTTLS), ``smtps://`` (TLS from the first byte),
``console://`` (print messages, the demo default), ``file:///path`` (one file per message).

Submodules: ``dkim`` (keys and signing), ``backends`` (the SMTP backend that signs),
``check`` (the sending domain's SPF, DKIM and DMARC records), ``cli`` (``wiredesk mail``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from email.utils import formataddr, parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

from wiredesk.errors import WiredeskError

log = logging.getLogger(__name__)


# Django's SMTP backend with every message DKIM-signed (mail.backends).
SMTP_BACKEND = "wiredesk.mail.backends.SigningEmailBackend"
SMTP_BACKENDS = (SMTP_BACKEND, "django.core.mail.backends.smtp.EmailBackend")


class EmailURLError(WiredeskError, ValueError):
    pass


class MailNotSent(WiredeskError):
    """The relay did not take a message that must not be lost silently (a partner's
    delivery): the caller records the reason and tries again."""


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
        "EMAIL_BACKEND": SMTP_BACKEND,
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or default_port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": scheme == "smtp+tls",
        "EMAIL_USE_SSL": scheme == "smtps",
        "EMAIL_TIMEOUT": int(query.get("timeout", ["20"])[0]),
    }


def sender_address() -> str:
    """The address every message goes out from: the one in ``WIREDESK_FROM_EMAIL``."""
    from django.conf import settings

    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "news@localhost"


def sender(display_name: str = "", address: str = "") -> str:
    """The From of a message an edition sends: its name on its address.

    One rule for every mail a reader or submitter gets from an edition (digest,
    digest confirmation, news-release mail), so they all come from "Chile Sun
    <news@...>" whatever name ``WIREDESK_FROM_EMAIL`` itself carries. The address is
    the edition's own when it has one (``Edition.sender_address``), else the configured
    one. Without a name or address, the configured sender as it is. Quoted or encoded
    as the name needs.
    """
    from django.conf import settings

    name = " ".join((display_name or "").split())
    own = edition_address(address)
    if not name and not own:
        return settings.DEFAULT_FROM_EMAIL
    return formataddr((name, own or sender_address()))


def edition_address(address: str) -> str:
    """An edition's own From address as it may go in a header (one plain address),
    or "" to use the configured one."""
    address = (address or "").strip()
    if not address or any(ch in address for ch in "\r\n\0<>,\"") or "@" not in address:
        return ""
    return address


def reply_to(address: str) -> list[str]:
    """The Reply-To of an edition's mail: its reply-to address when it has a usable one."""
    own = edition_address(address)
    return [own] if own else []


def send(subject: str, body: str, to: Sequence[str], *, from_name: str = "",
         from_address: str = "", reply_address: str = "") -> bool:
    """Send one plain-text message; a failure is logged and reported, never raised.

    ``from_name``, ``from_address`` and ``reply_address`` are those of the edition the
    message speaks for (see ``sender``). Callers send after their database work is
    committed, so a dead relay must not turn a stored submission or decision into an error page.
    """
    from django.core.mail import EmailMessage

    # A header never carries a line break, whatever a form let through.
    subject = " ".join(subject.split())
    try:
        EmailMessage(subject=subject, body=body, from_email=sender(from_name, from_address),
                     to=list(to), reply_to=reply_to(reply_address)).send(fail_silently=False)
    except Exception:
        log.exception("sending mail %r to %s failed", subject, ", ".join(to))
        return False
    return True


def send_document(subject: str, body: str, to: Sequence[str], *, filename: str,
                  content: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
    """Send one message with a document attached (a partner's delivery by email).

    Unlike ``send``, a failure is raised (``MailNotSent``), so the caller can keep the
    document and try again; the relay's own words are the message.
    """
    from django.core.mail import EmailMessage

    subject = " ".join(subject.split())
    clean = {name: " ".join(str(value).split()) for name, value in (headers or {}).items()}
    message = EmailMessage(subject=subject, body=body, from_email=sender(), to=list(to),
                           headers=clean)
    message.attach(filename, content, content_type)
    try:
        message.send(fail_silently=False)
    except Exception as exc:
        raise MailNotSent(f"mail to {', '.join(to)} not sent: {exc}") from exc
