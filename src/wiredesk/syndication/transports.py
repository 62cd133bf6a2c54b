"""Getting one rendered document to a partner, and saying how it went.

A transport knows nothing of the ledger: it takes bytes and returns an :class:`Outcome`.
What acknowledges a delivery is the partner's own word: a 2xx answer to the webhook, a
file renamed into place in the drop folder, a message the mail relay took.

Every address a partner names is outside: a webhook (and each 307/308 hop) goes through
the fetcher's POST (``wire.fetch.post``: looked up once, checked against
``WIREDESK_FETCH_ALLOW``, pinned), and a drop folder's host is checked the same way by
``wire.drops`` before the connection is made to the address that was checked.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.conf import settings

from wiredesk import mail
from wiredesk.wire import drops, sources
from wiredesk.wire import fetch as wire_fetch
from wiredesk.wire.types import WireError

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


def send_drop(url: str, document: Document, *, timeout: float, session=None) -> Outcome:
    """Write the document into the partner's drop folder (``ftp://``, ``ftps://`` or
    ``sftp://``, through ``wire.drops``: the host checked against the fetch rules, an SFTP
    server's host key pinned by ``hostkey=``) as ``<name>.tmp``, then renamed into place:
    a partner polling the folder never takes a half-written file."""
    started = time.monotonic()
    try:
        address = sources.parse_source(url)
        with drops.open_folder(address, timeout=timeout, policy=policy()) as folder:
            folder.put(safe_filename(document.filename), document.body)
    except wire_fetch.FetchError as exc:  # DropError is one
        return Outcome(False, error=str(exc), permanent=exc.permanent,
                       seconds=time.monotonic() - started)
    except WireError as exc:
        return Outcome(False, error=str(exc), permanent=True,
                       seconds=time.monotonic() - started)
    return Outcome(True, seconds=time.monotonic() - started)


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


SENDERS = {"webhook": send_webhook, "ftp": send_drop, "sftp": send_drop, "email": send_email}


def transport_for_url(url: str) -> str:
    """Which transport a partner's URL names: webhook, ftp or email."""
    scheme = urlsplit(url.strip()).scheme.lower()
    if scheme in ("http", "https"):
        return "webhook"
    if scheme in ("ftp", "ftps"):
        return "ftp"
    if scheme == "sftp":
        return "sftp"
    if scheme == "mailto":
        return "email"
    return ""
