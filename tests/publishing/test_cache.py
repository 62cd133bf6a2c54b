"""The full-page cache: hits, purges on publish/update/kill, embargo lifts, Redis."""

import time
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.test import override_settings
from django.utils import timezone

from tests.conftest import rss, rss_item
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article
from wiredesk.publishing.models import EditionStamp

pytestmark = pytest.mark.django_db

REDIS_TEST_URL = "redis://127.0.0.1:6379/7"


def article_url(article, prefix="/chile-sun"):
    return f"{prefix}/news/{article.pk}/{article.slug}"


def test_repeated_page_is_served_from_cache(client, site):
    article = Article.objects.get(headline="Fresh world story")
    first = client.get(article_url(article))
    second = client.get(article_url(article))
    assert first["X-Cache"] == "MISS" and second["X-Cache"] == "HIT"
    assert first.content == second.content
    assert second["ETag"] == first["ETag"]
    assert "public" in second["Cache-Control"] and "max-age=" in second["Cache-Control"]
    assert second.has_header("Last-Modified")
    assert client.get(article_url(article), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_public_pages_share_no_csrf_token_and_set_no_cookie(site):
    """A page marked public is one a CDN hands to everyone: it must carry no visitor's
    CSRF token nor Set-Cookie; the digest signup on it works without one."""
    from django.test import Client

    for visit in ("MISS", "HIT"):
        visitor = Client(enforce_csrf_checks=True)
        page = visitor.get("/chile-sun/")
        assert page["X-Cache"] == visit
        assert "public" in page["Cache-Control"]
        assert not page.cookies, page.cookies
        assert b"csrfmiddlewaretoken" not in page.content
        posted = visitor.post("/chile-sun/digest/subscribe", {"email": "a@b.example"})
        assert posted.status_code == 200
        assert b"Check your inbox" in posted.content


def test_the_release_form_holds_no_token_and_stays_uncached(site):
    """The release form is the same for every reader (its posts are checked by origin,
    core.origin): no token, no cookie; what was typed into it is never cached."""
    from django.test import Client

    for _ in range(2):
        page = Client().get("/chile-sun/releases/submit")
        assert page.status_code == 200
        assert b"csrfmiddlewaretoken" not in page.content and not page.cookies
        assert "public" not in page.get("Cache-Control", "")
        assert page.get("X-Cache") is None


def test_kill_purges_article_home_section_feeds_sitemaps(client, site):
    article = Article.objects.get(headline="Fresh world story")
    pages = [article_url(article), "/chile-sun/", "/chile-sun/section/world/",
             "/chile-sun/feed.rss", "/chile-sun/feed.json", "/chile-sun/sitemap-articles-1.xml",
             "/chile-sun/sitemap-news.xml"]
    for url in pages:
        client.get(url)
        assert client.get(url)["X-Cache"] == "HIT", url
    services.article_kill(article=article, reason="legal")
    assert client.get(article_url(article)).status_code == 410
    for url in pages[1:]:
        response = client.get(url)
        assert response["X-Cache"] == "MISS", url
        assert f"/news/{article.pk}/" not in response.content.decode(), url
    # the other edition carrying it is purged too
    assert client.get(article_url(article, "/sol-de-chile")).status_code == 410


def test_publish_and_update_purge(client, site, tmp_path):
    assert "Brand new story" not in client.get("/chile-sun/").content.decode()
    assert client.get("/chile-sun/")["X-Cache"] == "HIT"
    path = tmp_path / "more.rss"
    path.write_bytes(rss(rss_item("n1", "Brand new story")))
    services.ingest_source(str(path), agency=services.agency_ensure(code="RFE"))
    assert "Brand new story" in client.get("/chile-sun/").content.decode()
    article = Article.objects.get(headline="Brand new story")
    client.get(article_url(article))
    path.write_bytes(rss(rss_item("n1", "Brand new story, updated")))
    services.ingest_source(str(path), agency=services.agency_ensure(code="RFE"))
    article.refresh_from_db()
    assert "Brand new story, updated" in client.get(article_url(article)).content.decode()


def test_other_editions_keep_their_cache(client, site, tmp_path):
    client.get("/plain-post/")
    path = tmp_path / "world.rss"
    path.write_bytes(rss(rss_item("n2", "Another world story")))  # plain-post: sport only
    services.ingest_source(str(path), agency=services.agency_ensure(code="RFE"))
    assert client.get("/plain-post/")["X-Cache"] == "HIT"


def test_embargo_lift_needs_no_write(client, site):
    article = Article.objects.get(headline="Fresh world story")
    article.embargo_until = timezone.now() + timedelta(seconds=1.5)
    article.save()
    assert "Fresh world story" not in client.get("/chile-sun/").content.decode()
    assert client.get("/chile-sun/")["X-Cache"] == "HIT"
    time.sleep(1.6)
    assert "Fresh world story" in client.get("/chile-sun/").content.decode()
    assert EditionStamp.objects.get(edition__slug="chile-sun").next_embargo_at is None


def test_signed_in_requests_bypass_cache(client, site):
    client.get("/chile-sun/")
    client.cookies["sessionid"] = "whatever"
    response = client.get("/chile-sun/")
    assert not response.has_header("X-Cache")


def test_a_bump_from_elsewhere_is_seen(client, site):
    """What another process does: bump the generation in the database only."""
    client.get("/chile-sun/")
    assert client.get("/chile-sun/")["X-Cache"] == "HIT"
    from django.db.models import F

    EditionStamp.objects.filter(edition__slug="chile-sun").update(
        generation=F("generation") + 1)
    assert client.get("/chile-sun/")["X-Cache"] == "MISS"


@pytest.fixture
def redis_cache():
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_TEST_URL).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    redis_config = {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                    "LOCATION": REDIS_TEST_URL, "KEY_PREFIX": "wiredesk-test"}
    config = {"default": redis_config, "pages": redis_config, "counters": redis_config}
    with override_settings(CACHES=config):
        caches["pages"].clear()
        yield caches["pages"]
        caches["pages"].clear()


def test_redis_page_cache_and_kill(client, site, redis_cache):
    article = Article.objects.get(headline="Fresh world story")
    client.get(article_url(article))
    assert client.get(article_url(article))["X-Cache"] == "HIT"
    assert any(b"wd:page:" in key for key in redis_cache._cache.get_client().keys("*"))
    services.article_kill(article=article, reason="legal")
    assert client.get(article_url(article)).status_code == 410


def test_pages_touching_the_session_are_not_shared():
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.http import HttpResponse
    from django.test import RequestFactory

    from wiredesk.publishing.cache import PublicPageCacheMiddleware

    def request_with_session():
        request = RequestFactory().get("/chile-sun/")
        SessionMiddleware(lambda r: None).process_request(request)
        return request

    untouched = request_with_session()
    assert PublicPageCacheMiddleware._cacheable(untouched, HttpResponse("page"))
    touched = request_with_session()
    touched.session["flash"] = "for one visitor"
    assert not PublicPageCacheMiddleware._cacheable(touched, HttpResponse("page"))
    with_cookie = HttpResponse("page")
    with_cookie.set_cookie("x", "1")
    assert not PublicPageCacheMiddleware._cacheable(untouched, with_cookie)
    assert not PublicPageCacheMiddleware._cacheable(untouched, HttpResponse("x", status=500))
