"""WIREDESK_BASE_URL is the rule for links; a site reached at another address says so, once
per process (editions/middleware.py, hosts.matches_base_url)."""

import logging

import pytest
from django.test import Client

from wiredesk.editions.hosts import matches_base_url
from wiredesk.editions.services import edition_save

pytestmark = pytest.mark.django_db

LOGGER = "wiredesk.editions.middleware"


def warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == LOGGER and r.levelno == logging.WARNING and "WIREDESK_BASE_URL" in
            r.getMessage()]


@pytest.mark.parametrize(("base", "host", "same"), [
    ("http://127.0.0.1:8000", "127.0.0.1:8000", True),
    ("http://127.0.0.1:8000", "localhost:8000", True),  # loopback names are one place
    ("http://localhost:8000", "[::1]:8000", True),
    ("http://127.0.0.1:8000", "127.0.0.1:8100", False),
    ("http://127.0.0.1:8000", "localhost", False),
    ("https://news.example", "news.example", True),
    ("https://news.example", "news.example:443", True),
    ("https://news.example", "NEWS.example.", True),
    ("https://news.example", "www.news.example", False),
    ("http://news.example:8080", "news.example", False),
])
def test_matches_base_url(settings, base, host, same):
    settings.BASE_URL = base
    assert matches_base_url(host) is same


def test_a_request_at_another_port_is_told_once(settings, caplog):
    settings.BASE_URL = "http://127.0.0.1:8000"
    client = Client()
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert client.get("/", HTTP_HOST="127.0.0.1:8100").status_code == 200
        client.get("/", HTTP_HOST="127.0.0.1:8100")
        client.get("/", HTTP_HOST="localhost:8200")
    [told] = warnings(caplog)
    assert "127.0.0.1:8100" in told and "WIREDESK_BASE_URL=http://127.0.0.1:8000" in told


def test_the_right_address_and_edition_hosts_say_nothing(settings, caplog):
    settings.BASE_URL = "http://localhost:8100"
    edition_save(name="Chile Sun", time_zone="UTC", hosts=["chilesun.localhost"])
    client = Client()
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        client.get("/", HTTP_HOST="localhost:8100")
        client.get("/", HTTP_HOST="127.0.0.1:8100")
        # an edition's own host: its links carry its own name, not the site's
        client.get("/", HTTP_HOST="chilesun.localhost:8100")
        client.get("/", HTTP_HOST="chilesun.localhost:9999")
    assert warnings(caplog) == []


def test_the_links_keep_following_the_setting_not_the_request(settings):
    settings.BASE_URL = "http://127.0.0.1:8000"
    edition_save(name="Chile Sun", time_zone="UTC", hosts=["chilesun.localhost"])
    page = Client().get("/chile-sun/", HTTP_HOST="127.0.0.1:8100").content.decode()
    assert "http://chilesun.localhost:8000/" in page
    assert ":8100" not in page
