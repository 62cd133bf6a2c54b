"""Reading a mailbox once over IMAP or POP3, from one URL: each message, then done with it.

Pure (standard library only), for any app that takes mail in: the digest's bounce
mailbox (``WIREDESK_BOUNCE_MAILBOX``) first.

    imap://user:pass@host:143/INBOX       imaps://user:pass@host:993/INBOX
    pop3://user:pass@host:110             pop3s://user:pass@host:995
    imap://...?move=Processed             move each message there instead of deleting it

The caller reads ``messages()`` and calls ``done(message)`` only after it has stored
what the message said; a message not marked done stays in the mailbox for the next
run. Deletions are committed when the mailbox is closed normally (IMAP EXPUNGE, POP3
QUIT), so a crash mid-run re-reads, never loses, what was not yet committed: readers
must be idempotent. A message above ``max_bytes`` is read only up to that size
(``truncated``): a 40 MB attachment never fills memory. ``ssl.create_default_context``
checks TLS certificates, so ``SSL_CERT_FILE`` names a private CA.
"""

from __future__ import annotations

import imaplib
import poplib
import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from wiredesk.errors import WiredeskError

DEFAULT_PORTS = {"imap": 143, "imaps": 993, "pop3": 110, "pop3s": 995}
DEFAULT_MAX_BYTES = 1024 * 1024


class MailboxError(WiredeskError):
    """The mailbox cannot be read: a bad URL, refused login, unreachable server."""


@dataclass(frozen=True)
class MailboxURL:
    scheme: str
    host: str
    port: int
    user: str
    password: str
    folder: str = "INBOX"
    move_to: str = ""

    @property
    def protocol(self) -> str:
        return "imap" if self.scheme.startswith("imap") else "pop3"

    @property
    def tls(self) -> bool:
        return self.scheme.endswith("s")

    def redacted(self) -> str:
        """For logs and errors: never the password."""
        return f"{self.scheme}://{self.user}@{self.host}:{self.port}/{self.folder}"


def parse_mailbox_url(url: str) -> MailboxURL:
    parts = urlsplit((url or "").strip())
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise MailboxError(f"mailbox URL scheme {scheme!r} is not one of "
                           f"{', '.join(DEFAULT_PORTS)}")
    if not parts.hostname:
        raise MailboxError("the mailbox URL names no host")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError as exc:
        raise MailboxError(f"the mailbox URL's port is not a number: {exc}") from exc
    if not parts.username:
        raise MailboxError("the mailbox URL names no user")
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    if scheme.startswith("pop3") and folder != "INBOX":
        raise MailboxError("POP3 has only the inbox: leave the folder out of the URL")
    move_to = parse_qs(parts.query).get("move", [""])[0]
    if move_to and scheme.startswith("pop3"):
        raise MailboxError("POP3 cannot move messages: leave ?move= out of the URL")
    for name in (folder, move_to):
        if re.search(r'[\x00-\x1f"\\]', name):
            raise MailboxError(f"folder name {name!r} has characters IMAP cannot quote")
    return MailboxURL(scheme=scheme, host=parts.hostname, port=port,
                      user=unquote(parts.username), password=unquote(parts.password or ""),
                      folder=folder, move_to=move_to)


@dataclass(frozen=True)
class InboxMessage:
    key: str  # the IMAP UID or the POP3 message number (valid for this session)
    size: int  # as the server reports it
    data: bytes
    truncated: bool = False


class _Imap:
    def __init__(self, url: MailboxURL, timeout: float, max_bytes: int):
        self.url, self.max_bytes = url, max_bytes
        try:
            if url.tls:
                self.conn = imaplib.IMAP4_SSL(url.host, url.port, timeout=timeout,
                                              ssl_context=ssl.create_default_context())
            else:
                self.conn = imaplib.IMAP4(url.host, url.port, timeout=timeout)
            self.conn.login(url.user, url.password)
            status, _ = self.conn.select(_quoted(url.folder))
            if status != "OK":
                raise MailboxError(f"no folder {url.folder!r} in {url.redacted()}")
            if url.move_to:
                self.conn.create(_quoted(url.move_to))  # "already exists" is fine
            # What the server offers after login (MOVE among it), not the greeting's list.
            _, data = self.conn.capability()
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailboxError(f"cannot read {url.redacted()}: {exc}") from exc
        self.capabilities = set((data[0] or b"").decode("ascii", "replace").upper().split())
        self.marked = 0

    def keys(self, limit: int | None) -> list[tuple[str, int]]:
        status, data = self.conn.uid("SEARCH", None, "UNDELETED")
        if status != "OK":
            raise MailboxError(f"cannot list {self.url.redacted()}: {data!r}")
        uids = [int(uid) for uid in (data[0] or b"").split() if uid.isdigit()]
        uids = sorted(uids)[:limit] if limit else sorted(uids)
        if not uids:
            return []
        # Sizes in one command, the UIDs as ranges: a long mailbox never makes a line
        # longer than a server takes.
        status, data = self.conn.uid("FETCH", _uid_set(uids), "(RFC822.SIZE)")
        sizes = {}
        for line in data or []:
            text = line.decode("ascii", "replace") if isinstance(line, bytes) else ""
            uid = re.search(r"UID (\d+)", text)
            size = re.search(r"RFC822\.SIZE (\d+)", text)
            if uid:
                sizes[int(uid.group(1))] = int(size.group(1)) if size else 0
        return [(str(uid), sizes.get(uid, 0)) for uid in uids]

    def fetch(self, key: str, size: int) -> InboxMessage:
        truncated = size > self.max_bytes
        part = f"BODY.PEEK[]<0.{self.max_bytes}>" if truncated else "BODY.PEEK[]"
        status, data = self.conn.uid("FETCH", key, f"({part})")
        if status != "OK":
            raise MailboxError(f"cannot fetch message {key}: {data!r}")
        body = b"".join(item[1] for item in data or []
                        if isinstance(item, tuple) and len(item) == 2)
        return InboxMessage(key=key, size=size, data=body, truncated=truncated)

    def done(self, key: str) -> None:
        if self.url.move_to:
            if "MOVE" in self.capabilities:
                status, data = self.conn.uid("MOVE", key, _quoted(self.url.move_to))
                if status != "OK":
                    raise MailboxError(f"cannot move message {key} to "
                                       f"{self.url.move_to!r}: {data!r}")
                return
            status, data = self.conn.uid("COPY", key, _quoted(self.url.move_to))
            if status != "OK":
                raise MailboxError(f"cannot copy message {key} to {self.url.move_to!r}: "
                                   f"{data!r}")
        self.conn.uid("STORE", key, "+FLAGS.SILENT", r"(\Deleted)")
        self.marked += 1

    def close(self, commit: bool) -> None:
        try:
            if commit and self.marked:
                self.conn.expunge()
            self.conn.close()
            self.conn.logout()
        except (OSError, imaplib.IMAP4.error):
            pass


class _Pop3:
    def __init__(self, url: MailboxURL, timeout: float, max_bytes: int):
        self.url, self.max_bytes = url, max_bytes
        try:
            if url.tls:
                self.conn = poplib.POP3_SSL(url.host, url.port, timeout=timeout,
                                            context=ssl.create_default_context())
            else:
                self.conn = poplib.POP3(url.host, url.port, timeout=timeout)
            self.conn.user(url.user)
            self.conn.pass_(url.password)
        except (OSError, poplib.error_proto) as exc:
            raise MailboxError(f"cannot read {url.redacted()}: {exc}") from exc

    def keys(self, limit: int | None) -> list[tuple[str, int]]:
        _, listing, _ = self.conn.list()
        keys = []
        for line in listing:
            number, _, size = line.decode("ascii", "replace").partition(" ")
            if number.isdigit():
                keys.append((number, int(size) if size.strip().isdigit() else 0))
        return keys[:limit] if limit else keys

    def fetch(self, key: str, size: int) -> InboxMessage:
        if size > self.max_bytes:
            # The headers and the first lines: where a report's machine-readable part is.
            command = f"TOP {int(key)} {max(1, self.max_bytes // 80)}"
        else:
            command = f"RETR {int(key)}"
        data, cut = self._bounded(command)
        return InboxMessage(key=key, size=size, data=data, truncated=cut or size > len(data))

    def _bounded(self, command: str) -> tuple[bytes, bool]:
        """A multi-line answer, kept up to ``max_bytes`` and the rest read and dropped.

        poplib's own reader refuses a line over 2048 bytes and leaves the session out of
        step (unwrapped HTML, a base64 blob on one line are common in hostile mail), so
        the answer is read here, in chunks, to its end; its private ``_putcmd`` and
        ``_getresp`` send the command and check the "+OK".
        """
        self.conn._putcmd(command)
        self.conn._getresp()
        kept: list[bytes] = []
        size, at_line_start = 0, True
        while True:
            chunk = self.conn.file.readline(65536)
            if not chunk:
                raise poplib.error_proto("the connection closed in the middle of a message")
            if at_line_start and chunk in (b".\r\n", b".\n"):
                break
            if at_line_start and chunk.startswith(b".."):
                chunk = chunk[1:]  # dot-stuffing
            at_line_start = chunk.endswith(b"\n")
            if size < self.max_bytes:
                kept.append(chunk[:self.max_bytes - size])
                size += len(kept[-1])
            else:
                size += 1  # past the cap: only note that something was dropped
        return b"".join(kept), size > self.max_bytes

    def done(self, key: str) -> None:
        self.conn.dele(int(key))

    def close(self, commit: bool) -> None:
        try:
            if commit:
                self.conn.quit()  # POP3 commits the deletions only at QUIT
            else:
                self.conn.close()
        except (OSError, poplib.error_proto):
            pass


def _uid_set(uids: list[int]) -> str:
    """``[1, 2, 3, 7, 9, 10]`` -> ``"1:3,7,9:10"``."""
    runs: list[str] = []
    start = previous = uids[0]
    for uid in [*uids[1:], None]:
        if uid is not None and uid == previous + 1:
            previous = uid
            continue
        runs.append(str(start) if start == previous else f"{start}:{previous}")
        if uid is not None:
            start = previous = uid
    return ",".join(runs)


def _quoted(folder: str) -> str:
    return '"' + folder + '"'


class Mailbox:
    """One session with the mailbox; use as a context manager."""

    def __init__(self, url: str | MailboxURL, *, timeout: float = 30,
                 max_bytes: int = DEFAULT_MAX_BYTES):
        self.url = url if isinstance(url, MailboxURL) else parse_mailbox_url(url)
        self.timeout, self.max_bytes = timeout, max_bytes
        self._session: _Imap | _Pop3 | None = None

    def __enter__(self) -> Mailbox:
        kind = _Imap if self.url.protocol == "imap" else _Pop3
        self._session = kind(self.url, self.timeout, self.max_bytes)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._session is not None:
            # Commit the deletions even after an error: what was marked done was stored.
            self._session.close(commit=True)
            self._session = None

    def messages(self, *, limit: int | None = None) -> Iterator[InboxMessage | MailboxError]:
        """Each message in the mailbox, oldest first; a message that cannot be fetched
        comes as a ``MailboxError`` (with its key in ``.key``) so the caller records it."""
        assert self._session is not None, "use Mailbox as a context manager"
        protocol_errors = (OSError, imaplib.IMAP4.error, poplib.error_proto)
        try:
            keys = self._session.keys(limit)
        except protocol_errors as exc:
            raise MailboxError(f"cannot list {self.url.redacted()}: {exc}") from exc
        for key, size in keys:
            try:
                yield self._session.fetch(key, size)
            except MailboxError as exc:
                exc.key = key
                yield exc
            except protocol_errors as exc:
                error = MailboxError(f"cannot fetch message {key}: {exc}")
                error.key = key
                yield error

    def done(self, key: str) -> None:
        """The message was stored: delete (or move) it; committed when the session ends."""
        assert self._session is not None
        try:
            self._session.done(key)
        except (OSError, imaplib.IMAP4.error, poplib.error_proto) as exc:
            raise MailboxError(f"cannot remove message {key}: {exc}") from exc
