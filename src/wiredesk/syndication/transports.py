"""Getting one rendered document to a partner, and saying how it went.

A transport knows nothing of the ledger: it takes bytes and returns an :class:`Outcome`.
What acknowledges a delivery is the partner's own word: a 2xx answer to the webhook, a
file renamed into place in the drop folder, a message the mail relay took.

Every address a partner names is outside: a webhook (and each 307/308 hop) goes through
the fetcher's POST (``wire.fetch.post``: looked up once, checked against
``WIREDESK_FETCH_ALLOW``, pinned), and an FTP host is checked the same way before the
connection is made to the address that was checked.
"""

from __future__ import annotations

import ftplib
import ipaddress
import re
import socket
import time
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.conf import settings

from wiredesk import mail
from wiredesk.wire import fetch as wire_fetch

ANSWER_SHOWN = 300  # characters of a partner's error answer kept in the ledger


@dataclass(frozen=True)
class Outcome:
    acked: bool
    status: int | None = None
    error: str = ""
    permanent: bool = False  # trying again would fail the same way (a refused address)
    retry_after: float | None = None  # seconds the partner asked us to wait
    seconds: float = 0.0


@dataclass(frozen=True)
class Document:
    body: bytes
    content_type: str
    key: str  # the idempotency key
    action: str
    attempt: int
    signature: str  # the X-Wiredesk-Signature value
    filename: str  # for drop folders and attachments


def policy() -> wire_fetch.FetchPolicy:
    return wire_fetch.FetchPolicy(settings.WIREDESK_FETCH_ALLOW)


def _answer_text(body: bytes) -> str:
    text = body.decode("utf-8", "replace")
    text = " ".join(text.split())
    return text[:ANSWER_SHOWN]


def session() -> wire_fetch.PushSession:
    """A kept-alive connection for one partner's pushes (one run of its queue)."""
    return wire_fetch.PushSession(policy=policy(), ca_bundle=settings.WIREDESK_PUSH_CA_BUNDLE)


def send_webhook(url: str, document: Document, *, timeout: float,
                 session: wire_fetch.PushSession | None = None) -> Outcome:
    headers = {
        "Idempotency-Key": document.key,
        "X-Wiredesk-Delivery": document.key,
        "X-Wiredesk-Event": document.action,
        "X-Wiredesk-Attempt": str(document.attempt),
        "X-Wiredesk-Signature": document.signature,
    }
    started = time.monotonic()
    try:
        if session is not None:
            answer = session.post(url, document.body, content_type=document.content_type,
                                  headers=headers, timeout=timeout)
        else:
            answer = wire_fetch.post(url, document.body, content_type=document.content_type,
                                     headers=headers, timeout=timeout, policy=policy(),
                                     ca_bundle=settings.WIREDESK_PUSH_CA_BUNDLE)
    except wire_fetch.FetchError as exc:
        return Outcome(False, error=str(exc), permanent=exc.permanent,
                       seconds=time.monotonic() - started)
    if answer.ok:
        return Outcome(True, status=answer.status, seconds=answer.seconds)
    if 300 <= answer.status < 400:
        error = (f"HTTP {answer.status}: redirected to {answer.headers.get('location', '?')}"
                 " (a push follows only 307 and 308: the partner's URL needs updating)")
    else:
        shown = _answer_text(answer.body)
        error = f"HTTP {answer.status}" + (f": {shown}" if shown else "")
    retry = wire_fetch.parse_retry_after(answer.headers.get("retry-after"))
    return Outcome(False, status=answer.status, error=error, seconds=answer.seconds,
                   retry_after=retry.total_seconds() if retry is not None else None)


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str) -> str:
    return _SAFE_NAME.sub("_", name).strip("._")[:200] or "item"


def _checked_address(host: str, port: int) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise wire_fetch.FetchError(f"cannot resolve {host}: {exc}") from exc
    addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
    policy().check(host, addresses)
    return str(addresses[0])


def send_ftp(url: str, document: Document, *, timeout: float, session=None) -> Outcome:
    """Upload to the partner's drop folder as ``<name>.tmp``, then rename it into place:
    a partner polling the folder never takes a half-written file."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or 21
    folder = unquote(parts.path or "/")
    final = safe_filename(document.filename)
    started = time.monotonic()
    try:
        address = _checked_address(host, port)
        # Plain FTP is what drop folders speak: the partner chose it (files are public copy).
        with ftplib.FTP(timeout=timeout) as ftp:  # noqa: S321
            ftp.connect(address, port, timeout=timeout)
            ftp.login(unquote(parts.username or "anonymous"), unquote(parts.password or ""))
            if folder not in ("", "/"):
                ftp.cwd(folder)
            temporary = f"{final}.tmp"
            ftp.storbinary(f"STOR {temporary}", _Reader(document.body))
            ftp.rename(temporary, final)
    except wire_fetch.FetchError as exc:
        return Outcome(False, error=str(exc), permanent=exc.permanent,
                       seconds=time.monotonic() - started)
    except ftplib.error_perm as exc:
        return Outcome(False, error=f"FTP refused: {exc}", seconds=time.monotonic() - started)
    except (ftplib.Error, OSError, EOFError) as exc:
        return Outcome(False, error=f"FTP failed: {exc or type(exc).__name__}",
                       seconds=time.monotonic() - started)
    return Outcome(True, seconds=time.monotonic() - started)


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.offset = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.offset + size
        chunk = self.data[self.offset:end]
        self.offset += len(chunk)
        return chunk


def send_email(url: str, document: Document, *, timeout: float, session=None) -> Outcome:
    address = unquote(urlsplit(url).path)
    started = time.monotonic()
    try:
        mail.send_document(
            f"[wiredesk] {document.action}: {document.key}",
            f"wiredesk delivery {document.key} ({document.action}), attached as "
            f"{document.filename}.\n", [address], filename=document.filename,
            content=document.body, content_type=document.content_type,
            headers={"Idempotency-Key": document.key, "X-Wiredesk-Delivery": document.key,
                     "X-Wiredesk-Signature": document.signature})
    except mail.MailNotSent as exc:
        return Outcome(False, error=str(exc), seconds=time.monotonic() - started)
    return Outcome(True, seconds=time.monotonic() - started)


SENDERS = {"webhook": send_webhook, "ftp": send_ftp, "email": send_email}


def transport_for_url(url: str) -> str:
    """Which transport a partner's URL names: webhook, ftp or email."""
    scheme = urlsplit(url.strip()).scheme.lower()
    if scheme in ("http", "https"):
        return "webhook"
    if scheme == "ftp":
        return "ftp"
    if scheme == "mailto":
        return "email"
    return ""
