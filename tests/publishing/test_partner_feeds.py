"""Each edition's partner feeds: ``feed.ninjs.json`` (NINJS 2.1 items) and
``feed.newsml.xml`` (a NewsML-G2 newsMessage), cached like every feed, a kill shown as a
cancellation at once."""

from __future__ import annotations

import json

import jsonschema_rs
import pytest

from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article
from wiredesk.publishing import newsml, ninjs
from wiredesk.wire.formats import newsml_g2

pytestmark = pytest.mark.django_db


def _ninjs_feed(client, slug="chile-sun") -> dict:
    response = client.get(f"/{slug}/feed.ninjs.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def test_the_ninjs_feed_holds_the_edition_latest_articles(client, site):
    feed = _ninjs_feed(client)
    validator = jsonschema_rs.validator_for(ninjs.schema(), validate_formats=True)
    for item in feed["items"]:
        assert not list(validator.iter_errors(item)), item["uri"]
    headlines = [i["headlines"][0]["value"] for i in feed["items"]]
    assert headlines == ["Newest world story", "Sport story", "Fresh world story",
                         "Old world story"]  # newest first
    assert feed["feed_url"].endswith("/feed.ninjs.json")
    plain = _ninjs_feed(client, "plain-post")  # only sport
    assert [i["headlines"][0]["value"] for i in plain["items"]] == ["Sport story"]


def test_a_kill_shows_in_the_cached_feeds_as_canceled_at_once(client, site, settings):
    settings.WIREDESK_PAGE_CACHE = True
    _ninjs_feed(client)
    assert client.get("/chile-sun/feed.ninjs.json")["X-Cache"] == "HIT"
    sport = Article.objects.get(headline="Sport story")
    services.article_kill(article=sport, reason="legal")
    items = {i["uri"]: i for i in _ninjs_feed(client)["items"]}
    killed = next(i for i in items.values()
                  if {"role": "wiredesk-id", "value": str(sport.pk)} in i["altids"])
    assert killed["pubstatus"] == "canceled" and "headlines" not in killed
    assert sum(i["pubstatus"] == "usable" for i in items.values()) == 3
    held = services.article_hold(article=Article.objects.get(headline="Old world story"))
    statuses = {i["altids"][0]["value"]: i["pubstatus"] for i in _ninjs_feed(client)["items"]}
    assert statuses[str(held.pk)] == "withheld" and statuses[str(sport.pk)] == "canceled"
    message = client.get("/chile-sun/feed.newsml.xml").content
    assert newsml.check(message) == []
    statuses = {i.guid: i.status for i in newsml_g2.parse(message).items}
    assert statuses[killed["uri"]] == "canceled"


def test_the_newsml_feed_is_a_news_message_read_back(client, site):
    response = client.get("/chile-sun/feed.newsml.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.iptc.g2.newsmessage+xml")
    assert response["ETag"] and response["Last-Modified"]  # conditional GET, as every feed
    assert newsml.check(response.content) == []
    titles = [i.title for i in newsml_g2.parse(response.content).items]
    assert titles == ["Newest world story", "Sport story", "Fresh world story",
                      "Old world story"]
    assert client.get("/no-such-edition/feed.newsml.xml").status_code == 404


def test_the_partner_feeds_read_a_few_queries_whatever_their_length(client, site, settings,
                                                                     tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import rss, rss_item

    settings.WIREDESK_PAGE_CACHE = False

    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    before = {p: count(f"/chile-sun/{p}") for p in ("feed.ninjs.json", "feed.newsml.xml")}
    path = tmp_path / "more.rss"
    path.write_bytes(rss("".join(
        rss_item(f"m{i}", f"More news {i}", f"<p>Item {i} about harbour number {i}.</p>")
        for i in range(8))))
    services.ingest_source(str(path), agency=services.agency_ensure(code="RFE"))
    after = {p: count(f"/chile-sun/{p}") for p in before}
    assert len(_ninjs_feed(client)["items"]) == 12
    assert after == before
