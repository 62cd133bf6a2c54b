"""Copy that comes by email: a mailbox read over IMAP, and a message made into documents.

:class:`Mailbox` reaches out like ``fetch`` does, and only where the :class:`FetchPolicy`
lets it (the server's name resolved once, every address checked, the connection made to
the checked address; TLS still checks the certificate against the name). It never
deletes or moves mail: messages are told apart by the mailbox's UIDVALIDITY and their
UID, and the caller keeps which were taken; each one taken is also flagged ``\\Seen``
for the people who read the same mailbox.

:func:`read_message` is pure. It decides whether a message is agency copy at all (not
an automatic reply, a delivery report, our own mail coming back, mail the server marked
as spam, or mail from a sender the mailbox does not take copy from), then what the copy
is: each attachment in a format the pipeline reads (NewsML-G2, NITF, RSS, Atom, JSON
Feed), or, when there is none, the message itself, made into a one-item JSON Feed whose
headline is the subject, whose body is the HTML or text part and whose guid is the
Message-ID, so that the same rules of identity apply as to any feed.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import hashlib
import html
import imaplib
import json
import re
import socket
import ssl
from dataclasses import dataclass, field
from datetime import UTC
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime

from wiredesk.wire.fetch.deadline import Deadline
from wiredesk.wire.fetch.errors import FetchError
from wiredesk.wire.fetch.http import resolve
from wiredesk.wire.fetch.policy import DEFAULT_POLICY, FetchPolicy, IPAddress
from wiredesk.wire.sources import SourceAddress

_FETCH_BATCH = 200
_COPY_TYPES = ("xml", "json", "rss", "atom", "nitf", "newsml")
_COPY_EXTENSIONS = (".xml", ".rss", ".atom", ".json", ".nitf", ".g2", ".newsml", ".nml")
_AUTO_SUBJECT = re.compile(r"^\s*(auto(matic)?[ -]?(reply|response|antwort)|out of (the )?office"
                           r"|abwesenheitsnotiz|undeliver(ed|able)|delivery status notification"
                           r"|returned mail|mail delivery failed)\b", re.I)
_LOOP_SENDERS = re.compile(r"^(mailer-daemon|postmaster|no-?reply-?bounces?)@", re.I)


class MailboxError(FetchError):
    """The mailbox cannot be reached, logged in to or opened: the whole poll failed."""


@dataclass(frozen=True, slots=True)
class MessageRef:
    uid: int
    size: int


class _Checked:
    """An IMAP connection to an address already checked, named by its host for TLS."""

    _address: IPAddress
    _name: str

    def _create_socket(self, timeout):
        sock = socket.create_connection((str(self._address), self.port), timeout)
        if isinstance(self, imaplib.IMAP4_SSL):
            return self.ssl_context.wrap_socket(sock, server_hostname=self._name)
        return sock


class _Imap(_Checked, imaplib.IMAP4):
    def __init__(self, address: IPAddress, name: str, port: int, timeout: float):
        self._address, self._name = address, name
        super().__init__(name, port, timeout=timeout)


class _Imaps(_Checked, imaplib.IMAP4_SSL):
    def __init__(self, address: IPAddress, name: str, port: int, timeout: float):
        self._address, self._name = address, name
        super().__init__(name, port, ssl_context=ssl.create_default_context(),
                         timeout=timeout)


def _quoted(name: str) -> str:
    if re.search(r'[\x00-\x1f\x7f"\\]', name):
        raise MailboxError(f"mailbox name {name[:100]!r} has characters IMAP cannot quote",
                           permanent=True)
    return f'"{name}"'


class Mailbox:
    """One IMAP mailbox (``imap://`` or ``imaps://``), opened read-write to set ``\\Seen``."""

    def __init__(self, address: SourceAddress, *, timeout: float, policy: FetchPolicy):
        self.address = address
        deadline = Deadline(timeout)
        try:
            addresses = resolve(address.host, address.port, deadline)
            policy.check(address.host, addresses)
        except FetchError as exc:
            raise MailboxError(str(exc), permanent=exc.permanent) from exc
        finally:
            deadline.close()
        self.imap = self._connect(addresses, timeout)
        try:
            self.imap.login(address.user, address.password)
        except (OSError, imaplib.IMAP4.error) as exc:
            self.close()
            raise MailboxError(f"IMAP login to {address.host} failed: {_text(exc)}") from exc
        try:
            status, _data = self.imap.select(_quoted(address.path))
            if status != "OK":
                raise MailboxError(f"no mailbox {address.path!r} on {address.host}")
            validity = self.imap.response("UIDVALIDITY")[1]
            self.uidvalidity = int((validity[0] or b"0").decode()) if validity else 0
        except (OSError, imaplib.IMAP4.error, ValueError) as exc:
            self.close()
            raise MailboxError(f"cannot open {address.path!r} on {address.host}: "
                               f"{_text(exc)}") from exc
        except MailboxError:
            self.close()
            raise

    def _connect(self, addresses: list[IPAddress], timeout: float) -> imaplib.IMAP4:
        problem: Exception | None = None
        kind = _Imaps if self.address.tls else _Imap
        for ip in addresses:
            try:
                return kind(ip, self.address.host, self.address.port, timeout)
            except ssl.SSLCertVerificationError as exc:
                raise MailboxError(f"the TLS certificate of {self.address.host} is not "
                                   f"valid: {exc.verify_message or exc}") from exc
            except (OSError, imaplib.IMAP4.error) as exc:
                problem = exc
        raise MailboxError(f"cannot connect to {self.address.host}:{self.address.port}: "
                           f"{_text(problem)}")

    def new_messages(self, after_uid: int) -> list[MessageRef]:
        """Messages with a UID above ``after_uid``, oldest first, with their sizes."""
        try:
            status, data = self.imap.uid("SEARCH", None, f"UID {after_uid + 1}:*")
            if status != "OK":
                raise MailboxError(f"searching {self.address.path!r} failed: {data!r:.200}")
            # "n:*" always matches the newest message, even one below n.
            uids = sorted(uid for uid in (int(x) for x in (data[0] or b"").split())
                          if uid > after_uid)
            refs = []
            for start in range(0, len(uids), _FETCH_BATCH):
                chunk = ",".join(str(uid) for uid in uids[start:start + _FETCH_BATCH])
                status, data = self.imap.uid("FETCH", chunk, "(RFC822.SIZE)")
                for line in data or []:
                    if not isinstance(line, bytes):
                        continue
                    uid = re.search(rb"UID (\d+)", line)
                    size = re.search(rb"RFC822\.SIZE (\d+)", line)
                    if uid and size:
                        refs.append(MessageRef(int(uid.group(1)), int(size.group(1))))
        except (OSError, imaplib.IMAP4.error, ValueError) as exc:
            raise MailboxError(f"listing {self.address.path!r} on {self.address.host} "
                               f"failed: {_text(exc)}") from exc
        return sorted(refs, key=lambda ref: ref.uid)

    def read(self, uid: int) -> bytes:
        """The whole message (``BODY.PEEK[]``: reading alone marks nothing)."""
        try:
            status, data = self.imap.uid("FETCH", str(uid), "(BODY.PEEK[])")
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailboxError(f"reading message {uid} failed: {_text(exc)}") from exc
        for part in data or []:
            if isinstance(part, tuple) and len(part) == 2:
                return part[1]
        raise MailboxError(f"message {uid} is gone or could not be read ({status})")

    def subject(self, uid: int) -> str:
        """The message's subject alone (to name a message too large to read)."""
        try:
            _status, data = self.imap.uid("FETCH", str(uid),
                                          "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        except (OSError, imaplib.IMAP4.error):
            return ""
        for part in data or []:
            if isinstance(part, tuple) and len(part) == 2:
                header = email.message_from_bytes(part[1][:10_000], policy=email.policy.default)
                return _header(header, "Subject")
        return ""

    def mark_seen(self, uid: int) -> None:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            self.imap.uid("STORE", str(uid), "+FLAGS", "(\\Seen)")

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.imap.logout()


def _text(exc: BaseException | None) -> str:
    if isinstance(exc, imaplib.IMAP4.error) and exc.args and isinstance(exc.args[0], bytes):
        return exc.args[0].decode("utf-8", "replace")[:300]
    return " ".join(str(exc or "no answer").split())[:300] or type(exc).__name__


@contextlib.contextmanager
def open_mailbox(address: SourceAddress, *, timeout: float,
                 policy: FetchPolicy | None = None):
    mailbox = Mailbox(address, timeout=timeout, policy=policy or DEFAULT_POLICY)
    try:
        yield mailbox
    finally:
        mailbox.close()


# --- a message made into documents -----------------------------------------------------


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


def _header(message: EmailMessage, name: str) -> str:
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
    auto = _header(message, "Auto-Submitted").lower()
    if auto and auto != "no":
        return f"an automatic message (Auto-Submitted: {auto[:40]})"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply"):
        if _header(message, name):
            return f"an automatic reply ({name})"
    if _header(message, "Precedence").lower() in ("junk", "auto_reply"):
        return "an automatic reply (Precedence)"
    if message.get_content_type() == "multipart/report" or _LOOP_SENDERS.match(sender):
        return "a delivery report"
    if _header(message, "Return-Path") == "<>":
        return "a delivery report or automatic reply (no return path)"
    if _AUTO_SUBJECT.match(_header(message, "Subject")):
        return "an automatic reply (by its subject)"
    if sender and sender in own_addresses:
        return f"our own mail coming back ({sender})"
    flag = _header(message, "X-Spam-Flag").lower()
    status = _header(message, "X-Spam-Status").lower()
    if flag.startswith("yes") or status.startswith("yes") or \
            _header(message, "X-Spam").lower().startswith("yes"):
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
        when = parsedate_to_datetime(_header(message, "Date"))
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
    copy = MailCopy(subject=_header(message, "Subject")[:500], sender=_sender(message),
                    message_id=_header(message, "Message-ID").strip("<>")[:500])
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
