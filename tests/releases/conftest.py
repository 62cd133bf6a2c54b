"""Fixtures for the news-release tests: a real SMTP server, editions, images, a submitter."""

from __future__ import annotations

import io
from functools import partial

import pytest
from django.test import Client
from PIL import Image

from tests.smtp_sink import SmtpSink
from wiredesk.mail import email_settings_from_url


@pytest.fixture
def smtp(settings):
    """A real SMTP server; Django is pointed at it through EMAIL_URL parsing."""
    sink = SmtpSink().start()
    for key, value in email_settings_from_url(sink.url).items():
        setattr(settings, key, value)
    settings.DEFAULT_FROM_EMAIL = "Chile Sun <releases@chilesun.example>"
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture(autouse=True)
def _release_settings(settings, tmp_path):
    from django.core.cache import caches

    for each in caches.all():  # pages, counters, default
        each.clear()
    settings.WIREDESK_RELEASE_MIN_FILL_SECONDS = 0
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BASE_URL = "http://testserver"
    yield
    for each in caches.all():  # pages, counters, default
        each.clear()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`with commit(): ...` runs what the block left for after its commit (the release
    mails) when the block ends, as a real commit would, inside a plain `django_db` test."""
    return partial(django_capture_on_commit_callbacks, execute=True)


@pytest.fixture
def requests_commit(monkeypatch, commit):
    """Every test-client request ends as a real one does: its transaction commits and the
    mail goes out. So the tests need no transactional database (slow: a flush per test)."""
    request = Client.request

    def committing_request(self, **kwargs):
        with commit():
            return request(self, **kwargs)

    monkeypatch.setattr(Client, "request", committing_request)


# Chile Sun's own host: mailed links point at it, so the tests follow them there.
CHILE_HOST = "chilesun.example"


@pytest.fixture
def editions(db):
    from wiredesk.editions.services import edition_save
    from wiredesk.newsroom import services

    for slug, position in (("world", 1), ("business", 2), ("sport", 3), ("community", 4)):
        services.section_ensure(slug=slug, name=slug.title(), position=position)
    chile = edition_save(name="Chile Sun", time_zone="Australia/Sydney",
                         hosts=[CHILE_HOST])
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
