"""The digest email: rendered once per distinct content and zone, assembled per subscriber.

Rendering the templates is the expensive part, and every subscriber with the same
window and sections gets the same stories; only the times (each reader's zone) and the
personal links differ. So the body is rendered once per zone with placeholder links,
and each message is assembled from it by substitution and quoted-printable encoding
(C speed), not by the email package's generator. The result is parsed back in the tests
to prove the MIME is right.
"""

from __future__ import annotations

import binascii
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from email.header import Header
from email.utils import format_datetime
from functools import cached_property

from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.utils.translation import pgettext

from wiredesk import mail
from wiredesk.digest.clock import Clock
from wiredesk.editions.languages import edition_translation
from wiredesk.editions.models import Edition
from wiredesk.newsroom.models import Article

UNSUBSCRIBE_PLACEHOLDER = "https://wiredesk.invalid/__unsubscribe__"
PREFERENCES_PLACEHOLDER = "https://wiredesk.invalid/__preferences__"


@dataclass
class RenderedDigest:
    subject: str
    text: str
    html: str
    story_count: int


def render_digest(*, edition: Edition, articles: list[Article], base_url: str,
                  clock: Clock, issue_date: date, since: datetime | None = None,
                  note: str = "") -> RenderedDigest:
    """The digest's parts, every time in them on ``clock`` (the reader's zone and the
    edition's language): a reader's copy differs from another zone's only there, so
    the sender renders once per distinct content and zone."""
    from wiredesk.digest.selectors import group_by_section

    groups = group_by_section(articles, clock=clock, base_url=base_url)
    top = articles[0].headline if articles else ""
    with edition_translation(edition):
        subject = pgettext("digest subject", "%(edition)s daily: %(headline)s") % {
            "edition": edition.name, "headline": top}
        subject = " ".join(subject.split())
        if len(subject) > 150:
            subject = subject[:147].rsplit(" ", 1)[0] + "..."
        issue_label = clock.day(issue_date) + (f" ({note})" if note else "")
        context = {"edition": edition, "groups": groups, "base_url": base_url,
                   "issue_label": issue_label, "since": clock.time(since),
                   "story_count": len(articles),
                   "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
                   "preferences_url": PREFERENCES_PLACEHOLDER}
        return RenderedDigest(subject=subject,
                              text=render_to_string("digest/email.txt", context),
                              html=render_to_string("digest/email.html", context),
                              story_count=len(articles))


def from_address(edition: Edition) -> str:
    """The address the edition's digest comes from (its name goes on it: ``mail.sender``):
    its own when it has one, else the configured one. The envelope sender too."""
    return mail.edition_address(edition.sender_address) or mail.sender_address()


def _qp(text: str) -> bytes:
    data = text.replace("\r\n", "\n").encode("utf-8")
    return binascii.b2a_qp(data, quotetabs=False, istext=True, header=False)


def _header(name: str, value: str) -> bytes:
    if any(ch in value for ch in "\r\n\0"):
        raise ValueError(f"{name} header value contains a line break")
    return f"{name}: {value}\n".encode("ascii")


class _EncodedPart:
    """One body part as quoted-printable wire bytes, encoded once for every copy.

    Quoted-printable works line by line (a soft break never crosses a line end), so a
    line encoded on its own gives exactly the bytes the whole text would. The lines that
    carry a personal link are kept as text and encoded per reader; every other run of
    lines is encoded once, CRLF line ends included.
    """

    def __init__(self, text: str):
        self.pieces: list[bytes | str] = []
        lines = text.replace("\r\n", "\n").split("\n")
        shared: list[str] = []
        for index, line in enumerate(lines):
            if index < len(lines) - 1:
                line += "\n"
            if UNSUBSCRIBE_PLACEHOLDER in line or PREFERENCES_PLACEHOLDER in line:
                self._flush(shared)
                self.pieces.append(line)
            else:
                shared.append(line)
        self._flush(shared)

    def _flush(self, shared: list[str]) -> None:
        if shared:
            self.pieces.append(_qp("".join(shared)).replace(b"\n", b"\r\n"))
            shared.clear()

    def personal(self, unsubscribe_url: str, preferences_url: str) -> list[bytes]:
        return [piece if isinstance(piece, bytes) else
                _qp(personalize(piece, unsubscribe_url, preferences_url)).replace(
                    b"\n", b"\r\n")
                for piece in self.pieces]


def _wire_header(name: str, value: str) -> bytes:
    return _header(name, value)[:-1] + b"\r\n"


@dataclass
class MessageParts:
    """What is the same for every copy of one rendered digest."""

    rendered: RenderedDigest
    from_header: str
    subject_header: str
    list_id: str
    envelope_from: str = ""
    reply_to: str = ""

    @cached_property
    def wire(self) -> _WireParts:
        """The shared headers and both bodies in wire bytes, made once for all copies."""
        def crlf(*headers: bytes) -> bytes:
            return b"".join(headers).replace(b"\n", b"\r\n")

        return _WireParts(
            sender=crlf(_header("From", self.from_header),
                        *([_header("Reply-To", self.reply_to)] if self.reply_to else [])),
            subject=crlf(_header("Subject", self.subject_header)),
            list_id=crlf(_header("MIME-Version", "1.0"), _header("List-Id", self.list_id)),
            bulk=crlf(_header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
                      _header("Precedence", "bulk")),
            text=_EncodedPart(self.rendered.text), html=_EncodedPart(self.rendered.html))


@dataclass
class _WireParts:
    sender: bytes
    subject: bytes
    list_id: bytes
    bulk: bytes
    text: _EncodedPart
    html: _EncodedPart


def _phrase(text: str) -> str:
    text = " ".join(text.split())
    if text.isascii():
        return '"' + text.replace("\\", "").replace('"', "") + '"'
    return Header(text, "utf-8").encode(maxlinelen=998)


def message_parts(rendered: RenderedDigest, edition: Edition) -> MessageParts:
    sender = from_address(edition)
    domain = sender.rpartition("@")[2] or "localhost"
    subject = rendered.subject
    subject_header = (subject if subject.isascii() and len(subject) < 900
                      else Header(subject, "utf-8").encode(maxlinelen=998))
    return MessageParts(
        rendered=rendered,
        from_header=sanitize_address(mail.sender(edition.mail_name, sender), "utf-8"),
        envelope_from=sender,
        subject_header=subject_header,
        list_id=f"{_phrase(edition.name + ' daily digest')} <{edition.slug}.digest.{domain}>",
        reply_to="".join(sanitize_address(a, "utf-8") for a in mail.reply_to(edition.reply_to)),
    )


def personalize(body: str, unsubscribe_url: str, preferences_url: str) -> str:
    """A rendered part with one reader's links in place of the placeholders."""
    return (body.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url)
            .replace(PREFERENCES_PLACEHOLDER, preferences_url))


_PLAIN_ADDRESS = re.compile(r"[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*@[a-z0-9-]+(?:\.[a-z0-9-]+)*",
                            re.ASCII)


def _to_header(address: str) -> str:
    # A normalized plain address needs no encoding; anything else goes through Django's
    # sanitizer (and _header refuses what still holds a line break).
    if _PLAIN_ADDRESS.fullmatch(address):
        return address
    return sanitize_address(address, "utf-8")


_PART_HEAD = b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"


class CrlfMessage(bytes):
    """A message whose every line ends in CRLF (as built here): the transport need not
    look for a stray LF or CR to rewrite before it goes out in SMTP DATA."""

    __slots__ = ()


_last_date: tuple[datetime | None, bytes] = (None, b"")


def _date_header(date: datetime) -> bytes:
    # The header has whole seconds: made once a second, not once a message.
    global _last_date
    second = date.replace(microsecond=0)
    if _last_date[0] != second:
        _last_date = (second, _wire_header("Date", format_datetime(second)))
    return _last_date[1]


def assemble_message(parts: MessageParts, *, to: str, message_id: str, date: datetime,
                     unsubscribe_url: str, preferences_url: str) -> bytes:
    """The complete RFC 5322 message, CRLF line ends, ready for SMTP DATA: the shared
    parts as encoded once (``MessageParts.wire``), this reader's headers and links
    spliced in."""
    wire = parts.wire
    boundary = ("=_wd_" + secrets.token_hex(12)).encode()  # "=_" never occurs in QP text
    return CrlfMessage(b"".join([
        wire.sender, _wire_header("To", _to_header(to)), wire.subject,
        _date_header(date), _wire_header("Message-ID", message_id),
        wire.list_id, _wire_header("List-Unsubscribe", f"<{unsubscribe_url}>"), wire.bulk,
        b'Content-Type: multipart/alternative; boundary="', boundary, b'"\r\n',
        b"\r\n--", boundary, b'\r\nContent-Type: text/plain; charset="utf-8"\r\n', _PART_HEAD,
        *wire.text.personal(unsubscribe_url, preferences_url),
        b"\r\n--", boundary, b'\r\nContent-Type: text/html; charset="utf-8"\r\n', _PART_HEAD,
        *wire.html.personal(unsubscribe_url, preferences_url),
        b"\r\n--", boundary, b"--\r\n",
    ]))
