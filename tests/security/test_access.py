"""Issue 22 (access): every way in that changes something is closed to whoever may not use it.

The routes are enumerated from the URL configuration, the admin's registry and the API's
own schema, not listed by hand: a new page that takes a POST without a CSRF token, a new
admin model, or a new API write without a key check fails here until it is protected (or
named below with the reason it needs none).
"""

from __future__ import annotations

import json
import re
import time

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core import signing
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch

from tests.conftest import rss, rss_item
from wiredesk.api.app import api
from wiredesk.api.services import apikey_create
from wiredesk.digest import tokens
from wiredesk.digest.models import Subscriber
from wiredesk.digest.services import subscriber_subscribe
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article

pytestmark = pytest.mark.django_db

PASSWORD = "right horse battery staple"

# Views that take a POST without a CSRF token, and why that is safe. Anything else that
# does fails test_every_post_without_a_csrf_token_is_refused.
CSRF_EXEMPT = {
    # Sits on every public (shared, cached, static) page, so it can hold no per-visitor
    # token: posts are taken from the site's own pages only, by Origin/Sec-Fetch-Site
    # (core.origin, tests/security/test_same_origin_posts.py); it only mails a
    # confirmation link to the address and is rate-limited per client.
    "digest-subscribe",
    # The news-release form, linked from every public page: the same check, and its own
    # abuse guards (rate limits, honeypot, fill time).
    "release-submit",
    # RFC 8058 one-click unsubscribe: mailbox providers POST without cookies; the signed
    # token in the URL is the authorisation.
    "digest-unsubscribe",
    # The mail providers' bounce and complaint webhooks (digest.hooks): servers post there
    # with no session; each provider's signature is checked and replays are refused.
    "bounce-hook",
    # The WebSub hub (syndication.websub, W3C WebSub 5.1): subscribers are servers posting
    # with no session; nothing is subscribed until the callback echoes the hub's random
    # challenge (intent verified), and callbacks go through the fetch rules (no SSRF).
    "websub-hub",
}
# Sample values for the regex routes (every <converter:name> route is filled in by type).
REGEX_SAMPLES = {
    "text-page": "about",
    "brand-css-hashed": "brand.0123456789ab.css",
}


@pytest.fixture
def site(tmp_path):
    services.section_ensure(slug="world", name="World")
    agency = services.agency_ensure(code="RFE")
    feed = tmp_path / "a.rss"
    feed.write_bytes(rss("".join(rss_item(f"g{i}", f"Harbour story {i}") for i in range(3))))
    services.ingest_source(str(feed), agency=agency)
    return edition_save(name="Chile Sun", time_zone="UTC", hosts=["chilesun.example"])


# --- the routes ----------------------------------------------------------------------

def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
_SAMPLE_BY_TYPE = {"int": "1", "slug": "world", "str": "x", "path": "x/y", None: "x"}


def _concrete(route: str, pattern: URLPattern, edition_slug: str) -> str | None:
    if route.startswith("^") or "(?P" in route:
        sample = REGEX_SAMPLES.get(pattern.name)
        if sample is None:
            return None
        route = re.sub(r"\^.*\$$", sample, route)
    route = route.replace("<slug:edition_slug>", edition_slug)
    return "/" + _CONVERTER.sub(lambda m: _SAMPLE_BY_TYPE.get(m.group(1), "x"), route)


def site_routes(edition_slug="chile-sun"):
    """(path, name, view) for every route outside the admin and the API."""
    routes = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if route.startswith(("admin/", "api/")):
            continue
        path = _concrete(route, pattern, edition_slug)
        assert path is not None, (f"route {route!r} ({pattern.name}) is a regex: add a "
                                  "sample path for it to REGEX_SAMPLES")
        routes.append((path, pattern.name, pattern.callback))
    return routes


def test_the_routes_are_all_found(site):
    names = {name for _, name, _ in site_routes()}
    # A sanity floor: the walk reaches into the edition's included pages.
    assert {"digest-subscribe", "release-submit", "article", "search", "feed-rss"} <= names
    assert len(names) >= 30


def test_every_post_without_a_csrf_token_is_refused(site):
    """A cross-site form post (no cookie, no token) to any page: refused, except the named
    exemptions, whose views must say so themselves."""
    browser = Client(enforce_csrf_checks=True)
    tried = refused = 0
    for path, name, view in site_routes():
        exempt = getattr(view, "csrf_exempt", False)
        if exempt:
            assert name in CSRF_EXEMPT, (f"{path} ({name}) takes POSTs without a CSRF "
                                         "token: protect it or add it, with a reason, to "
                                         "CSRF_EXEMPT")
            continue
        answer = browser.post(path, {"email": "a@example.org"}, REMOTE_ADDR="203.0.113.9")
        tried += 1
        assert answer.status_code == 403 and b"CSRF" in answer.content, (path, answer)
        refused += 1
    assert set(CSRF_EXEMPT) <= {n for _, n, v in site_routes() if
                                getattr(v, "csrf_exempt", False)}
    print(f"\nCSRF: {tried} routes posted to without a token, {refused} refused; "
          f"{len(CSRF_EXEMPT)} exempt by design")


# --- the admin ----------------------------------------------------------------------

def _admin_urls():
    urls = []
    for model in admin.site._registry:
        opts = model._meta
        for action, args in (("changelist", ()), ("add", ()), ("change", (1,)),
                             ("delete", (1,)), ("history", (1,))):
            try:
                urls.append((f"{opts.app_label}.{opts.model_name}",
                             reverse(f"admin:{opts.app_label}_{opts.model_name}_{action}",
                                     args=args), action))
            except NoReverseMatch:
                continue
    return urls


@pytest.fixture
def users():
    User = get_user_model()
    reader = User.objects.create_user("reader", password=PASSWORD)
    clerk = User.objects.create_user("clerk", password=PASSWORD, is_staff=True)
    return reader, clerk


def test_every_admin_page_needs_a_staff_sign_in_and_the_permission(site, users):
    reader, clerk = users
    urls = _admin_urls()
    # Every registered model is reached: a model added to the admin is checked here too.
    assert {m for m, _, _ in urls} == {f"{m._meta.app_label}.{m._meta.model_name}"
                                       for m in admin.site._registry}
    anonymous = Client()
    signed_in_reader = Client()
    signed_in_reader.force_login(reader)
    staff_without_permission = Client()
    staff_without_permission.force_login(clerk)
    for model, url, action in [*urls, ("site", reverse("admin:index"), "index"),
                               ("site", reverse("admin:password_change"), "password")]:
        for who in (anonymous, signed_in_reader):
            for method in (who.get, who.post):
                answer = method(url)
                assert answer.status_code == 302, (url, answer.status_code)
                assert answer["Location"].startswith("/admin/login/"), (url, answer)
        if model == "site":
            continue
        for method in (staff_without_permission.get, staff_without_permission.post):
            answer = method(url, {"action": "delete_selected", "_selected_action": ["1"]})
            # 403, or (change/delete/history of a missing object) a redirect to the index:
            # never the page itself.
            assert answer.status_code in (403, 302), (url, answer.status_code)
            if answer.status_code == 302:
                assert answer["Location"] in ("/admin/", "/admin/login/?next=" + url), url
    print(f"\nadmin: {len(urls)} model pages x (anonymous, non-staff, staff without "
          "permission) x (GET, POST): all refused")


def test_admin_changes_need_the_csrf_token_even_for_a_superuser(site):
    boss = get_user_model().objects.create_superuser("boss", "b@example.org", PASSWORD)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(boss)
    article = Article.objects.first()
    url = reverse("admin:newsroom_article_delete", args=(article.pk,))
    assert browser.get(url).status_code == 200
    assert browser.post(url, {"post": "yes"}).status_code == 403
    assert Article.objects.filter(pk=article.pk).exists()


# --- the API ------------------------------------------------------------------------

WRITE_METHODS = ("post", "put", "patch", "delete")


def _api_writes():
    schema = api.get_openapi_schema()
    writes = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in WRITE_METHODS:
                writes.append((method, path, operation))
    return writes


def test_every_api_write_needs_a_write_key(site, client):
    writes = _api_writes()
    assert {p for _, p, _ in writes} >= {"/api/ingest", "/api/articles/{article_id}/kill"}
    _, read_key = apikey_create(name="reader")
    _, revoked_raw = apikey_create(name="gone", can_write=True, agencies=["RFE"])
    from wiredesk.api.services import apikey_revoke
    apikey_revoke(name="gone")
    before = Article.objects.filter(status=Article.Status.PUBLISHED).count()
    for method, path, operation in writes:
        assert operation.get("security"), f"{method.upper()} {path} declares no key"
        url = re.sub(r"\{[^}]+\}", str(Article.objects.first().pk), path)
        body = json.dumps({"agency": "RFE", "guid": "g0", "headline": "Forged",
                           "body_html": "<p>x</p>", "reason": "x"})
        send = getattr(client, method)
        for headers, expected in (({}, 401), ({"HTTP_X_API_KEY": "wd_forged"}, 401),
                                  ({"HTTP_X_API_KEY": revoked_raw}, 401),
                                  ({"HTTP_X_API_KEY": read_key}, 403)):
            answer = send(url, body, content_type="application/json", **headers)
            assert answer.status_code == expected, (method, path, headers, answer.content)
    assert Article.objects.filter(status=Article.Status.PUBLISHED).count() == before
    assert not Article.objects.filter(headline="Forged").exists()
    print(f"\nAPI: {len(writes)} write operations x 4 keys (none, forged, revoked, read): "
          "all refused")


# --- signed links -------------------------------------------------------------------

def _tampered(token: str) -> list[str]:
    """The token with its signature changed, its payload changed, cut, lengthened, cased."""
    value, _, signature = token.rpartition(":")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    payload, rest = token.split(":", 1)
    other_payload = ("f" if payload[0] != "f" else "e") + payload[1:]
    variants = [f"{value}:{flipped}", f"{other_payload}:{rest}", token[:-5], token + "x",
                token.upper()]
    assert token not in variants
    return variants


def test_digest_links_tampered_expired_replayed_and_crossed(site, client, monkeypatch,
                                                            settings):
    subscriber_subscribe(edition=site, email="reader@example.org")
    subscriber = Subscriber.objects.get()
    confirm = tokens.make_token(subscriber, tokens.CONFIRM)
    for forged in _tampered(confirm):
        assert client.post(f"/chile-sun/digest/confirm/{forged}").status_code == 400
    # Another purpose's token is not a confirmation (each purpose signs with its own salt).
    assert client.post(f"/chile-sun/digest/confirm/"
                       f"{tokens.make_token(subscriber, tokens.PREFERENCES)}").status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING
    # Expired: the clock moved past the confirmation's lifetime.
    real = time.time
    monkeypatch.setattr(signing.time, "time",
                        lambda: real() + settings.WIREDESK_DIGEST_CONFIRM_MAX_AGE + 5)
    late = client.post(f"/chile-sun/digest/confirm/{confirm}")
    assert late.status_code == 400 and b"expired" in late.content
    monkeypatch.setattr(signing.time, "time", real)
    assert client.post(f"/chile-sun/digest/confirm/{confirm}").status_code == 200
    unsubscribe = tokens.make_token(Subscriber.objects.get(), tokens.UNSUBSCRIBE)
    assert client.post(f"/chile-sun/digest/unsubscribe/{unsubscribe}").status_code == 200
    # Replayed: the old confirmation link cannot undo the unsubscription.
    again = client.post(f"/chile-sun/digest/confirm/{confirm}")
    assert b"cancelled" in again.content
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED
    # Signing up again rotates the link key: every link mailed before is void.
    subscriber_subscribe(edition=site, email="reader@example.org")
    assert client.post(f"/chile-sun/digest/unsubscribe/{unsubscribe}").status_code == 400
    assert client.get(f"/chile-sun/digest/preferences/"
                      f"{tokens.make_token(subscriber, tokens.PREFERENCES)}").status_code == 400


def test_release_links_tampered_expired_and_replayed(site, client, settings, monkeypatch,
                                                     django_capture_on_commit_callbacks):
    from wiredesk.releases.models import Release
    from wiredesk.releases.services import links

    settings.WIREDESK_RELEASE_MIN_FILL_SECONDS = 0
    release = Release.objects.create(
        organisation="Rowing Club", contact_name="Ana", email="ana@rowing.example",
        headline="Boathouse opens", body="A body of words for the release.",
        submitted_via=site, reference="WD-TEST-1", link_key="k" * 16)
    verify = links.verify_token(release)
    status = links.status_token(release)
    for forged in _tampered(verify):
        assert client.post(f"/chile-sun/releases/verify/{forged}").status_code == 400
    for forged in _tampered(status):
        assert client.get(f"/chile-sun/releases/status/{forged}").status_code == 404
    # The status token is no verify token, and the other way round.
    assert client.post(f"/chile-sun/releases/verify/{status}").status_code == 400
    assert client.get(f"/chile-sun/releases/status/{verify}").status_code == 404
    release.refresh_from_db()
    assert release.status == Release.Status.UNVERIFIED
    real = time.time
    monkeypatch.setattr(signing.time, "time",
                        lambda: real() + settings.WIREDESK_RELEASE_VERIFY_HOURS * 3600 + 5)
    assert client.post(f"/chile-sun/releases/verify/{verify}").status_code == 400
    monkeypatch.setattr(signing.time, "time", real)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/chile-sun/releases/verify/{verify}").status_code == 200
    release.refresh_from_db()
    assert release.status == Release.Status.PENDING
    # Replayed once moderation decided: the link changes nothing any more.
    Release.objects.filter(pk=release.pk).update(status=Release.Status.REJECTED)
    client.post(f"/chile-sun/releases/verify/{verify}")
    release.refresh_from_db()
    assert release.status == Release.Status.REJECTED
    # A new link key (the release's links re-issued) voids the old ones.
    Release.objects.filter(pk=release.pk).update(link_key="n" * 16)
    assert client.get(f"/chile-sun/releases/status/{status}").status_code == 404


# --- Host header injection -----------------------------------------------------------

def test_a_forged_host_reaches_no_link_page_feed_or_mail(site, settings, mailoutbox,
                                                         django_capture_on_commit_callbacks):
    """Even with the any-host escape hatch on (WIREDESK_ALLOWED_HOSTS=*, a proxy in front
    that is supposed to check hosts), no generated link is built from the Host header."""
    settings.WIREDESK_ALLOWED_HOSTS = ["*"]
    settings.BASE_URL = "https://news.example"
    forged = "evil.example"
    client = Client(HTTP_HOST=forged)
    article = Article.objects.first()
    pages = ["/chile-sun/", "/chile-sun/feed.rss", "/chile-sun/feed.atom",
             "/chile-sun/feed.json", "/chile-sun/sitemap.xml", "/chile-sun/sitemap-news.xml",
             "/chile-sun/sitemap-sections.xml", "/chile-sun/sitemap-articles-1.xml",
             "/chile-sun/robots.txt", "/chile-sun/search?q=harbour",
             f"/chile-sun/a/{article.pk}", "/chile-sun/releases/submit",
             "/chile-sun/digest/archive", "/api/articles", f"/api/articles/{article.pk}",
             "/api/openapi.json"]
    seen = 0
    for path in pages:
        answer = client.get(path, follow=False)
        while answer.status_code in (301, 302):
            assert forged not in answer["Location"], path
            answer = client.get(answer["Location"])
        assert answer.status_code in (200, 404), (path, answer.status_code)
        assert forged.encode() not in answer.content, path
        seen += answer.status_code == 200
        for header in ("Link", "Location", "Content-Location"):
            assert forged not in answer.get(header, ""), (path, header)
    assert seen >= 10
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/chile-sun/digest/subscribe",
                           {"email": "reader@example.org"}).status_code == 200
    assert mailoutbox, "the confirmation mail was sent"
    for message in mailoutbox:
        text = message.body + "".join(str(a[0]) for a in getattr(message, "alternatives", []))
        assert forged not in text and forged not in str(message.extra_headers)
        assert "https://chilesun.example/digest/confirm/" in text or \
            "https://news.example" in text or "chilesun.example" in text


def test_there_is_no_password_reset_to_poison():
    # A reset mail is the classic Host-injection target; the admin offers none (operators
    # reset passwords with `wiredesk changepassword`), so nothing mails a link on demand.
    for name in ("admin_password_reset", "password_reset"):
        with pytest.raises(NoReverseMatch):
            reverse(name)


# --- open redirects -----------------------------------------------------------------

OFF_SITE = ["https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example",
            "https:evil.example", "http:/evil.example", " //evil.example", "/%2Fevil.example",
            "javascript:alert(1)", "https://evil.example@testserver/",
            "https://testserver.evil.example/"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_sign_in_and_out_never_redirect_off_site(site, target):
    get_user_model().objects.create_user("editor", password=PASSWORD, is_staff=True)
    client = Client()
    answer = client.post(f"/admin/login/?next={target}",
                         {"username": "editor", "password": PASSWORD, "next": target})
    assert answer.status_code == 302
    assert _on_site(answer["Location"]), answer["Location"]
    out = client.post("/admin/logout/", {"next": target})
    assert _on_site(out.get("Location", "/")), out.get("Location")


def _on_site(location: str) -> bool:
    """A path on this site: no scheme, no host, nothing a browser reads as one."""
    from urllib.parse import urlsplit

    parts = urlsplit(location.strip())
    return (not parts.scheme and not parts.netloc and location.startswith("/")
            and not location.startswith(("//", "/\\")) and "\\" not in location)


@pytest.mark.parametrize("path", ["//evil.example", "//evil.example/chile-sun",
                                  "/chile-sun//evil.example", "///evil.example/x"])
def test_slash_redirects_stay_on_site(site, path):
    answer = Client().get(path)
    assert _on_site(answer.get("Location", "/")), (path, answer.get("Location"))
