"""The JSON API: reads, cursor pagination, errors as JSON, API keys, writes, rate limits."""

import json

import pytest
from django.test import override_settings

from wiredesk.api.models import ApiKey
from wiredesk.api.services import apikey_create
from wiredesk.newsroom.models import Article

pytestmark = pytest.mark.django_db


def get(client, url, **params):
    response = client.get(url, params)
    assert response["Content-Type"].startswith("application/json"), (url, response.content)
    return response.status_code, json.loads(response.content)


def test_openapi_schema_and_docs(client):
    status, schema = get(client, "/api/openapi.json")
    assert status == 200 and schema["openapi"].startswith("3.")
    for path in ("/api/editions", "/api/articles", "/api/articles/{article_id}", "/api/search",
                 "/api/ingest", "/api/articles/{article_id}/kill", "/api/sections"):
        assert path in schema["paths"], path
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    # Under its content-hashed name, served as in production: gathered by collectstatic
    # (which `wiredesk serve` runs; the test session has run it too).
    import re

    from django.test import Client

    bundle = re.search(rb'"(/static/ninja/swagger-ui-bundle\.[0-9a-f]{12}\.js)"', docs.content)
    assert bundle, docs.content[:2000]
    assert Client().get(bundle.group(1).decode()).status_code == 200


def test_editions_and_sections(client, site):
    status, editions = get(client, "/api/editions")
    assert status == 200
    chile = next(e for e in editions if e["slug"] == "chile-sun")
    assert chile["hosts"] == ["chilesun.example"]
    assert chile["url"] == "http://chilesun.example:8000/"
    assert chile["time_zone"] == "Australia/Sydney"
    status, plain = get(client, "/api/editions/plain-post")
    assert plain["sections"] == [{"slug": "sport", "name": "Sport"}]
    assert get(client, "/api/editions/nope") == (404, {"detail": "no edition 'nope'"})
    status, sections = get(client, "/api/sections")
    assert [s["slug"] for s in sections] == ["world", "sport"]


def test_articles_cursor_pagination_and_filters(client, site):
    seen, cursor = [], None
    while True:
        params = {"edition": "chile-sun", "limit": 3}
        if cursor:
            params["cursor"] = cursor
        status, page = get(client, "/api/articles", **params)
        assert status == 200
        seen += [item["headline"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ["Newest world story", "Sport story", "Fresh world story", "Old world story"]
    _, sport = get(client, "/api/articles", section="sport")
    assert [i["headline"] for i in sport["items"]] == ["Sport story"]
    _, by_agency = get(client, "/api/articles", agency="rfe", edition="plain-post")
    assert [i["headline"] for i in by_agency["items"]] == ["Sport story"]
    item = by_agency["items"][0]
    assert item["url"].startswith("http://127.0.0.1:8000/plain-post/news/")
    assert set(item["editions"]) == {"chile-sun", "sol-de-chile", "plain-post"}


def test_updated_since(client, site):
    article = Article.objects.get(headline="Old world story")
    _, everything = get(client, "/api/articles", updated_since="2000-01-01T00:00:00Z")
    assert len(everything["items"]) == 4
    since = everything["items"][-1]["modified_at"]
    article.teaser = "changed"
    article.save()
    _, changed = get(client, "/api/articles", updated_since=since)
    assert changed["items"][-1]["headline"] == "Old world story"


def test_article_detail_with_revisions(client, site, tmp_path):
    from tests.conftest import rss, rss_item
    from wiredesk.newsroom import services

    path = tmp_path / "r.rss"
    path.write_bytes(rss(rss_item("rev1", "Revised story")))
    agency = services.agency_ensure(code="RFE")
    services.ingest_source(str(path), agency=agency)
    path.write_bytes(rss(rss_item("rev1", "Revised story, second take")))
    services.ingest_source(str(path), agency=agency)
    article = Article.objects.get(headline="Revised story, second take")
    status, data = get(client, f"/api/articles/{article.pk}")
    assert status == 200
    assert data["version"] == 2 and "second take was reported on Friday" in data["body_html"]
    assert [(r["version"], r["headline"]) for r in data["revisions"]] == [(1, "Revised story")]
    assert data["revisions"][0]["recorded_at"]
    assert data["tags"] == []  # the test copy names nobody twice


def test_article_detail_lists_its_tags(client, site, tmp_path):
    from tests.conftest import rss, rss_item
    from tests.story_texts import COURT, html
    from wiredesk.newsroom import services

    path = tmp_path / "c.rss"
    path.write_bytes(rss(rss_item("court", "Teodor Vasek jailed", html(COURT))))
    services.ingest_source(str(path), agency=services.agency_ensure(code="RFE"))
    article = Article.objects.get(headline="Teodor Vasek jailed")
    status, data = get(client, f"/api/articles/{article.pk}")
    assert status == 200
    assert data["tags"][0] == {"key": "teodor-vasek", "name": "Teodor Vasek", "kind": "person"}
    assert {"key": "kestrel-group", "name": "Kestrel Group",
            "kind": "organisation"} in data["tags"]


def test_errors_are_json_with_right_status(client, site):
    article = Article.objects.get(headline="Sport story")
    from wiredesk.newsroom import services

    services.article_kill(article=article, reason="legal")
    assert get(client, f"/api/articles/{article.pk}")[0] == 410
    assert get(client, "/api/articles/999999")[0] == 404
    assert get(client, "/api/articles/99999999999999999999999999")[0] in (400, 404)
    for params in ({"limit": 0}, {"limit": 1000}, {"limit": "x"}, {"cursor": "garbage"},
                   {"updated_since": "yesterday"}, {"updated_since": "0001-01-01T00:00:00+14:00"},
                   {"edition": "a\x00b"}):
        status, body = get(client, "/api/articles", **params)
        assert status == 400, params
        assert body["detail"]
    assert get(client, "/api/articles", edition="nope")[0] == 404
    assert get(client, "/api/search", q="x")[0] == 400  # edition required
    assert get(client, "/api/search", edition="chile-sun", q="x", page=51)[0] == 400
    assert get(client, "/api/no/such/thing")[0] == 404


def test_search_endpoint(client, site):
    status, data = get(client, "/api/search", edition="chile-sun", q='"fresh world"')
    assert status == 200 and data["total"] == 1
    assert data["hits"][0]["article"]["headline"] == "Fresh world story"
    assert "<mark>" in data["hits"][0]["headline_html"]
    assert get(client, "/api/search", edition="chile-sun", q="((( NEAR OR")[0] == 200


def test_write_endpoints_need_a_write_key(client, site):
    article = Article.objects.get(headline="Fresh world story")
    url = f"/api/articles/{article.pk}/kill"
    body = json.dumps({"reason": "legal"})
    assert client.post(url, body, content_type="application/json").status_code == 401
    _, read_key = apikey_create(name="reader")
    denied = client.post(url, body, content_type="application/json", HTTP_X_API_KEY=read_key)
    assert denied.status_code == 403 and "write" in denied.json()["detail"]
    _, write_key = apikey_create(name="desk", can_write=True, agencies=[article.agency.code])
    bad = client.post(url, body, content_type="application/json", HTTP_X_API_KEY="wd_wrong")
    assert bad.status_code == 401
    killed = client.post(url, body, content_type="application/json", HTTP_X_API_KEY=write_key)
    assert killed.status_code == 200 and killed.json() == {"id": article.pk, "status": "killed"}
    article.refresh_from_db()
    assert article.status == Article.Status.KILLED and article.status_reason == "legal"
    assert client.get(f"/chile-sun/news/{article.pk}/{article.slug}").status_code == 410


def test_ingest_endpoint_goes_through_the_pipeline(client, site):
    _, key = apikey_create(name="partner", can_write=True, agencies=["PTN"])
    item = {"agency": "PTN", "headline": "Partner's “quoted” story",
            "body_html": "<p>First paragraph of the partner story.</p>"
                         "<script>alert(1)</script><p>Second.</p>",
            "guid": "ptn-1", "url": "https://partner.example/1?utm_source=x",
            "categories": ["World"], "published": "2026-01-02T03:04:05Z"}
    response = client.post("/api/ingest", json.dumps(item), content_type="application/json",
                           HTTP_X_API_KEY=key)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["created"] == 1 and data["errors"] == []
    article = Article.objects.get(pk=data["article_ids"][0])
    assert article.headline == "Partner's “quoted” story"
    assert "<script>" not in article.body_html
    assert article.placements.filter(edition__slug="chile-sun").exists()
    again = client.post("/api/ingest", json.dumps(item), content_type="application/json",
                        HTTP_X_API_KEY=key).json()
    assert again["unchanged"] == 1 and again["created"] == 0
    invalid = client.post("/api/ingest", json.dumps({"agency": "x y", "headline": ""}),
                          content_type="application/json", HTTP_X_API_KEY=key)
    assert invalid.status_code == 400


@override_settings(WIREDESK_API_ANON_PER_MINUTE=3)
def test_rate_limits_anonymous_and_keyed(client, site):
    statuses = [client.get("/api/sections").status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429]
    _, key = apikey_create(name="big", requests_per_minute=10)
    keyed = [client.get("/api/sections", HTTP_X_API_KEY=key).status_code for _ in range(5)]
    assert keyed == [200] * 5


@override_settings(WIREDESK_API_ANON_PER_MINUTE=2, WIREDESK_TRUSTED_PROXIES=[])
def test_a_rotated_forwarded_for_from_an_untrusted_peer_gets_no_fresh_quota(client, site):
    # Anyone can write X-Forwarded-For: only a trusted proxy's is believed.
    statuses = [client.get("/api/sections", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code
                for i in range(4)]
    assert statuses == [200, 200, 429, 429]


@override_settings(WIREDESK_API_ANON_PER_MINUTE=2, WIREDESK_TRUSTED_PROXIES=["127.0.0.0/8"])
def test_behind_a_trusted_proxy_each_forwarded_client_is_counted(client, site):
    first = [client.get("/api/sections", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code
             for _ in range(3)]
    assert first == [200, 200, 429]
    assert client.get("/api/sections", HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 200


def test_apikey_cli(capsys, db):
    from wiredesk import cli

    assert cli.main(["apikey", "create", "newsdesk", "--write"]) == 0
    out = capsys.readouterr().out
    raw = next(line for line in out.splitlines() if line.startswith("wd_"))
    key = ApiKey.objects.get(name="newsdesk")
    assert key.can_write and raw not in key.key_hash and key.prefix == raw[:10]
    assert cli.main(["apikey", "create", "newsdesk"]) == 2
    assert "exists already" in capsys.readouterr().err
    assert cli.main(["apikey", "list"]) == 0
    assert "newsdesk" in capsys.readouterr().out
    assert cli.main(["apikey", "revoke", "newsdesk"]) == 0
    assert ApiKey.objects.get(name="newsdesk").revoked


def test_admin_creates_a_key_and_shows_it_once(admin_client):
    response = admin_client.post("/admin/api/apikey/add/", {
        "name": "from admin", "can_write": "on", "requests_per_minute": "100"}, follow=True)
    assert response.status_code == 200
    key = ApiKey.objects.get(name="from admin")
    shown = [str(m) for m in response.context["messages"]]
    raw = next(word for message in shown for word in message.split() if word.startswith("wd_"))
    from wiredesk.api.services import apikey_check

    assert apikey_check(raw) == key and key.can_write and key.requests_per_minute == 100


def test_story_with_its_coverage_and_the_story_filter(client, world_story):
    story, _old, _fresh = world_story
    status, data = get(client, f"/api/stories/{story.pk}", edition="chile-sun")
    assert status == 200
    assert [a["headline"] for a in data["coverage"]] == ["Old world story", "Fresh world story"]
    assert all(a["story"] == story.pk for a in data["coverage"])
    assert f"/story/{story.pk}/" in data["url"]
    status, page = get(client, "/api/articles", story=story.pk)
    assert status == 200 and {a["headline"] for a in page["items"]} == {"Old world story",
                                                                           "Fresh world story"}
    assert get(client, f"/api/stories/{story.pk}", edition="plain-post")[0] == 404
    assert get(client, "/api/stories/999999", edition="chile-sun")[0] == 404
    assert get(client, f"/api/stories/{story.pk}")[0] in (400, 422)
