"""Issue 23, items 15 and 16: hosts, headers, sign-in throttling, shared pages, sign-ups.

Each test was written against the code before the fix and failed there: any Host was
answered (and put into links), HTML pages had no Content-Security-Policy, 40 wrong
passwords were followed by a successful sign-in, public pages set the ``csrftoken``
cookie while marked ``Cache-Control: public``, the digest signup took ``a@[127.0.0.1]``
and ``a@localhost``, and the signup form on a static page posted to the static host.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.conftest import rss, rss_item
from wiredesk import publish
from wiredesk.digest.models import Subscriber
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(tmp_path):
    services.section_ensure(slug="world", name="World")
    agency = services.agency_ensure(code="RFE")
    feed = tmp_path / "a.rss"
    feed.write_bytes(rss("".join(rss_item(f"g{i}", f"Harbour story {i}") for i in range(3))))
    services.ingest_source(str(feed), agency=agency)
    return edition_save(name="Chile Sun", time_zone="UTC", hosts=["chilesun.example"])


# --- Host header ---------------------------------------------------------------------

def test_a_host_that_is_no_editions_nor_the_sites_is_refused(site, caplog):
    client = Client()
    refused = client.get("/chile-sun/", HTTP_HOST="evil.example")
    assert refused.status_code == 400
    assert b"Harbour story" not in refused.content
    assert "unknown host 'evil.example'" in caplog.text
    # Host-header injection: nothing is built from the forged host, not even a redirect.
    assert client.get("/chile-sun", HTTP_HOST="evil.example").status_code == 400
    # The edition's own host, the site's host and loopback are answered.
    assert client.get("/", HTTP_HOST="chilesun.example").status_code == 200
    assert client.get("/chile-sun/", HTTP_HOST="127.0.0.1:8000").status_code == 200
    assert client.get("/chile-sun/", HTTP_HOST="localhost").status_code == 200
    # Health checks answer on any host (a load balancer asks by address).
    assert client.get("/healthz", HTTP_HOST="10.0.0.7").status_code == 200


def test_a_host_added_to_an_edition_at_run_time_is_answered_at_once(site):
    client = Client()
    assert client.get("/", HTTP_HOST="news.chilesun.example").status_code == 400
    edition_save(name="Chile Sun", time_zone="UTC",
                 hosts=["chilesun.example", "news.chilesun.example"])
    assert client.get("/", HTTP_HOST="news.chilesun.example").status_code == 200


def test_operator_named_hosts_and_the_any_host_setting(site, settings):
    client = Client()
    settings.WIREDESK_ALLOWED_HOSTS = [".proxy.example"]
    assert client.get("/chile-sun/", HTTP_HOST="a.proxy.example").status_code == 200
    assert client.get("/chile-sun/", HTTP_HOST="b.other.example").status_code == 400
    settings.WIREDESK_ALLOWED_HOSTS = ["*"]
    answered = client.get("/chile-sun/", HTTP_HOST="b.other.example")
    assert answered.status_code == 200
    assert answered.get("X-Cache") == "MISS"  # answered, but never cached for that host
    assert client.get("/chile-sun/", HTTP_HOST="b.other.example").get("X-Cache") == "MISS"


# --- Headers -------------------------------------------------------------------------

def _directives(policy: str) -> dict[str, str]:
    return {part.split()[0]: part.partition(" ")[2] for part in policy.split("; ")}


def test_html_pages_carry_a_strict_content_security_policy(site):
    client = Client()
    article = Article.objects.first()
    for url in ("/chile-sun/", "/chile-sun/search?q=harbour", "/chile-sun/digest/subscribe",
                "/chile-sun/releases/submit", f"/chile-sun/news/{article.pk}/x", "/nowhere"):
        response = client.get(url, follow=True)
        assert response["Content-Type"].startswith("text/html"), url
        policy = _directives(response["Content-Security-Policy"])
        assert policy["script-src"] == "'self'", url
        assert policy["style-src"] == "'self'", url
        assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'"
        assert policy["frame-ancestors"] == "'none'" and policy["form-action"] == "'self'"
        assert "camera=()" in response["Permissions-Policy"]
    # Feeds and the API are not documents a browser runs: no policy needed there.
    assert not client.get("/chile-sun/feed.rss").has_header("Content-Security-Policy")
    # The admin sets styles inline; its scripts are still the site's own only.
    admin = _directives(client.get("/admin/login/")["Content-Security-Policy"])
    assert admin["script-src"] == "'self'" and "'unsafe-inline'" in admin["style-src"]


def test_pages_hold_no_inline_script_or_style_the_policy_would_block(site):
    client = Client()
    article = Article.objects.first()
    for url in ("/chile-sun/", f"/chile-sun/news/{article.pk}/x", "/chile-sun/digest/subscribe",
                "/chile-sun/releases/submit", "/chile-sun/search?q=harbour"):
        html = client.get(url, follow=True).content.decode()
        scripts = re.findall(r"<script\b([^>]*)>", html)
        assert all('type="application/ld+json"' in attrs or "src=" in attrs
                   for attrs in scripts), (url, scripts)
        assert " style=" not in html and "<style" not in html, url


def test_https_sites_send_hsts():
    code = ("import wiredesk.settings as s; print(s.SECURE_HSTS_SECONDS, "
            "getattr(s, 'SECURE_HSTS_INCLUDE_SUBDOMAINS', False))")
    import os

    env = {**os.environ, "WIREDESK_HTTPS": "true"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == ["31536000", "False"]
    plain = {k: v for k, v in os.environ.items() if k != "WIREDESK_HTTPS"}
    code = code.replace("s.SECURE_HSTS_SECONDS", "getattr(s, 'SECURE_HSTS_SECONDS', 0)")
    out = subprocess.run([sys.executable, "-c", code], env=plain, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out[0] == "0"


def test_hsts_header_on_https_answers_only(site, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    client = Client()
    assert "max-age=31536000" in client.get("/chile-sun/", secure=True)[
        "Strict-Transport-Security"]
    assert not client.get("/chile-sun/").has_header("Strict-Transport-Security")


# --- Admin sign-in -------------------------------------------------------------------

def _sign_in(client, password, address="203.0.113.9", **headers):
    return client.post("/admin/login/?next=/admin/",
                       {"username": "editor", "password": password},
                       REMOTE_ADDR=address, **headers)


def _signed_in(client) -> bool:
    return client.get("/admin/").status_code == 200


@pytest.fixture
def editor():
    return get_user_model().objects.create_user(
        "editor", password="right horse battery staple", is_staff=True, is_superuser=True)


def test_wrong_passwords_lock_the_account_from_that_address(editor, settings):
    attacker = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(attacker, "guess").status_code == 200  # the form again, with an error
    assert _sign_in(attacker, "guess").status_code == 429  # the limit: locked from here on
    locked = _sign_in(attacker, "right horse battery staple")
    assert locked.status_code == 429
    assert b"Too many sign-in attempts" in locked.content
    assert not _signed_in(attacker)
    # Rotating X-Forwarded-For does not make a new client (no trusted proxy is set).
    assert _sign_in(attacker, "right horse battery staple",
                    HTTP_X_FORWARDED_FOR="198.51.100.77").status_code == 429
    # The editor, from their own network, is not locked out by the attacker.
    editor_browser = Client()
    assert _sign_in(editor_browser, "right horse battery staple",
                    address="192.0.2.10").status_code == 302
    assert _signed_in(editor_browser)


def test_lockout_ends_after_the_cooling_off_time(editor, settings):
    from axes.models import AccessAttempt
    from django.utils import timezone

    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "guess")
    assert _sign_in(client, "right horse battery staple").status_code == 429
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME * 2)
    assert _sign_in(client, "right horse battery staple").status_code == 302
    assert _signed_in(client)


# --- Shared pages and sign-ups -------------------------------------------------------

def test_no_page_marked_public_sets_a_cookie(site):
    article = Article.objects.first()
    story = article.story_id
    urls = ["/chile-sun/", "/chile-sun/section/world/", f"/chile-sun/news/{article.pk}/x",
            f"/chile-sun/story/{story}", "/chile-sun/search?q=harbour", "/chile-sun/feed.rss",
            "/chile-sun/feed.json", "/chile-sun/sitemap.xml", "/chile-sun/digest/subscribe",
            "/chile-sun/releases/submit", "/"]
    checked = 0
    for url in urls:
        for _ in range(2):  # a miss, then a hit
            response = Client().get(url, follow=True)
            if "public" in response.get("Cache-Control", ""):
                checked += 1
                assert not response.cookies, (url, response.cookies)
    assert checked >= 10


@pytest.mark.parametrize("address", ["a@[127.0.0.1]", "a@[IPv6:::1]", "a@localhost",
                                     "a@mail.localhost", "a@printer.local", "a@127.0.0.1",
                                     "a@intranet", "a@corp.internal", "a@x.invalid"])
def test_signup_refuses_addresses_that_reach_a_machine_not_a_reader(site, address):
    response = Client().post("/chile-sun/digest/subscribe", {"email": address})
    assert response.status_code == 400
    assert b"valid email address" in response.content
    assert not Subscriber.objects.exists()


def test_signup_takes_an_ordinary_address(site):
    response = Client().post("/chile-sun/digest/subscribe", {"email": "Reader@Mail.Example.com"})
    assert response.status_code == 200
    assert Subscriber.objects.get().email == "reader@mail.example.com"


def test_static_pages_send_forms_and_search_to_the_live_site(site, tmp_path, settings):
    settings.BASE_URL = "https://news.example.net"
    target = tmp_path / "out"
    publish.publish(target)
    home = (target / "chile-sun" / "index.html").read_text()
    live = "https://chilesun.example/"
    assert f'action="{live.rstrip("/")}/digest/subscribe"' in home
    assert f'action="{live.rstrip("/")}/search"' in home
    assert f'href="{live.rstrip("/")}/releases/submit"' in home
    assert "csrfmiddlewaretoken" not in home
    # That form, posted from the static copy (another origin the operator trusts, no
    # cookie, no token), works.
    settings.CSRF_TRUSTED_ORIGINS = ["https://static.example.org"]
    posted = Client(enforce_csrf_checks=True).post(
        "/digest/subscribe", {"email": "static@reader.example"}, HTTP_HOST="chilesun.example",
        HTTP_ORIGIN="https://static.example.org")
    assert posted.status_code == 200
    assert Subscriber.objects.filter(email="static@reader.example").exists()
    # The live pages keep relative forms (CSP form-action 'self').
    live_home = Client().get("/chile-sun/").content.decode()
    assert 'action="/chile-sun/digest/subscribe"' in live_home


def test_a_sign_in_whose_address_cannot_be_told_is_still_recorded(editor):
    """A mangled X-Forwarded-For from a trusted proxy (or a request with no peer) has no
    address: the attempt is kept without one, not refused by the database."""
    from axes.models import AccessLog
    from django.test import RequestFactory

    from wiredesk.core.clients import client_ip_or_none

    request = RequestFactory().get("/admin/")
    request.META.pop("REMOTE_ADDR")
    assert client_ip_or_none(request) is None
    client = Client()
    client.force_login(editor)
    assert _signed_in(client)
    assert AccessLog.objects.filter(username="editor").exists()
