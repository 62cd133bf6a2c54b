"""Getting digest messages to the relay: a pooled SMTP connection and a rate limit.

The transport knows nothing of the ledger: it sends bytes and says how it went
(:class:`SendResult`), so the send loop can record the outcome. SMTP replies are
classified here: 5xx is permanent (the ledger fails the delivery and counts a bounce),
anything else may be retried. Each message is DKIM-signed (``mail.dkim``) just before it
goes on the wire to the relay.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import socket
import ssl
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings

from wiredesk.digest.models import Delivery, SentRecord
from wiredesk.digest.render import CrlfMessage
from wiredesk.mail import SMTP_BACKENDS, dkim


class SendResult(NamedTuple):
    ok: bool
    code: int | None = None
    permanent: bool = False
    error: str = ""


class TransportUnavailable(Exception):
    """The relay cannot be reached at all: stop the run, burn nobody's attempts."""


class SmtpTransport:
    """One SMTP connection reused for up to ``per_connection`` messages, then renewed."""

    def __init__(self, *, host: str, port: int, username: str = "", password: str = "",
                 use_tls: bool = False, use_ssl: bool = False, timeout: float = 20,
                 per_connection: int = 100):
        self.host, self.port = host, port
        self.username, self.password = username, password
        self.use_tls, self.use_ssl, self.timeout = use_tls, use_ssl, timeout
        self.per_connection = max(1, per_connection)
        self._smtp: smtplib.SMTP | None = None
        self._pipelining = False
        self._sent_on_connection = 0
        self.connections_opened = 0
        self._dkim_keys = dkim.signing_keys()
        self._envelope: tuple[str, str] = ("", "")
        self._commands: list[str] = []
        self._written: list[str] = []
        self._result: SendResult | None = None

    @classmethod
    def from_settings(cls) -> SmtpTransport:
        return cls(host=settings.EMAIL_HOST, port=settings.EMAIL_PORT,
                   username=settings.EMAIL_HOST_USER, password=settings.EMAIL_HOST_PASSWORD,
                   use_tls=settings.EMAIL_USE_TLS, use_ssl=settings.EMAIL_USE_SSL,
                   timeout=settings.EMAIL_TIMEOUT or 20,
                   per_connection=settings.WIREDESK_DIGEST_MESSAGES_PER_CONNECTION)

    def _connect(self) -> None:
        try:
            if self.use_ssl:
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                        context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.use_tls:
                    smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password)
            # SMTP is a dialogue of small writes; Nagle's algorithm would hold each one
            # back waiting for the peer's delayed ACK.
            smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            smtp.ehlo_or_helo_if_needed()
        except (OSError, smtplib.SMTPException) as exc:
            raise TransportUnavailable(f"cannot connect to {self.host}:{self.port}: "
                                       f"{exc}") from exc
        self._smtp = smtp
        self._pipelining = smtp.has_extn("pipelining")
        self._sent_on_connection = 0
        self.connections_opened += 1

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None

    def send(self, sender: str, recipient: str, data: bytes) -> SendResult:
        self.open_envelope(sender, recipient)
        self.send_content(data)
        return self.outcome()

    # One message in three steps, so the sender works while the relay answers: the
    # envelope (MAIL, RCPT and DATA in one write when the relay offers PIPELINING, RFC
    # 2920; else MAIL alone), then the content once the relay has said yes to all three,
    # then the relay's final reply. Nothing is delivered before the content's end.

    def open_envelope(self, sender: str, recipient: str) -> None:
        """Start a message: connect if need be (TransportUnavailable), write the envelope."""
        if self._smtp is None or self._sent_on_connection >= self.per_connection:
            self.close()
            self._connect()
        self._envelope = (sender, recipient)
        self._written = []
        self._result = None
        if not (sender.isascii() and recipient.isascii()):
            return  # smtplib's own path, in send_content
        commands = [f"MAIL FROM:<{sender}>", f"RCPT TO:<{recipient}>", "DATA"]
        if any(ch in command for command in commands for ch in "\r\n"):
            self._result = SendResult(False, 501, True, "501 address contains a line break")
            return
        self._commands = commands
        self._written = commands if self._pipelining else commands[:1]
        self._guard(lambda: self._smtp.send("".join(c + "\r\n" for c in self._written)))

    def send_content(self, data: bytes) -> None:
        """Read the envelope's replies and, when all say yes, write the message."""
        if self._result is not None:
            return
        sender, recipient = self._envelope
        if not self._written:
            self._guard(lambda: self._set(self._sendmail(sender, recipient, data)))
            return
        self._guard(lambda: self._content(data))

    def outcome(self) -> SendResult:
        """The relay's reply to the message (or why it never got that far)."""
        if self._result is None:
            self._guard(self._final)
        result = self._result
        assert result is not None
        if result.code == 421:  # the relay is closing this connection
            self.close()
        elif self._smtp is not None:
            self._sent_on_connection += 1
        return result

    def _set(self, result: SendResult) -> None:
        self._result = result

    def _guard(self, step: Callable[[], None]) -> None:
        try:
            step()
        except OSError as exc:  # dropped connection, timeout (SMTPServerDisconnected too)
            if self._smtp is not None:
                self._smtp.close()
                self._smtp = None
            self._result = SendResult(False, None, False, f"connection lost: {exc}")

    def _content(self, data: bytes) -> None:
        smtp = self._smtp
        assert smtp is not None
        replies = [smtp.getreply() for _ in self._written]
        if not self._pipelining:
            for command in self._commands[1:]:
                if replies[-1][0] not in (250, 251, 354):
                    break
                smtp.send(command + "\r\n")
                replies.append(smtp.getreply())
        for (code, message), wanted in zip(replies, ((250,), (250, 251), (354,)), strict=False):
            if code not in wanted:
                if replies[-1][0] == 354:  # pipelined DATA accepted anyway: end it empty
                    smtp.send(".\r\n")
                    smtp.getreply()
                if code != 421:
                    _reset(smtp)
                self._result = _classify(code, message)
                return
        # The last step: nothing may change the message after its signature.
        smtp.send(_wire_data(dkim.sign(data, self._dkim_keys)))

    def _final(self) -> None:
        smtp = self._smtp
        assert smtp is not None
        code, message = smtp.getreply()
        if code != 250:
            if code != 421:
                _reset(smtp)
            self._result = _classify(code, message)
        else:
            self._result = SendResult(True, 250)

    def _sendmail(self, sender: str, recipient: str, data: bytes) -> SendResult:
        """smtplib's own path, for addresses that need SMTPUTF8 handling."""
        assert self._smtp is not None
        try:
            refused = self._smtp.sendmail(sender, [recipient], data)
        except smtplib.SMTPRecipientsRefused as exc:
            code, message = next(iter(exc.recipients.values()))
            return _classify(code, message)
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            return _classify(exc.smtp_code, exc.smtp_error)
        except smtplib.SMTPResponseException as exc:  # e.g. a 421 at MAIL FROM
            return _classify(exc.smtp_code, exc.smtp_error)
        if refused:
            code, message = next(iter(refused.values()))
            return _classify(code, message)
        return SendResult(True, 250)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


_LINE_END = re.compile(rb"\r\n|\n|\r(?!\n)")


def _reset(smtp: smtplib.SMTP) -> None:
    # A failed RSET leaves the connection for the next message to find gone.
    with contextlib.suppress(OSError, smtplib.SMTPException):
        smtp.rset()


def _wire_data(data: bytes) -> bytes:
    """The DATA section as SMTP wants it: CRLF line ends, leading dots doubled, the end."""
    if isinstance(data, CrlfMessage):  # built with CRLF line ends (digest.render)
        if b"\r\n." in data or data.startswith(b"."):
            data = (b"." if data.startswith(b".") else b"") + data.replace(b"\r\n.",
                                                                             b"\r\n..")
        return data + b".\r\n" if data.endswith(b"\r\n") else data + b"\r\n.\r\n"
    if data.count(b"\n") != data.count(b"\r\n") or b"\r" in data.replace(b"\r\n", b""):
        data = _LINE_END.sub(b"\r\n", data)  # a stray LF or CR, as smtplib fixes them
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    # Every line now starts at the beginning or after a CRLF.
    stuffed = data.replace(b"\r\n.", b"\r\n..")
    return (b"." if data.startswith(b".") else b"") + stuffed + b".\r\n"


def _classify(code: int, message) -> SendResult:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return SendResult(False, code, 500 <= code < 600, f"{code} {text}"[:480])


class BackendTransport:
    """For the console, file and locmem backends (demo, development): Django sends."""

    def __init__(self):
        from django.core.mail import get_connection

        self.connection = get_connection()
        self.connections_opened = 1

    def send(self, sender: str, recipient: str, data: bytes) -> SendResult:
        from email import message_from_bytes, policy

        from django.core.mail import EmailMessage

        parsed = message_from_bytes(data, policy=policy.SMTP)

        class _Prebuilt(EmailMessage):
            def message(self, *, policy=None):
                return parsed

        self.connection.send_messages([_Prebuilt(from_email=sender, to=[recipient])])
        return SendResult(True, 250)

    def open_envelope(self, sender: str, recipient: str) -> None:
        self._envelope = (sender, recipient)

    def send_content(self, data: bytes) -> None:
        self._data = data

    def outcome(self) -> SendResult:
        return self.send(*self._envelope, self._data)

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open_transport():
    if settings.EMAIL_BACKEND in SMTP_BACKENDS:
        return SmtpTransport.from_settings()
    return BackendTransport()

class RateLimiter:
    """At most ``per_second`` messages a second (spaced evenly) and ``per_hour`` in any
    hour. 0 means no limit. The hour counts what every sender sent (seeded from the
    ledger); the per-second spacing is per sending process."""

    def __init__(self, *, per_second: float = 0, per_hour: int = 0,
                 sent_in_last_hour: list[float] | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.per_hour = per_hour
        self.clock, self.sleep = clock, sleep
        self._next_at = 0.0
        self._hour: deque[float] = deque(sorted(sent_in_last_hour or []))

    def acquire(self) -> bool:
        """Wait for the next slot; False when the hourly quota is used up (stop sending)."""
        now = self.clock()
        if self.per_hour:
            while self._hour and self._hour[0] <= now - 3600:
                self._hour.popleft()
            if len(self._hour) >= self.per_hour:
                return False
        if self.interval:
            if now < self._next_at:
                self.sleep(self._next_at - now)
                now = self._next_at
            self._next_at = now + self.interval
        if self.per_hour:
            self._hour.append(now)
        return True

    @classmethod
    def from_settings(cls, *, now: datetime) -> RateLimiter:
        per_hour = settings.WIREDESK_DIGEST_RATE_PER_HOUR
        seeded: list[float] = []
        if per_hour:
            base, since = time.monotonic(), now - timedelta(hours=1)
            # Folded sends and those still only recorded (another sender's current batch).
            sent = [*Delivery.objects.filter(sent_at__gt=since).values_list("sent_at", flat=True),
                    *SentRecord.objects.filter(sent_at__gt=since).values_list("sent_at",
                                                                             flat=True)]
            seeded = [base - (now - each).total_seconds() for each in sent]
        return cls(per_second=settings.WIREDESK_DIGEST_RATE_PER_SECOND, per_hour=per_hour,
                   sent_in_last_hour=seeded)
