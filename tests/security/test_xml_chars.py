"""One item carrying characters XML forbids must not break any feed, sitemap, static
publish or API answer: normalize strips them, and every XML writer strips them again
(for rows stored before the fix and text that never went through the pipeline)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from defusedxml import ElementTree

from tests.conftest import distinct_body
from wiredesk import publish
from wiredesk.api.services import apikey_create
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article, Section, Tag
from wiredesk.wire.xmlsafe import FORBIDDEN_XML_CHARS

pytestmark = pytest.mark.django_db

# What issue 23 found (a form feed in content_html, U+FFFE in the title) and the rest of
# the family: other C0 controls, noncharacters, a lone surrogate.
FF, NONCHAR = "\x0c", "\ufffe"


def _json_feed() -> bytes:
    now = datetime.now(UTC)
    item = {
        "id": "bad-1",
        "url": "https://wire.example.org/dockers\x0b",
        "title": f"Dockers{NONCHAR} vote to end the port strike",
        "content_html": (f"<p>Dockers in the port voted{FF} on Friday to end a strike that "
                         "had stopped container traffic for nine days, union leader "
                         "Teodor Vasek said.</p><p>Teodor Vasek told the Kestrel Group "
                         "that Kestrel Group ships would sail on Monday.</p>"
                         + distinct_body("dockers", 3)
                         + "<p>Closing\x00 words\x1f here\uffff.</p>"),
        "summary": "Dockers vote\x08 to end the strike.\U0001fffe",
        "date_published": (now - timedelta(hours=2)).isoformat(),
        "authors": [{"name": f"Jane{FF} Doe"}],
        "tags": ["World\x01", "Ports\ud800"],
        "image": "https://wire.example.org/dockers.jpg",
    }
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "Bad\x07 wire",
                       "items": [item]}).encode()


@pytest.fixture
def site(tmp_path):
    services.section_ensure(slug="world", name="World", aliases="world")
    path = tmp_path / "bad.json"
    path.write_bytes(_json_feed())
    report = services.ingest_source(str(path), agency=services.agency_ensure(code="PORT"))
    assert report.created == 1, report.errors
    chile = edition_save(name="Chile Sun", time_zone="Australia/Sydney",
                         hosts=["chilesun.example"])
    other = edition_save(name="Plain Post", time_zone="UTC", sections=["world"])
    return [chile, other]


def _feed_urls(edition) -> list[str]:
    """The edition's feeds, its world section's, and the dockers story's and tags'."""
    base = f"/{edition.slug}"
    scopes = [base, f"{base}/section/world"]
    article = Article.objects.get(agency__code="PORT")
    if article.story_id:
        scopes.append(f"{base}/story/{article.story_id}")
    scopes += [f"{base}/tag/{key}" for key in
               Tag.objects.filter(article_tags__article=article).values_list("key", flat=True)]
    return [f"{scope}/feed.{ext}" for scope in scopes for ext in ("rss", "atom", "json")]


def _sitemap_urls(edition) -> list[str]:
    base = f"/{edition.slug}"
    return [f"{base}/sitemap-news.xml", f"{base}/sitemap.xml", f"{base}/sitemap-sections.xml",
            f"{base}/sitemap-articles-1.xml"]


def _assert_clean_document(url: str, content: bytes) -> str:
    text = content.decode("utf-8")
    assert not FORBIDDEN_XML_CHARS.search(text), url
    if url.endswith(".json"):
        json.loads(text)
    else:
        ElementTree.fromstring(content)  # well-formed XML, parsed strictly
    return text


def _check_every_writer(client, editions, out) -> int:
    checked = 0
    for edition in editions:
        for url in _feed_urls(edition) + _sitemap_urls(edition):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            text = _assert_clean_document(url, response.content)
            # The news sitemap lists an article on its canonical edition only (the first
            # that carried it, editions.canonical); every feed lists it.
            if "feed" in url or ("news" in url and edition == editions[0]):
                assert "vote to end the port strike" in text, url
            checked += 1
    # Also on the edition's own host, where the news sitemap is found by crawlers.
    for url in ("/sitemap-news.xml", "/feed.rss", "/feed.atom"):
        response = client.get(url, HTTP_HOST="chilesun.example")
        assert response.status_code == 200, url
        _assert_clean_document(url, response.content)
        checked += 1
    article = Article.objects.get(agency__code="PORT")
    api = client.get(f"/api/articles/{article.pk}")
    assert api.status_code == 200 and "port strike" in api.json()["headline"]
    assert client.get("/api/articles").status_code == 200
    page = client.get(f"/{editions[0].slug}/news/{article.pk}/{article.slug}")
    assert page.status_code == 200
    [*reports] = publish.publish(out)
    assert all(not r.errors for r in reports), [r.errors for r in reports]
    for path in out.rglob("*"):
        if path.suffix in (".rss", ".atom", ".xml", ".json") and path.name[0] != ".":
            _assert_clean_document(path.name, path.read_bytes())
            checked += 1
    return checked


def test_normalize_strips_them_from_every_field(site):
    article = Article.objects.get(agency__code="PORT")
    for name in ("headline", "body_html", "lead", "teaser", "byline", "guid",
                 "canonical_url", "image_url", "identity"):
        assert not FORBIDDEN_XML_CHARS.search(getattr(article, name)), name
    assert article.headline == "Dockers vote to end the port strike"
    assert "voted on Friday" in article.body_html and "Closing words here." in article.body_html
    assert article.byline == "Jane Doe"


def test_every_feed_sitemap_static_page_and_the_api_survive(client, site, tmp_path):
    assert _check_every_writer(client, site, tmp_path / "out") >= 30
    assert Tag.objects.exists()  # tag feeds were among those checked


def test_a_partner_push_with_them_goes_through(client, site, tmp_path):
    _, key = apikey_create(name="partner", can_write=True, agencies=["PTN"])
    item = {"agency": "PTN", "headline": f"Partner{NONCHAR} story{FF} of the day",
            "body_html": f"<p>Partner copy{FF} with a form feed and more words in it.</p>",
            "guid": "ptn\x0b-1", "categories": ["World\x02"], "byline": "Ann\x1e Lee"}
    response = client.post("/api/ingest", json.dumps(item), content_type="application/json",
                           HTTP_X_API_KEY=key)
    assert response.status_code == 200 and response.json()["created"] == 1, response.content
    stored = Article.objects.get(agency__code="PTN")
    assert stored.headline == "Partner story of the day"
    for edition in site:
        for url in _feed_urls(edition)[:3]:
            _assert_clean_document(url, client.get(url).content)


def test_rows_stored_before_the_fix_do_not_break_the_writers(client, site, tmp_path):
    """Stored before normalize stripped them: every writer must still cope."""
    Article.objects.update(headline=f"Dockers{NONCHAR} vote to end the port strike{FF}",
                           body_html=f"<p>Stored{FF} body\x1b with\uffff controls.</p>",
                           lead=f"Stored lead{FF}", teaser=f"Stored teaser{NONCHAR}",
                           byline="Old\x01 byline", image_caption="cap\x0b")
    Section.objects.filter(slug="world").update(name=f"World{FF}")
    assert _check_every_writer(client, site, tmp_path / "out") >= 30


def test_xml_text_strips_exactly_what_xml_cannot_carry():
    from lxml import etree

    from wiredesk.wire.xmlsafe import xml_text

    everything = "".join(chr(c) for c in range(0x110000))
    kept = xml_text(everything)
    # 29 C0 controls, 2,048 surrogates, 32 + 34 noncharacters.
    assert len(everything) - len(kept) == 29 + 2048 + 32 + 34
    assert all(c in kept for c in "\t\n\r\x7f\x85é€😀\U0010fffd")
    element = etree.Element("t")
    element.text = kept.replace("\r", "")  # lxml refuses nothing that is left
    assert etree.fromstring(etree.tostring(element)).text is not None
