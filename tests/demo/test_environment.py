"""What `wiredesk demo` tells itself and its processes before Django starts."""

import pytest

from wiredesk.demo import base_url, environment


@pytest.mark.parametrize(("host", "expected"), [
    ("127.0.0.1", "http://localhost:8100"),
    ("localhost", "http://localhost:8100"),
    ("0.0.0.0", "http://localhost:8100"),
    ("::", "http://localhost:8100"),
    ("::1", "http://localhost:8100"),
    ("192.168.1.20", "http://192.168.1.20:8100"),
    ("fd00::5", "http://[fd00::5]:8100"),
    ("news.lan", "http://news.lan:8100"),
])
def test_the_base_url_follows_host_and_port(host, expected):
    assert base_url(host, 8100) == expected


def test_the_demo_sets_its_address_and_mailbox():
    env = environment(host="127.0.0.1", port=8100)
    assert env == {"WIREDESK_BASE_URL": "http://localhost:8100", "WIREDESK_DEMO_MAILBOX": "1",
                   "WIREDESK_WEBSUB_HUB": "http://localhost:8100/websub/"}


def test_on_every_address_any_host_name_is_answered():
    env = environment(host="0.0.0.0", port=8000, allowed_hosts="news.lan")
    assert env["WIREDESK_ALLOWED_HOSTS"] == "news.lan,*"
    # A LAN address is the base URL's host, which the site answers anyway.
    assert "WIREDESK_ALLOWED_HOSTS" not in environment(host="192.168.1.20", port=8000)


def test_a_wildcard_demo_answers_a_lan_host(client, settings, db):
    from wiredesk.editions.hosts import is_site_host

    settings.WIREDESK_ALLOWED_HOSTS = ["*"]
    assert client.get("/", HTTP_HOST="192.168.1.20:8000").status_code == 200
    settings.WIREDESK_ALLOWED_HOSTS = []
    settings.BASE_URL = "http://192.168.1.20:8000"
    assert is_site_host("192.168.1.20:8000")
    assert client.get("/", HTTP_HOST="192.168.1.20:8000").status_code == 200
    settings.BASE_URL = "http://localhost:8000"
    assert client.get("/", HTTP_HOST="192.168.1.20:8000").status_code == 400
