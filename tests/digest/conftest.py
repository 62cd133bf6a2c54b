"""Fixtures for the digest: a real SMTP server, a small site with fresh news, subscribers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from tests.conftest import distinct_body, rss, rss_item
from tests.smtp_sink import SmtpSink


@pytest.fixture(scope="session")
def smtp_server():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def smtp(smtp_server, settings):
    """The real SMTP server, emptied, with Django and the digest pointed at it."""
    smtp_server.reset()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    settings.DEFAULT_FROM_EMAIL = "wiredesk <news@wiredesk.example>"
    settings.WIREDESK_DIGEST_RATE_PER_SECOND = 0
    settings.WIREDESK_DIGEST_RATE_PER_HOUR = 0
    settings.WIREDESK_DIGEST_RETRY_BASE = 0
    settings.BASE_URL = "https://news.example"
    from django.core.cache import caches

    for each in caches.all():  # pages, counters, default
        each.clear()
    return smtp_server


def news_item(guid: str, title: str, *, hours_ago: float, category: str = "World",
              now: datetime | None = None) -> str:
    moment = (now or datetime.now(UTC)) - timedelta(hours=hours_ago)
    return rss_item(guid, title, distinct_body(title), category=category,
                    date=format_datetime(moment))


def ingest(tmp_path, items: str, *, agency: str = "RFE", name: str = "wire.rss"):
    from wiredesk.newsroom import services

    path = tmp_path / name
    path.write_bytes(rss(items))
    return services.ingest_source(str(path), agency=services.agency_ensure(code=agency))


@pytest.fixture
def site(tmp_path):
    """Two editions in different zones, with stories from the last few hours."""
    from wiredesk.editions.services import edition_save
    from wiredesk.newsroom import services

    for slug, position in (("world", 1), ("business", 2), ("sport", 3)):
        services.section_ensure(slug=slug, name=slug.title(), position=position)
    items = (news_item("w1", "Ministers meet in Santiago", hours_ago=1)
             + news_item("w2", "Floods close the coast road", hours_ago=2)
             + news_item("b1", "Copper price climbs", hours_ago=3, category="Business")
             + news_item("s1", "Cup final goes to extra time", hours_ago=4, category="Sport"))
    ingest(tmp_path, items)
    chile = edition_save(name="Chile Sun", time_zone="Australia/Sydney",
                         hosts=["chilesun.example"])
    euro = edition_save(name="Euro Ledger", time_zone="Europe/Paris",
                        sections=["world", "business"])
    return chile, euro


def make_confirmed(edition, email: str, **prefs):
    from wiredesk.digest.models import Subscriber
    from wiredesk.digest.services import subscriber_confirm, subscriber_subscribe

    subscriber_subscribe(edition=edition, email=email, **prefs)
    subscriber = Subscriber.objects.get(edition=edition, email=email)
    subscriber_confirm(subscriber=subscriber)
    subscriber.refresh_from_db()
    return subscriber
