"""The public forms take posts from the site's own pages only (core.origin), with no
token in the page: a cross-site post is refused, a same-origin one from a cached page or
a static copy is taken."""

import re

import pytest
from django.core.cache import caches
from django.test import Client

from tests.conftest import rss, rss_item
from wiredesk import publish
from wiredesk.digest.models import Subscriber
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services
from wiredesk.releases.abuse import started_token
from wiredesk.releases.models import Release

pytestmark = pytest.mark.django_db
SIGNUP = "/chile-sun/digest/subscribe"
RELEASE = "/chile-sun/releases/submit"
BODY = ("The Valparaiso Rowing Club opened its new boathouse on Saturday with a junior "
        "regatta for forty crews from six schools along the coast. ") * 3


@pytest.fixture
def site(tmp_path, settings):
    for each in caches.all():
        each.clear()
    settings.WIREDESK_RELEASE_MIN_FILL_SECONDS = 0
    settings.BASE_URL = "http://news.example"
    settings.WIREDESK_ALLOWED_HOSTS = ["news.example"]
    services.section_ensure(slug="world", name="World")
    agency = services.agency_ensure(code="RFE")
    feed = tmp_path / "a.rss"
    feed.write_bytes(rss("".join(rss_item(f"g{i}", f"Story {i}") for i in range(2))))
    services.ingest_source(str(feed), agency=agency)
    return edition_save(name="Chile Sun", time_zone="UTC")


def release_data(edition, email="ana@rowing.example"):
    return {"organisation": "Valparaiso Rowing Club", "contact_name": "Ana Rojas",
            "email": email, "phone": "", "category": "sports",
            "headline": "Rowing club opens new boathouse with junior regatta",
            "body": BODY, "editions": [str(edition.pk)], "image_caption": "",
            "image_credit": "", "requested_release_at": "", "started": started_token(),
            "website": ""}


def browser() -> Client:
    # A browser's tokenless post: no cookie, no token, CSRF checks as a real request.
    return Client(enforce_csrf_checks=True, HTTP_HOST="news.example")


@pytest.mark.parametrize("where", [
    {"HTTP_ORIGIN": "https://evil.example"},
    {"HTTP_ORIGIN": "null"},  # a sandboxed frame or data: page
    {"HTTP_ORIGIN": "https://news.example"},  # another scheme is another origin
    {"HTTP_SEC_FETCH_SITE": "cross-site"},
    {"HTTP_SEC_FETCH_SITE": "same-site"},  # a sibling subdomain is not this site
])
def test_cross_site_posts_are_refused(site, where):
    signup = browser().post(SIGNUP, {"email": "victim@mail.example"}, **where)
    assert signup.status_code == 403 and b"cross-site" in signup.content
    release = browser().post(RELEASE, release_data(site), **where)
    assert release.status_code == 403
    assert not Subscriber.objects.exists() and not Release.objects.exists()


def test_a_cached_page_s_forms_post_from_the_same_origin(site):
    reader = browser()
    reader.get("/chile-sun/")
    home = reader.get("/chile-sun/")
    assert home["X-Cache"] == "HIT" and not home.cookies
    action = re.search(rb'<form method="post" action="([^"]+/digest/subscribe)"',
                       home.content).group(1).decode()
    same = {"HTTP_ORIGIN": "http://news.example", "HTTP_SEC_FETCH_SITE": "same-origin"}
    signup = reader.post(action, {"email": "reader@mail.example"}, **same)
    assert signup.status_code == 200 and b"Check your inbox" in signup.content
    form = reader.get(RELEASE)
    assert b"csrfmiddlewaretoken" not in form.content and not form.cookies
    release = reader.post(RELEASE, release_data(site), **same)
    assert release.status_code == 302, release.content[:500]
    assert Subscriber.objects.filter(email="reader@mail.example").exists()
    assert Release.objects.filter(email="ana@rowing.example").exists()


def test_a_static_copy_s_forms_post_and_succeed(site, tmp_path, settings):
    """The static page, served by nginx on the site's address (docs/static-mode.md),
    posts its signup form to the live site, and its release link leads to a form that
    posts: both taken, with the static page's origin; from a static copy on another
    host once the operator trusts that origin."""
    target = tmp_path / "out"
    publish.publish(target)
    page = (target / "chile-sun" / "index.html").read_text()
    assert "csrfmiddlewaretoken" not in page
    action = re.search(r'<form method="post" action="([^"]+/digest/subscribe)"',
                       page).group(1)
    link = re.search(r'href="([^"]+/releases/submit)"', page).group(1)
    assert action.startswith("http://news.example/") and link.startswith("http://news.example/")
    origin = {"HTTP_ORIGIN": "http://news.example"}
    path = action.removeprefix("http://news.example")
    assert browser().post(path, {"email": "static@mail.example"}, **origin).status_code == 200
    form = browser().get(link.removeprefix("http://news.example"))
    assert form.status_code == 200 and b"csrfmiddlewaretoken" not in form.content
    sent = browser().post(RELEASE, release_data(site), **origin)
    assert sent.status_code == 302
    # A copy served from elsewhere: refused until trusted.
    elsewhere = {"HTTP_ORIGIN": "https://static.example.org"}
    assert browser().post(path, {"email": "cdn@mail.example"},
                          **elsewhere).status_code == 403
    settings.CSRF_TRUSTED_ORIGINS = ["https://static.example.org"]
    assert browser().post(path, {"email": "cdn@mail.example"},
                          **elsewhere).status_code == 200
    emails = set(Subscriber.objects.values_list("email", flat=True))
    assert emails == {"static@mail.example", "cdn@mail.example"}
    assert Release.objects.count() == 1
