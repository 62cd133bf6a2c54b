"""NINJS and NewsML-G2 through the API: their own endpoints, content negotiation on the
article endpoint (Vary: Accept), and kills, holds and embargoes as the JSON API has them."""

from __future__ import annotations

import json
from datetime import timedelta

import jsonschema_rs
import pytest
from django.utils import timezone

from wiredesk.editions.canonical import canonical_of
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article
from wiredesk.publishing import newsml, ninjs
from wiredesk.wire.formats import newsml_g2

pytestmark = pytest.mark.django_db

NINJS = "application/ninjs+json"
G2 = "application/vnd.iptc.g2.newsitem+xml"


def _valid(document: dict) -> None:
    validator = jsonschema_rs.validator_for(ninjs.schema(), validate_formats=True)
    errors = [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(document)]
    assert not errors, errors


def test_ninjs_endpoint(client, site):
    article = Article.objects.get(headline="Fresh world story")
    response = client.get(f"/api/articles/{article.pk}/ninjs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(NINJS)
    document = json.loads(response.content)
    _valid(document)
    assert document["headlines"] == [{"role": "main", "value": "Fresh world story"}]
    assert document["pubstatus"] == "usable" and document["type"] == "text"
    assert "A fresh one &amp; more." in document["bodies"][0]["value"]
    canonical = next(r for r in document["renditions"] if r["name"] == "canonical")
    assert canonical["href"] == canonical_of(article).url
    assert {"role": "canonical-url", "value": canonical["href"]} in document["altids"]
    assert {"name": "World", "literal": "section:world", "rel": "section",
            "uri": canonical["href"].split("/news/")[0] + "/section/world/"} \
        in document["subjects"]


def test_newsml_endpoint_reads_back(client, site):
    article = Article.objects.get(headline="Fresh world story")
    response = client.get(f"/api/articles/{article.pk}/newsml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(G2)
    assert newsml.check(response.content) == []
    item = newsml_g2.parse(response.content).items[0]
    assert item.title == "Fresh world story" and item.status == "usable"
    assert item.link == canonical_of(article).url  # the canonical link, read back
    assert "A fresh one &amp; more." in item.body


def test_content_negotiation_on_the_article_endpoint(client, site):
    article = Article.objects.get(headline="Fresh world story")
    url = f"/api/articles/{article.pk}"
    plain = client.get(url)
    assert plain["Content-Type"].startswith("application/json")
    assert "Accept" in plain["Vary"] and plain.json()["headline"] == "Fresh world story"
    assert plain.json()["canonical_url"] == canonical_of(article).url
    as_ninjs = client.get(url, HTTP_ACCEPT=NINJS)
    assert as_ninjs["Content-Type"].startswith(NINJS) and "Accept" in as_ninjs["Vary"]
    assert json.loads(as_ninjs.content) == json.loads(client.get(f"{url}/ninjs").content)
    as_g2 = client.get(url, HTTP_ACCEPT=f"{G2}, application/json;q=0.5")
    assert as_g2["Content-Type"].startswith(G2) and "Accept" in as_g2["Vary"]
    assert newsml.check(as_g2.content) == []
    assert client.get(url, HTTP_ACCEPT="*/*")["Content-Type"].startswith("application/json")
    assert client.get(url, HTTP_ACCEPT="text/html")["Content-Type"].startswith(
        "application/json")


def test_a_kill_is_410_and_the_ninjs_of_a_cancellation(client, site):
    article = Article.objects.get(headline="Sport story")
    services.article_kill(article=article, reason="legal")
    response = client.get(f"/api/articles/{article.pk}/ninjs")
    assert response.status_code == 410
    assert response["Content-Type"].startswith("application/json")  # every error is JSON
    document = json.loads(response.content)
    _valid(document)
    assert document["pubstatus"] == "canceled"
    assert "headlines" not in document and "bodies" not in document
    assert "legal" in document["ednote"]
    for accept in (NINJS, G2, "application/json"):
        negotiated = client.get(f"/api/articles/{article.pk}", HTTP_ACCEPT=accept)
        assert negotiated.status_code == 410, accept
        assert negotiated["Content-Type"].startswith("application/json")
    g2 = client.get(f"/api/articles/{article.pk}/newsml")
    assert g2.status_code == 410 and g2.json()["pubstatus"] == "canceled"


def test_held_and_embargoed_articles_are_not_found(client, site):
    held = Article.objects.get(headline="Old world story")
    services.article_hold(article=held, reason="lawyers")
    embargoed = Article.objects.get(headline="Newest world story")
    Article.objects.filter(pk=embargoed.pk).update(
        embargo_until=timezone.now() + timedelta(hours=2))
    for article in (held, embargoed):
        for suffix in ("/ninjs", "/newsml", ""):
            response = client.get(f"/api/articles/{article.pk}{suffix}", HTTP_ACCEPT=NINJS)
            assert response.status_code == 404, (article.headline, suffix)
            assert response["Content-Type"].startswith("application/json")


def test_an_edition_that_does_not_carry_it_is_404(client, site):
    article = Article.objects.get(headline="Fresh world story")
    response = client.get(f"/api/articles/{article.pk}/ninjs", {"edition": "plain-post"})
    assert response.status_code == 404
    assert client.get("/api/articles/999999/newsml").status_code == 404


def test_the_endpoints_are_in_the_openapi_schema(client):
    schema = client.get("/api/openapi.json").json()
    for path in ("/api/articles/{article_id}/ninjs", "/api/articles/{article_id}/newsml"):
        assert path in schema["paths"]
    detail = schema["paths"]["/api/articles/{article_id}"]["get"]["responses"]["200"]
    assert {NINJS, G2} <= set(detail["content"])
