"""An agency's correction end to end: same URL, clean headline, a dated note in the
edition's zone on the page, in the feeds and in JSON-LD; and `wiredesk article show`."""

import json
import re
from datetime import UTC, datetime

import feedparser
import pytest

from tests.conftest import rss, rss_item
from tests.newsroom.test_wire_semantics import BODY, g2
from wiredesk import cli
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article

pytestmark = pytest.mark.django_db

CORRECTED_BODY = ("<p>(Corrects paragraph 1 to show the bank held rates, not cut them)</p>"
                  + BODY.replace("officials said", "officials said on Saturday"))


@pytest.fixture
def wire(tmp_path):
    agency = services.agency_ensure(code="WIRE", time_zone="Europe/Berlin")
    # Chile's winter: GMT-4 in July.
    edition_save(name="Chile Sun", time_zone="America/Santiago")

    def send(data: bytes, name="item.xml"):
        path = tmp_path / name
        path.write_bytes(data)
        return services.ingest_source(str(path), agency=agency)

    return send


def _json_ld(html: str) -> dict:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(found.group(1))
    items = data if isinstance(data, list) else data.get("@graph", [data])
    return next(d for d in items if d.get("@type") == "NewsArticle")


def test_a_corrected_update_keeps_the_url_and_shows_a_dated_note(client, wire):
    assert wire(g2(headline="UPDATE 1-Bank holds rates")).created == 1
    article = Article.objects.get()
    url = f"/chile-sun/news/{article.pk}/{article.slug}"
    assert (article.headline, article.slug) == ("Bank holds rates", "bank-holds-rates")
    assert article.signal == "update" and article.corrected_at is None
    assert "Correction:" not in client.get(url).content.decode()

    report = wire(g2(version=2, headline="UPDATE 2-CORRECTED-Bank holds rates, eyes cut",
                     updated="2025-07-12T09:14:00Z", body=CORRECTED_BODY))
    assert report.updated == 1
    article = Article.objects.get()
    assert article.headline == "Bank holds rates, eyes cut"
    assert f"/chile-sun/news/{article.pk}/{article.slug}" == url  # the URL never moves
    assert article.signal == "correction"
    assert article.corrected_at == datetime(2025, 7, 12, 9, 14, tzinfo=UTC)

    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert ("Corrected on <time datetime=\"2025-07-12T09:14:00+00:00\">12 Jul 2025, "
            "05:14 GMT-4</time>. Corrects paragraph 1 to show the bank held rates, not cut "
            "them") in html
    assert "(Corrects paragraph" not in html  # a note, not copy
    assert "CORRECTED" not in html and "UPDATE 2" not in html
    assert '<meta property="og:title" content="Bank holds rates, eyes cut"' in html

    data = _json_ld(html)
    assert data["headline"] == "Bank holds rates, eyes cut"
    assert data["dateModified"] == "2025-07-12T05:14:00-04:00"
    assert data["correction"] == {
        "@type": "CorrectionComment", "datePublished": "2025-07-12T05:14:00-04:00",
        "text": "Corrects paragraph 1 to show the bank held rates, not cut them"}

    atom = feedparser.parse(client.get("/chile-sun/feed.atom").content)
    entry = atom.entries[0]
    assert entry.title == "Bank holds rates, eyes cut"
    assert entry.updated_parsed[:5] == (2025, 7, 12, 9, 14)
    assert entry.link.endswith(f"/news/{article.pk}/{article.slug}")
    rss_entry = feedparser.parse(client.get("/chile-sun/feed.rss").content).entries[0]
    assert rss_entry.title == "Bank holds rates, eyes cut"
    assert rss_entry.updated_parsed[:5] == (2025, 7, 12, 9, 14)
    feed = json.loads(client.get("/chile-sun/feed.json").content)
    item = feed["items"][0]
    assert item["title"] == "Bank holds rates, eyes cut"
    assert datetime.fromisoformat(item["date_modified"]) == article.corrected_at

    # A later plain update keeps the correction note: the article was corrected.
    wire(g2(version=3, headline="Bank holds rates, eyes cut in August",
            updated="2025-07-12T12:00:00Z", body=BODY.replace("held", "kept")))
    article = Article.objects.get()
    assert article.corrected_at == datetime(2025, 7, 12, 9, 14, tzinfo=UTC)
    assert "Corrected on" in client.get(url).content.decode()


def test_a_correction_first_seen_has_a_clean_slug(client, wire):
    wire(rss(rss_item("q1", "CORRECTED-Quake shakes the coast", BODY)), name="feed.xml")
    article = Article.objects.get()
    assert (article.headline, article.slug) == ("Quake shakes the coast",
                                                "quake-shakes-the-coast")
    assert article.signal == "correction" and article.corrected_at is not None
    html = client.get(f"/chile-sun/news/{article.pk}/{article.slug}").content.decode()
    assert "Corrected on" in html and "CORRECTED" not in html


def test_ordinary_headlines_keep_their_words(wire):
    wire(rss(rss_item("u1", "Update on flood relief") + rss_item("u2", "Urgent care clinic opens")),
         name="feed.xml")
    assert sorted(Article.objects.values_list("headline", "signal")) == [
        ("Update on flood relief", ""), ("Urgent care clinic opens", "")]


def test_article_show_json(wire, capsys):
    wire(g2(headline="Bank holds rates"))
    wire(g2(version=2, headline="CORRECTED-Bank holds rates", updated="2025-07-12T09:14:00Z",
            body=CORRECTED_BODY))
    article = Article.objects.get()
    assert cli.main(["article", "show", str(article.pk), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["id"] == article.pk and shown["headline"] == "Bank holds rates"
    assert shown["url"].endswith(f"/news/{article.pk}/bank-holds-rates")
    assert shown["correction"] == {
        "corrected_at": "2025-07-12T09:14:00Z",
        "note": "Corrects paragraph 1 to show the bank held rates, not cut them"}
    assert shown["desk_edited"] is False and shown["agency_update_pending"] is False
    assert [r["version"] for r in shown["revisions"]] == [1]
    assert {"body_html", "canonical_url", "tags", "editions"} <= set(shown)

    assert cli.main(["article", "show", "999999", "--json"]) == 1
    assert "no article with id 999999" in capsys.readouterr().err


def test_headlines_stored_before_keep_their_urls_and_lose_their_prefixes():
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "wiredesk.newsroom.migrations.0012_clean_prefixed_headlines")
    agency = services.agency_ensure(code="OLD")
    when = datetime(2025, 7, 12, 9, 14, tzinfo=UTC)

    def old(identity, headline):
        return Article.objects.create(agency=agency, identity=identity, fingerprint=identity,
                                      headline=headline, published_at=when)

    corrected = old("a", "CORRECTED-Quake hits the coast")
    plain = old("b", "Update on flood relief")
    migration.clean_headlines(apps, None)
    corrected.refresh_from_db()
    plain.refresh_from_db()
    assert (corrected.headline, corrected.slug) == ("Quake hits the coast",
                                                    "corrected-quake-hits-the-coast")
    assert corrected.signal == "correction" and corrected.corrected_at == when
    assert "prefix:corrected" in corrected.flags
    assert (plain.headline, plain.flags, plain.corrected_at) == ("Update on flood relief",
                                                                 [], None)
