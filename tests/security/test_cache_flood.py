"""Issue 23, item 7: filling the cache must not wipe a rate limit.

The page cache and the rate counters shared one 5,000-entry local cache, and any Host,
404 URL or query string made a new page entry: after the release limit answered 429,
5,200 GETs to unique 404 URLs evicted the counter and three more attempts went through.
Now counters have their own cache alias, and only pages the site publishes are stored.
"""

import pytest
from django.core.cache import caches

from tests.conftest import rss, rss_item
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services

pytestmark = pytest.mark.django_db

# Each store holds 500 entries here (5,000 by default) so that 1,000 requests flood it
# in seconds; docs/security.md has the run with the default sizes and 6,000 URLs.
STORE = 500
FLOOD_404 = 600
FLOOD_QUERIES = 400


def small_store(name: str) -> dict:
    return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"flood-{name}", "OPTIONS": {"MAX_ENTRIES": STORE}}


@pytest.fixture
def edition(tmp_path):
    services.section_ensure(slug="world", name="World", position=1)
    agency = services.agency_ensure(code="RFE", name="Radio Free Europe")
    path = tmp_path / "wire.rss"
    path.write_bytes(rss(rss_item("c1", "Harbour story", "<p>Pilots talk of a slow season.</p>")))
    services.ingest_source(str(path), agency=agency)
    return edition_save(name="Chile Sun", time_zone="UTC", hosts=["chilesun.example"])


def signup(client, n: int) -> int:
    return client.post("/chile-sun/digest/subscribe", {"email": f"reader{n}@example.org"},
                       REMOTE_ADDR="198.51.100.7").status_code


def page_entries() -> int:
    return len(caches["pages"]._cache)


def test_a_flood_of_unique_urls_does_not_reset_the_signup_limit(client, edition, settings,
                                                                monkeypatch):
    from types import SimpleNamespace

    from wiredesk.core import ratelimit

    # One window throughout: a slow run crossing the hour would reset the counter itself.
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_000.0))
    settings.CACHES = {name: small_store(name) for name in ("default", "pages", "counters")}
    settings.WIREDESK_DIGEST_SIGNUPS_PER_IP = 3
    assert [signup(client, n) for n in range(4)] == [200, 200, 200, 429]
    for n in range(FLOOD_404):
        assert client.get(f"/chile-sun/news/{900000 + n}/").status_code == 404
    for n in range(FLOOD_QUERIES):
        assert client.get(f"/chile-sun/?utm={n}").status_code == 200
    # Still refused: 1,000 requests tried to evict the counter, none stored a page.
    assert [signup(client, n) for n in range(10, 13)] == [429, 429, 429]
    assert page_entries() == 0


def test_404s_are_not_cached(client, edition):
    for _ in range(2):
        response = client.get("/chile-sun/news/999999/")
        assert response.status_code == 404 and response.get("X-Cache") != "HIT"
    assert page_entries() == 0


def test_unknown_hosts_are_not_cached(client, edition):
    for _ in range(2):
        response = client.get("/chile-sun/", HTTP_HOST="flood-1.attacker.example")
        assert response.get("X-Cache") != "HIT"
    assert page_entries() == 0
    # The edition's own host and the site's are cached, whatever the port.
    client.get("/", HTTP_HOST="chilesun.example")
    assert client.get("/", HTTP_HOST="chilesun.example:8080")["X-Cache"] == "HIT"
    client.get("/chile-sun/", HTTP_HOST="localhost:8000")
    assert client.get("/chile-sun/", HTTP_HOST="localhost:9000")["X-Cache"] == "HIT"


def test_only_the_query_a_page_uses_is_cached(client, edition):
    for query in ("?utm_source=x", "?page=99999", "?page=01", "?section=nope", "?page=1&page=1"):
        client.get("/chile-sun/" + query)
        assert client.get("/chile-sun/" + query).get("X-Cache") != "HIT", query
    assert page_entries() == 0
    for query in ("", "?page=1", "?section=world"):
        client.get("/chile-sun/" + query)
        assert client.get("/chile-sun/" + query)["X-Cache"] == "HIT", query


def test_search_queries_are_served_uncached(client, edition):
    for n in range(3):
        client.get(f"/chile-sun/search?q=harbour{n}")
    assert page_entries() == 0
