"""/metrics in this process. Counters shared across processes (database, Redis) are
tested in tests/e2e/test_ops_processes.py."""

import json
import logging

import pytest
from django.test import Client

from tests.conftest import rss, rss_item
from wiredesk.core import metrics
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services

pytestmark = pytest.mark.django_db


def sample(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in metrics:\n{text}")


@pytest.fixture
def polled_feed(tmp_path):
    agency = services.agency_ensure(code="RFE")
    path = tmp_path / "a.rss"
    path.write_bytes(rss(rss_item("g1", "One") + rss_item("g2", "Two")))
    feed = services.feed_add(source=str(path), agency=agency)
    services.feed_poll(feed, force=True)
    broken = tmp_path / "b.rss"
    broken.write_bytes(b"<html>not a feed")
    services.feed_poll(services.feed_add(source=str(broken), agency=agency), force=True)
    return feed


def test_metrics_in_prometheus_text_format(polled_feed):
    response = Client().get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    text = response.content.decode()
    assert sample(text, "wiredesk_up") == 1
    assert sample(text, "wiredesk_items_ingested_total") == 2
    assert sample(text, "wiredesk_feed_errors_total") == 1
    assert sample(text, "wiredesk_feed_polls_total") == 2
    assert sample(text, 'wiredesk_articles{status="published"}') == 2
    assert sample(text, 'wiredesk_feed_items_created{agency="RFE"}') == 2
    assert sample(text, 'wiredesk_feeds_failing{agency="RFE"}') == 1
    assert "# TYPE wiredesk_items_ingested_total counter" in text
    # The digest app is installed, so its counter is advertised (from zero).
    assert "# TYPE wiredesk_digest_sends_total counter" in text
    # Every sample line is "name{labels} number".
    for line in text.splitlines():
        if not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            assert name.startswith("wiredesk_")
            float(value)


def test_counters_other_apps_increment_appear(polled_feed):
    metrics.increment("page_cache_hits_total", 3)
    text = Client().get("/metrics").content.decode()
    assert sample(text, "wiredesk_page_cache_hits_total") == 3
    with pytest.raises(ValueError):
        metrics.increment("Bad Name")


def test_metrics_only_for_allowed_addresses(settings):
    assert Client(REMOTE_ADDR="203.0.113.5").get("/metrics").status_code == 403
    # A client cannot claim to be local through a header nobody trusted.
    assert Client(REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="127.0.0.1") \
        .get("/metrics").status_code == 403
    settings.WIREDESK_METRICS_ALLOW = ["192.0.2.0/24"]
    assert Client(REMOTE_ADDR="192.0.2.7").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 403


def test_forwarded_for_honoured_only_from_trusted_proxies(settings):
    settings.WIREDESK_TRUSTED_PROXIES = ["10.0.0.0/8"]
    via_proxy = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert via_proxy.get("/metrics").status_code == 200
    # The right-most untrusted hop is the client; what it wrote to its left is forged.
    forged = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="127.0.0.1, 203.0.113.9")
    assert forged.get("/metrics").status_code == 403
    two_proxies = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="127.0.0.1, 10.0.0.3")
    assert two_proxies.get("/metrics").status_code == 200


def test_ops_endpoints_work_on_an_edition_host():
    edition_save(name="Chile Sun", time_zone="Australia/Sydney", hosts=["chilesun.example"])
    client = Client(HTTP_HOST="chilesun.example")
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/metrics").status_code == 200
    assert client.get("/chile-sun/healthz").status_code == 404  # only at the root


def test_ingest_logs_carry_feed_article_and_edition_ids(tmp_path, caplog):
    edition = edition_save(name="Chile Sun", time_zone="Australia/Sydney")
    agency = services.agency_ensure(code="RFE")
    path = tmp_path / "a.rss"
    path.write_bytes(rss(rss_item("g1", "One")))
    feed = services.feed_add(source=str(path), agency=agency)
    with caplog.at_level(logging.INFO, logger="wiredesk.newsroom.services"):
        services.feed_poll(feed, force=True)
    created = [r for r in caplog.records if getattr(r, "event", "") == "article_created"]
    assert len(created) == 1
    assert created[0].feed_id == feed.pk
    assert created[0].edition_ids == [edition.pk]
    assert created[0].article_id == feed.articles.get().pk
    polled = [r for r in caplog.records if getattr(r, "event", "") == "feed_polled"]
    assert polled[0].feed_id == feed.pk and polled[0].items_created == 1

    from wiredesk.logs import JsonFormatter

    line = json.loads(JsonFormatter().format(created[0]))
    assert line["feed_id"] == feed.pk and line["edition_ids"] == [edition.pk]
    assert line["level"] == "INFO" and line["message"].endswith("created")
