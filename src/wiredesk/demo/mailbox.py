"""The demo's mailbox: mail kept as files in the data directory, read at ``/_mail/``.

A newcomer trying the demo has no mail relay, and a confirmation link printed among
access-log lines is easily missed; so ``wiredesk demo`` turns this on
(``WIREDESK_DEMO_MAILBOX``): every message the instance sends (digest confirmations and
digests, news-release verifications, receipts and decisions) is written as one ``.eml``
file, the very bytes a relay would have been given, under ``$WIREDESK_DATA_DIR/mailbox/``.
Names begin with the time in nanoseconds, so they sort oldest first; each file is written
under a temporary name and renamed, so a reader never sees half a message.

The pages that show them are ``demo.views`` (demo only, see there).
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

from wiredesk.datadir import FILE_MODE, private_dir

log = logging.getLogger(__name__)

MESSAGE_ID = re.compile(r"\d{20}-[0-9a-f]{8}")
LISTED = 200  # newest messages on the list page


def mailbox_dir() -> Path:
    return Path(settings.WIREDESK_MAILBOX_DIR)


class MailboxBackend(BaseEmailBackend):
    """A Django email backend that keeps each message as a file in the mailbox."""

    def send_messages(self, email_messages) -> int:
        if not email_messages:
            return 0
        directory = private_dir(mailbox_dir())
        kept = 0
        for message in email_messages:
            try:
                message_id = _keep(directory, message.message().as_bytes())
            except Exception:
                if not self.fail_silently:
                    raise
                continue
            kept += 1
            log.info("mail to %s kept in the demo mailbox: %s/_mail/%s/",
                     ", ".join(message.to), settings.BASE_URL, message_id)
        return kept


def _keep(directory: Path, data: bytes) -> str:
    message_id = f"{time.time_ns():020d}-{secrets.token_hex(4)}"
    temporary = directory / f".{message_id}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(temporary, directory / f"{message_id}.eml")
    return message_id


@dataclass(frozen=True)
class Letter:
    """One kept message, as the mailbox pages show it."""

    id: str
    when: datetime
    sender: str
    to: str
    subject: str
    text: str = ""
    html: str = ""


def _read(path: Path, *, headers_only: bool) -> Letter:
    with path.open("rb") as handle:
        message: EmailMessage = BytesParser(policy=policy.default).parse(
            handle, headersonly=headers_only)
    message_id = path.stem
    when = datetime.fromtimestamp(int(message_id.split("-", 1)[0]) / 1e9, tz=UTC)
    letter = Letter(id=message_id, when=when, sender=str(message["From"] or ""),
                    to=str(message["To"] or ""), subject=str(message["Subject"] or ""))
    if headers_only:
        return letter
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return Letter(**{**letter.__dict__, "text": text.get_content() if text else "",
                     "html": html.get_content() if html else ""})


def letters(directory: Path | None = None, *, limit: int = LISTED) -> list[Letter]:
    """The newest ``limit`` messages, newest first (headers only)."""
    directory = directory or mailbox_dir()
    try:
        names = sorted((entry.name for entry in os.scandir(directory)
                        if entry.name.endswith(".eml")
                        and MESSAGE_ID.fullmatch(entry.name[:-4])), reverse=True)
    except FileNotFoundError:
        return []
    return [_read(directory / name, headers_only=True) for name in names[:limit]]


def letter(message_id: str, directory: Path | None = None) -> Letter | None:
    """One message in full, or None (an id that is not one of ours names no file)."""
    if not MESSAGE_ID.fullmatch(message_id):
        return None
    path = (directory or mailbox_dir()) / f"{message_id}.eml"
    try:
        return _read(path, headers_only=False)
    except FileNotFoundError:
        return None
