"""A message made into documents: agency copy told from automatic mail, each attachment in
a format the pipeline reads, or the message itself as a one-item JSON Feed. Pure."""

from __future__ import annotations

import email
import email.policy
import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from datetime import UTC
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime

_COPY_TYPES = ("xml", "json", "rss", "atom", "nitf", "newsml")
_COPY_EXTENSIONS = (".xml", ".rss", ".atom", ".json", ".nitf", ".g2", ".newsml", ".nml")
_AUTO_SUBJECT = re.compile(r"^\s*(auto(matic)?[ -]?(reply|response|antwort)|out of (the )?office"
                           r"|abwesenheitsnotiz|undeliver(ed|able)|delivery status notification"
                           r"|returned mail|mail delivery failed)\b", re.I)
_LOOP_SENDERS = re.compile(r"^(mailer-daemon|postmaster|no-?reply-?bounces?)@", re.I)


@dataclass(slots=True)
class MailCopy:
    """What a message holds for the pipeline: ``skip`` says why nothing (spam, a loop,
    an empty message); else ``documents`` as (label, bytes), ``notes`` on what was left
    out as a matter of course (a picture, a PDF, a forwarded message) and ``problems`` on
    what was left out that should not have been (an attachment over the size limit)."""

    subject: str = ""
    sender: str = ""
    message_id: str = ""
    skip: str = ""
    documents: list[tuple[str, bytes]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def header_text(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # a header too broken to read is a header not given
        return ""
    return " ".join(str(value or "").split())


def _sender(message: EmailMessage) -> str:
    try:
        addresses = getaddresses([str(message.get("From", ""))])
    except Exception:
        return ""
    return (addresses[0][1] if addresses else "").strip().lower()


def sender_allowed(sender: str, allowed: list[str]) -> bool:
    """``allowed`` holds addresses (``desk@agency.example``) and domains
    (``agency.example`` or ``.agency.example`` for it and every subdomain)."""
    domain = sender.rpartition("@")[2]
    for entry in (a.strip().lower() for a in allowed):
        if not entry:
            continue
        if "@" in entry and sender == entry:
            return True
        if entry.startswith(".") and (domain == entry[1:] or domain.endswith(entry)):
            return True
        if "@" not in entry and domain == entry:
            return True
    return False


def why_not_copy(message: EmailMessage, *, own_addresses: set[str],
                 allowed_senders: list[str]) -> str:
    """Why the message is not agency copy ('' when it may be)."""
    sender = _sender(message)
    auto = header_text(message, "Auto-Submitted").lower()
    if auto and auto != "no":
        return f"an automatic message (Auto-Submitted: {auto[:40]})"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply"):
        if header_text(message, name):
            return f"an automatic reply ({name})"
    if header_text(message, "Precedence").lower() in ("junk", "auto_reply"):
        return "an automatic reply (Precedence)"
    if message.get_content_type() == "multipart/report" or _LOOP_SENDERS.match(sender):
        return "a delivery report"
    if header_text(message, "Return-Path") == "<>":
        return "a delivery report or automatic reply (no return path)"
    if _AUTO_SUBJECT.match(header_text(message, "Subject")):
        return "an automatic reply (by its subject)"
    if sender and sender in own_addresses:
        return f"our own mail coming back ({sender})"
    flag = header_text(message, "X-Spam-Flag").lower()
    status = header_text(message, "X-Spam-Status").lower()
    if flag.startswith("yes") or status.startswith("yes") or \
            header_text(message, "X-Spam").lower().startswith("yes"):
        return "marked as spam by the mail server"
    if allowed_senders and not sender_allowed(sender, allowed_senders):
        return f"from {sender or 'no sender'}, not a sender this mailbox takes copy from"
    return ""


def _looks_like_copy(name: str, content_type: str, data: bytes) -> bool:
    if name.lower().endswith(_COPY_EXTENSIONS):
        return True
    if any(kind in content_type for kind in _COPY_TYPES):
        return True
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return content_type in ("application/octet-stream", "text/plain") and \
        head.startswith((b"<?xml", b"<rss", b"<feed", b"<nitf", b"<newsItem", b"{"))


def _body(message: EmailMessage) -> tuple[str, str]:
    """The message's own copy: ("html" or "text", its content), or ("", "")."""
    try:
        part = message.get_body(preferencelist=("html", "plain"))
    except Exception:
        part = None
    if part is None:
        return "", ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, ValueError, AssertionError):
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", "replace")
    if not isinstance(content, str) or not content.strip():
        return "", ""
    return ("html" if part.get_content_type() == "text/html" else "text"), content


def _date(message: EmailMessage) -> str:
    try:
        when = parsedate_to_datetime(header_text(message, "Date"))
    except (TypeError, ValueError, IndexError):
        return ""
    if when.tzinfo is None:
        return ""  # no zone given: the pipeline's own clock is better than a guess
    return when.astimezone(UTC).isoformat()


def body_document(message: EmailMessage, *, subject: str, message_id: str,
                  raw: bytes) -> bytes | None:
    """The message's body as a one-item JSON Feed, or None when it has no text."""
    kind, content = _body(message)
    if not kind:
        return None
    guid = message_id or "mail:" + hashlib.sha256(raw).hexdigest()[:40]
    item = {"id": guid, "title": subject}
    if kind == "html":
        item["content_html"] = content
    else:
        # Paragraphs where the sender left a blank line; single breaks kept.
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", content.replace("\r\n", "\n"))]
        item["content_html"] = "".join(
            "<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs if p)
    date = _date(message)
    if date:
        item["date_published"] = date
    return json.dumps({"version": "https://jsonfeed.org/version/1.1",
                       "title": subject, "items": [item]}, ensure_ascii=False).encode()


def read_message(raw: bytes, *, max_attachment_bytes: int, own_addresses: set[str],
                 allowed_senders: list[str]) -> MailCopy:
    """The copy in one message (see the module's docstring)."""
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        return _read(message, raw, max_attachment_bytes=max_attachment_bytes,
                     own_addresses=own_addresses, allowed_senders=allowed_senders)
    except RecursionError:
        return MailCopy(skip="not readable: parts nested too deeply (a message built to "
                             "break mail readers)")


def _read(message: EmailMessage, raw: bytes, *, max_attachment_bytes: int,
          own_addresses: set[str], allowed_senders: list[str]) -> MailCopy:
    copy = MailCopy(subject=header_text(message, "Subject")[:500], sender=_sender(message),
                    message_id=header_text(message, "Message-ID").strip("<>")[:500])
    copy.skip = why_not_copy(message, own_addresses={a.lower() for a in own_addresses},
                             allowed_senders=allowed_senders)
    if copy.skip:
        return copy
    try:
        attachments = list(message.iter_attachments())
    except Exception:  # a structure too broken to walk: the body alone, if any
        attachments = []
    for position, part in enumerate(attachments, start=1):
        name = " ".join(str(part.get_filename() or f"attachment {position}").split())[:200]
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            copy.notes.append(f"{name}: a forwarded message; left out")
            continue
        data = part.get_payload(decode=True) or b""
        if len(data) > max_attachment_bytes:
            copy.problems.append(f"{name}: {len(data)} bytes, over the "
                                 f"{max_attachment_bytes}-byte limit; left out")
            continue
        if not data.strip():
            continue
        if _looks_like_copy(name, content_type, data):
            copy.documents.append((name, data))
        else:
            copy.notes.append(f"{name}: {content_type}, not a wire format; left out")
    if copy.documents:
        return copy  # the attachments are the copy; the body is only a cover note
    if not copy.subject:
        copy.skip = "no subject: copy in a message's body takes its headline from it"
        return copy
    document = body_document(message, subject=copy.subject, message_id=copy.message_id,
                             raw=raw)
    if document is None:
        copy.skip = "no copy: neither a text body nor an attachment in a wire format"
    else:
        copy.documents.append(("body", document))
    return copy
