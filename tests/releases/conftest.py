"""Fixtures for the news-release tests: a real SMTP server, editions, images, a submitter."""

from __future__ import annotations

import email
import email.policy
import io
import logging
import re
import socket
import threading
from dataclasses import dataclass

import pytest
from aiosmtpd.controller import Controller
from PIL import Image

from wiredesk.mail import email_settings_from_url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    sender: str
    recipients: list[str]
    subject: str
    body: str
    raw: bytes

    def link(self, kind: str) -> str:
        """The path of the first link to /releases/<kind>/ or /news/ in the body."""
        match = re.search(r"https?://[^/\s]+(/\S*/" + re.escape(kind) + r"/\S+)", self.body)
        assert match, f"no {kind} link in:\n{self.body}"
        return match.group(1)


class Inbox:
    """Messages an aiosmtpd server on 127.0.0.1 received, parsed as a mail client would."""

    def __init__(self):
        self.messages: list[Received] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",)).get_content()
        with self._lock:
            self.messages.append(Received(sender=envelope.mail_from,
                                          recipients=list(envelope.rcpt_tos),
                                          subject=str(message["Subject"]), body=body,
                                          raw=envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.recipients]

    def last(self, address: str) -> Received:
        found = self.to(address)
        assert found, f"no mail to {address}; got {[m.recipients for m in self.messages]}"
        return found[-1]


@pytest.fixture
def smtp(settings):
    """A real SMTP server; Django is pointed at it through EMAIL_URL parsing."""
    # aiosmtpd logs every SMTP command at INFO; keep test output for failures that matter.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    for key, value in email_settings_from_url(f"smtp://127.0.0.1:{port}").items():
        setattr(settings, key, value)
    settings.DEFAULT_FROM_EMAIL = "Chile Sun <releases@chilesun.example>"
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def _release_settings(settings, tmp_path):
    from django.core.cache import cache

    cache.clear()
    settings.WIREDESK_RELEASE_MIN_FILL_SECONDS = 0
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BASE_URL = "http://testserver"
    yield
    cache.clear()


@pytest.fixture
def editions(db):
    from wiredesk.editions.services import edition_save
    from wiredesk.newsroom import services

    for slug, position in (("world", 1), ("business", 2), ("sport", 3), ("community", 4)):
        services.section_ensure(slug=slug, name=slug.title(), position=position)
    chile = edition_save(name="Chile Sun", time_zone="Australia/Sydney",
                         hosts=["chilesun.example"])
    euro = edition_save(name="Euro Ledger", time_zone="Europe/Paris",
                        sections=["world", "business"])
    return chile, euro


def image_bytes(size=(640, 480), fmt="JPEG", *, exif=None, mode="RGB") -> bytes:
    image = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else None)
    out = io.BytesIO()
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


BODY = ("The Valparaiso Rowing Club opens its new boathouse on Saturday with a regatta for "
        "juniors and a free open day for families.\n\nThe boathouse was built by volunteers "
        "over two years and replaces the shed lost in the 2023 storm.")


def form_data(edition, **overrides) -> dict:
    from wiredesk.releases.abuse import started_token

    data = {
        "organisation": "Valparaiso Rowing Club",
        "contact_name": "Ana Rojas",
        "email": "ana@rowing.example",
        "phone": "+56 32 123 4567",
        "headline": "Rowing club opens new boathouse with junior regatta",
        "body": BODY,
        "category": "sports",
        "editions": [str(edition.pk)],
        "image_caption": "",
        "image_credit": "",
        "requested_release_at": "",
        "started": started_token(),
        "website": "",
    }
    data.update(overrides)
    return data
