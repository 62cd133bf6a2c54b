"""A mailbox read over IMAP (TLS too), only where the fetch policy lets it."""

from __future__ import annotations

import contextlib
import email
import email.policy
import imaplib
import re
import socket
import ssl
from dataclasses import dataclass

from wiredesk.wire.fetch.errors import FetchError
from wiredesk.wire.fetch.http import checked_addresses
from wiredesk.wire.fetch.policy import DEFAULT_POLICY, FetchPolicy, IPAddress
from wiredesk.wire.mail.messages import header_text
from wiredesk.wire.sources import SourceAddress

_FETCH_BATCH = 200


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
        addresses = checked_addresses(address.host, address.port, policy, timeout,
                                      error=MailboxError)
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
                return header_text(header, "Subject")
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
