"""Reports read from mail: RFC 3464 DSNs, RFC 5965 complaints and the plain-text bounces."""

from __future__ import annotations

import email
import re
from dataclasses import dataclass, field
from email.message import Message
from email.utils import getaddresses, parseaddr

HARD, SOFT, COMPLAINT, NONE = "hard", "soft", "complaint", "none"
BOUNCE, DELAY, FEEDBACK, UNKNOWN = "bounce", "delay", "complaint", "unknown"

# A message is read up to this many bytes; a DSN's report parts come first.
MAX_REPORT_BYTES = 512 * 1024
MAX_PARTS = 50
MAX_RECIPIENTS = 50

_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_SMTP_CODE = re.compile(r"\b([45][0-5]\d)(?:[ -]|$)")
_ADDRESS = re.compile(r"<?([A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9.-]{1,253}"
                      r"\.[A-Za-z]{2,63})>?")
_MESSAGE_ID_LINE = re.compile(rb"^Message-ID:[ \t]*(<[^>\r\n]{1,250}>)", re.I | re.M)
# 5.x.x codes that describe the message or the sender's standing, not the address.
_SOFT_PERMANENT = {("2", "2"), ("3", "4"), ("7", "1"), ("7", "0"), ("7", "2"), ("7", "7"),
                   ("7", "26"), ("7", "27"), ("7", "28"), ("7", "350"), ("7", "509")}
_COMPLAINT_TYPES = {"abuse", "fraud", "virus", "other"}


@dataclass(frozen=True)
class Recipient:
    address: str  # lower case; "" when redacted or absent
    action: str = ""  # failed, delayed, delivered, relayed, expanded, complaint
    status: str = ""  # "5.1.1"
    severity: str = NONE  # hard, soft, complaint, none
    diagnostic: str = ""


@dataclass(frozen=True)
class Report:
    kind: str  # bounce, delay, complaint, unknown
    format: str  # rfc3464, arf, qmail, exim, sendmail, gmail, exchange, ses, ...
    recipients: tuple[Recipient, ...] = ()
    original_message_id: str = ""  # "<...>", of the message that bounced
    tokens: tuple[str, ...] = ()  # VERP tokens found (our return path's "+token")
    envelope_sender: str = ""  # a provider event's MAIL FROM, when it says
    event_id: str = ""  # a provider's id of the event, for de-duplication
    error: str = ""  # why nothing usable was found
    subject: str = ""
    sender: str = ""

    @property
    def actionable(self) -> list[Recipient]:
        return [r for r in self.recipients if r.severity in (HARD, SOFT, COMPLAINT)]


@dataclass
class _Found:
    recipients: list[Recipient] = field(default_factory=list)
    message_id: str = ""


# --- small helpers ---------------------------------------------------------------------

def one_line(text: str, limit: int = 500) -> str:
    return " ".join(str(text or "").split())[:limit]


def address_in(value: str) -> str:
    """The mailbox in a DSN address field ("rfc822; a@b", "<a@b>", "a@b")."""
    value = str(value or "")
    if ";" in value:
        value = value.split(";", 1)[1]
    address = parseaddr(value.strip())[1] or value.strip().strip("<>")
    address = address.strip().lower()
    if not _ADDRESS.fullmatch(address):
        return ""
    return address


def status_severity(status: str, action: str = "") -> str:
    """hard, soft or none for a DSN status ("5.1.1") and action ("failed")."""
    action = action.lower()
    match = _STATUS.search(status or "")
    if action in ("delivered", "relayed", "expanded"):
        return NONE
    if action == "delayed":
        return SOFT
    if match:
        klass, subject, detail = match.groups()
        if klass == "2":
            return NONE
        if klass == "4":
            return SOFT
        return SOFT if (subject, detail) in _SOFT_PERMANENT else HARD
    if action == "failed":
        return HARD
    return NONE


def status_of(text: str) -> str:
    """The enhanced status code in an SMTP reply or diagnostic ("5.1.1"), else one made
    from its reply code ("550" -> "5.0.0"), else ""."""
    return status_from_text(text)


def status_from_text(text: str) -> str:
    match = _STATUS.search(text or "")
    if match:
        return match.group(0)
    code = _SMTP_CODE.search(text or "")
    if code:
        return f"{code.group(1)[0]}.0.0"
    return ""


def find_tokens(data: bytes, local_part: str) -> tuple[str, ...]:
    """The VERP tokens in ``local_part+TOKEN@`` addresses anywhere in the message (the
    bounce goes to our return path; a complaint quotes the original's Return-Path)."""
    if not local_part:
        return ()
    pattern = re.compile(re.escape(local_part.encode()) + rb"\+([A-Za-z0-9_-]{4,80})@", re.I)
    seen: list[str] = []
    for match in pattern.finditer(data):
        token = match.group(1).decode("ascii").lower()
        if token not in seen:
            seen.append(token)
        if len(seen) >= 5:
            break
    return tuple(seen)


def _payload_text(part: Message) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # a broken transfer encoding
        payload = None
    if payload is None:
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, "replace")
    except LookupError:
        return payload.decode("utf-8", "replace")


def _field_blocks(part: Message) -> list[Message]:
    """The field groups of a message/delivery-status or message/feedback-report part."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [each for each in payload if isinstance(each, Message)][:MAX_RECIPIENTS + 1]
    text = _payload_text(part).replace("\r\n", "\n")
    blocks = []
    for chunk in re.split(r"\n[ \t]*\n", text.strip()):
        if chunk.strip():
            blocks.append(email.message_from_string(chunk.strip() + "\n"))
        if len(blocks) > MAX_RECIPIENTS:
            break
    return blocks


def _original_message_id(part: Message) -> str:
    """The Message-ID of an attached original (message/rfc822 or text/rfc822-headers)."""
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        value = payload[0].get("Message-ID", "")
    else:
        match = _MESSAGE_ID_LINE.search(_payload_text(part).encode("utf-8", "replace"))
        value = match.group(1).decode() if match else ""
    value = one_line(value, 250)
    return value if value.startswith("<") and value.endswith(">") else ""


# --- the formats ----------------------------------------------------------------------

def _delivery_status(part: Message) -> list[Recipient]:
    blocks = _field_blocks(part)
    recipients = []
    for block in blocks[1:] if len(blocks) > 1 else blocks:
        address = address_in(block.get("Final-Recipient", "")
                           or block.get("Original-Recipient", ""))
        if not address and not block.get("Action"):
            continue
        action = one_line(block.get("Action", ""), 20).lower()
        diagnostic = one_line(block.get("Diagnostic-Code", "") or "")
        if ";" in diagnostic[:12]:
            diagnostic = diagnostic.split(";", 1)[1].strip()
        status = _STATUS.search(block.get("Status", "") or "")
        status_text = status.group(0) if status else status_from_text(diagnostic)
        specific = _STATUS.search(diagnostic)
        if specific and status_text.endswith(".0.0") and specific.group(1) == status_text[0]:
            status_text = specific.group(0)  # Exim's "5.0.0" with the server's "5.2.1"
        recipients.append(Recipient(address=address, action=action, status=status_text,
                                    severity=status_severity(status_text, action),
                                    diagnostic=diagnostic))
    return recipients[:MAX_RECIPIENTS]


def _feedback(part: Message, original: Message | None) -> list[Recipient]:
    blocks = _field_blocks(part)
    fields = blocks[0] if blocks else Message()
    feedback_type = one_line(fields.get("Feedback-Type", "abuse"), 40).lower()
    severity = COMPLAINT if feedback_type in _COMPLAINT_TYPES else NONE
    addresses = [address_in(value) for value in fields.get_all("Original-Rcpt-To") or []]
    if not any(addresses) and original is not None:
        # Microsoft's JMRP blanks the To and names the recipient in its own header.
        addresses = [address_in(original.get("X-HmXmrOriginalRecipient", ""))]
    if not any(addresses) and original is not None:
        addresses = [a.lower() for _, a in getaddresses(original.get_all("To") or [])]
    addresses = [a for a in addresses
                 if a and _ADDRESS.fullmatch(a) and not a.startswith("redacted@")] or [""]
    return [Recipient(address=a, action="complaint", severity=severity,
                      diagnostic=f"feedback type {feedback_type}")
            for a in addresses[:MAX_RECIPIENTS]]


# Plain-text bounces: (format, how to know it, where the addresses are, soft?).
_PERMANENT = re.compile(r"permanent(?:ly)?|fatal|given up|could not be delivered|"
                        r"failed permanently|has failed|undeliverable|not be delivered",
                        re.I)
_TEMPORARY = re.compile(r"has not yet been delivered|delayed|temporary|will (?:keep|retry|"
                        r"continue)|still trying|deferred", re.I)


def _plain_text_bounce(text: str) -> tuple[str, list[Recipient]]:
    """The format and failed recipients of a bounce with no delivery-status part."""
    text = text.replace("\r\n", "\n")[:200_000]
    # Only the notice itself, never the quoted copy of our own message below it.
    for marker in ("--- Below this line is a copy of the message.",
                   "------ This is a copy of the message",
                   "----- Original message -----", "   ----- Transcript of session follows",
                   "----- Original Message -----", "Original message headers:"):
        head, found, _ = text.partition(marker)
        if found:
            text = head
    if "This is the qmail-send program" in text:
        fmt = "qmail"
        chunks = re.findall(r"^<([^>\n]+@[^>\n]+)>:\n(.*?)(?=\n\n|\n<[^>\n]+>:\n|\Z)", text,
                            re.M | re.S)
    elif re.search(r"following address\(es\) failed|has not yet been delivered|"
                   r"Mail delivery failed", text):
        fmt = "exim"
        chunks = re.findall(r"^ {1,4}(\S+@\S+)\n((?:(?: {4,}|\t).*\n?)*)", text, re.M)
    elif "following addresses had permanent fatal errors" in text or \
            "following addresses had transient non-fatal errors" in text:
        fmt = "sendmail"
        chunks = re.findall(r"^<([^>\n]+@[^>\n]+)>\n((?:[ \t]+.*\n?)*)", text, re.M)
    elif re.search(r"Delivery to the following recipient", text):
        fmt = "gmail"
        chunks = re.findall(r"^[ \t]+(\S+@\S+)\s*\n\n?(.*?)(?=\Z)", text, re.M | re.S)
    elif re.search(r"Delivery has failed to these recipients|Your message to .* couldn't "
                   r"be delivered|Remote Server returned", text):
        fmt = "exchange"
        chunks = re.findall(r"^\s*(?:\S.*?)?<?(\S+@[^\s>]+)>?\s*\n(.*?)(?=\Z)", text,
                            re.M | re.S)[:1]
    else:
        return "unknown", []
    temporary = bool(_TEMPORARY.search(text)) and not bool(
        re.search(r"permanent error|failed permanently|permanent fatal", text, re.I))
    recipients = []
    for address, detail in chunks[:MAX_RECIPIENTS]:
        address = address_in(address)
        if not address:
            continue
        diagnostic = one_line(detail)
        status = status_from_text(detail)
        if temporary:
            status = status if status.startswith("4") else "4.0.0"
            action = "delayed"
        else:
            if not status or (status.startswith("4") and _PERMANENT.search(text)):
                status = "5.0.0" if not status else "5" + status[1:]
            action = "failed"
        recipients.append(Recipient(address=address, action=action, status=status,
                                    severity=status_severity(status, action),
                                    diagnostic=diagnostic))
    return fmt, recipients


def _format_of(message: Message) -> str:
    """Which MTA wrote a standard DSN (for the operator's view only)."""
    headers = " ".join(str(message.get(name, "")) for name in
                       ("From", "X-Mailer", "X-MS-Exchange-Organization-SCL",
                        "X-MS-Exchange-Message-Is-Ndr", "Received"))
    probes = (("exchange", r"X-MS-Exchange|Microsoft|outlook\.com"),
              ("gmail", r"google\.com|googlemail\.com"), ("postfix", r"Postfix"),
              ("exim", r"Exim"), ("sendmail", r"Sendmail"))
    for name, probe in probes:
        if re.search(probe, headers, re.I):
            return name
    return "rfc3464"


def parse_report(data: bytes, *, verp_local_part: str = "") -> Report:
    """What a message from the bounce mailbox reports. Never raises."""
    if not isinstance(data, bytes | bytearray) or not data.strip():
        return Report(kind=UNKNOWN, format="empty", error="empty message")
    data = bytes(data[:MAX_REPORT_BYTES])
    tokens = find_tokens(data, verp_local_part)
    try:
        message = email.message_from_bytes(data)
    except Exception as exc:  # the parser is lenient; this is the last resort
        return Report(kind=UNKNOWN, format="malformed", tokens=tokens,
                      error=f"unreadable message: {type(exc).__name__}")
    subject = one_line(message.get("Subject", ""), 200)
    sender = one_line(message.get("From", ""), 200)
    try:
        return _parse(message, data, tokens, subject, sender)
    except Exception as exc:  # a construction no sample had: recorded, never fatal
        return Report(kind=UNKNOWN, format="malformed", tokens=tokens, subject=subject,
                      sender=sender, error=f"unreadable report: {type(exc).__name__}: "
                                           f"{one_line(str(exc), 200)}")


def _parse(message: Message, data: bytes, tokens: tuple[str, ...], subject: str,
           sender: str) -> Report:
    parts = []
    for index, part in enumerate(message.walk()):
        if index >= MAX_PARTS:
            break
        parts.append(part)
    found = _Found()
    delivery_status = feedback = None
    original: Message | None = None
    for part in parts:
        ctype = part.get_content_type()
        if ctype in ("message/delivery-status", "message/global-delivery-status") \
                and delivery_status is None:
            delivery_status = part
        elif ctype == "message/feedback-report" and feedback is None:
            feedback = part
        elif ctype in ("message/rfc822", "text/rfc822-headers", "message/global",
                       "message/global-headers") and not found.message_id:
            found.message_id = _original_message_id(part)
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                original = payload[0]
            elif ctype.endswith("headers"):
                original = email.message_from_string(_payload_text(part))
    common = {"original_message_id": found.message_id, "tokens": tokens,
              "subject": subject, "sender": sender}
    if feedback is not None:
        recipients = _feedback(feedback, original)
        kind = FEEDBACK if any(r.severity == COMPLAINT for r in recipients) else UNKNOWN
        return Report(kind=kind, format="arf", recipients=tuple(recipients),
                      error="" if kind == FEEDBACK else "feedback report is not a complaint",
                      **common)
    if delivery_status is not None:
        recipients = _delivery_status(delivery_status)
        return _bounce(_format_of(message), recipients, common)
    text = "\n".join(_payload_text(p) for p in parts
                     if p.get_content_type() == "text/plain")[:200_000]
    if not text and not message.is_multipart():
        text = _payload_text(message)
    fmt, recipients = _plain_text_bounce(text)
    if not found.message_id:
        # The quoted original in a plain-text bounce is text too; its Message-ID is the
        # first one after the bounce's own headers.
        ends = [at for at in (data.find(b"\r\n\r\n"), data.find(b"\n\n")) if at >= 0]
        match = _MESSAGE_ID_LINE.search(data, min(ends)) if ends else None
        if match:
            common["original_message_id"] = match.group(1).decode("ascii", "replace")
    return _bounce(fmt, recipients, common)


def _bounce(fmt: str, recipients: list[Recipient], common: dict) -> Report:
    if not recipients:
        return Report(kind=UNKNOWN, format=fmt, error="no delivery report found", **common)
    if any(r.severity == HARD for r in recipients) or \
            any(r.action == "failed" for r in recipients):
        kind = BOUNCE
    elif any(r.severity == SOFT for r in recipients):
        kind = DELAY if all(r.action == "delayed" for r in recipients) else BOUNCE
    else:
        kind = UNKNOWN
    return Report(kind=kind, format=fmt, recipients=tuple(recipients),
                  error="" if kind != UNKNOWN else "reports no failure", **common)
