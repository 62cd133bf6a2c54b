"""Issue 22 (characters): control characters, noncharacters, lone surrogates, bidi
overrides and zero-width characters in every text field of an item.

They never break an XML output (every feed, sitemap and the news sitemap parse strictly),
never reach an HTTP header or a mail header, and are shown harmlessly: the bidi controls
that disguise text ("Invoice\\u202egnp.exe" shown as "Invoiceexe.png") are gone from
everything stored, while the marks right-to-left text needs and the zero-width joiners
emoji and Indic scripts need are kept.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from tests.conftest import distinct_body
from tests.security.test_xml_chars import _check_every_writer
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article
from wiredesk.wire.xmlsafe import BIDI_CONTROLS, FORBIDDEN_XML_CHARS

pytestmark = pytest.mark.django_db

CORPUS = {
    "RLO": "\u202e", "LRO": "\u202d", "RLE": "\u202b", "LRE": "\u202a", "PDF": "\u202c",
    "RLI": "\u2067", "LRI": "\u2066", "FSI": "\u2068", "PDI": "\u2069",
    "ZWJ": "\u200d", "ZWNJ": "\u200c", "ZWSP": "\u200b", "ZWNBSP": "\ufeff",
    "LRM": "\u200e", "RLM": "\u200f", "ALM": "\u061c",
    "ANSI escape": "\x1b[31m", "NUL": "\x00", "VT": "\x0b", "FF": "\x0c", "DEL": "\x7f",
    "C1 NEL": "\x85", "C1 CSI": "\x9b", "LINE SEPARATOR": "\u2028",
    "PARAGRAPH SEPARATOR": "\u2029", "U+FFFE": "\ufffe", "U+FDD0": "\ufdd0",
    "U+10FFFF": "\U0010ffff", "lone high surrogate": "\ud800", "lone low surrogate": "\udfff",
    "CR LF": "\r\n", "tab": "\t",
}
EVERYTHING = "".join(CORPUS.values())
# Kept, on purpose: right-to-left text and emoji need them.
KEPT = "\u200d\u200c\u200e\u200f\u061c"
TRICK = "Invoice\u202egnp.exe"


def _hostile_feed() -> bytes:
    now = datetime.now(UTC)
    item = {
        "id": f"trick-1{EVERYTHING}",
        "url": f"https://wire.example.org/trick{EVERYTHING}",
        "title": f"{EVERYTHING}{TRICK} Dockers vote to end the port strike{EVERYTHING}",
        "content_html": (f"<p>Dockers{EVERYTHING} voted to end a strike that stopped "
                         "container traffic for nine days, the union said.</p>"
                         + distinct_body("trick", 3) + f"<p>{TRICK} \u05e9\u200f\u05dc</p>"),
        "summary": f"Summary {EVERYTHING} of the strike.",
        "date_published": (now - timedelta(hours=1)).isoformat(),
        "authors": [{"name": f"Jane{EVERYTHING} Doe"}],
        "tags": ["World", f"Docks{EVERYTHING}", f"Ports{CORPUS['RLO']}stroP"],
        "image": "https://wire.example.org/trick.jpg",
    }
    return json.dumps({"version": "https://jsonfeed.org/version/1.1",
                       "title": f"Wire{EVERYTHING}", "items": [item]}).encode()


@pytest.fixture
def site(tmp_path):
    services.section_ensure(slug="world", name="World", aliases="world")
    path = tmp_path / "tricks.json"
    path.write_bytes(_hostile_feed())
    report = services.ingest_source(str(path), agency=services.agency_ensure(code="PORT"))
    assert report.created == 1, report.errors
    chile = edition_save(name="Chile Sun", time_zone="Australia/Sydney",
                         hosts=["chilesun.example"])
    other = edition_save(name="Plain Post", time_zone="UTC", sections=["world"])
    return [chile, other]


def test_stored_fields_hold_no_disguise_and_keep_what_scripts_need(site):
    article = Article.objects.get(agency__code="PORT")
    for name in ("headline", "body_html", "lead", "teaser", "byline", "guid",
                 "canonical_url", "image_url", "identity", "slug"):
        value = getattr(article, name)
        assert not FORBIDDEN_XML_CHARS.search(value), name
        assert not BIDI_CONTROLS.search(value), name
    assert "Invoicegnp.exe" in article.headline  # shown as written, not reordered
    assert "\u200f" in article.body_html and "\u200d" in article.headline
    for tag in article.article_tags.select_related("tag"):
        assert not BIDI_CONTROLS.search(tag.tag.name) and not FORBIDDEN_XML_CHARS.search(
            tag.tag.name)


def test_every_xml_output_parses_strictly(client, site, tmp_path):
    assert _check_every_writer(client, site, tmp_path / "out") >= 30


def _header_is_clean(name: str, value: str) -> bool:
    # Printable ASCII (and tab) only: no control, no bidi, no line break, no raw Unicode.
    return all(c == "\t" or 0x20 <= ord(c) < 0x7f for c in f"{name}{value}")


def test_no_header_carries_them(client, site):
    article = Article.objects.get(agency__code="PORT")
    edition = site[0]
    urls = [f"/{edition.slug}/", f"/{edition.slug}/news/{article.pk}/{article.slug}",
            f"/{edition.slug}/a/{article.pk}", f"/{edition.slug}/feed.rss",
            f"/{edition.slug}/feed.json", f"/{edition.slug}/sitemap-news.xml",
            f"/{edition.slug}/search?q=Invoice", f"/api/articles/{article.pk}",
            "/api/articles?q=strike", f"/{edition.slug}/section/world"]
    urls += [f"/{edition.slug}/tag/{t.tag.key}" for t in
             article.article_tags.select_related("tag")]
    seen = 0
    for url in urls:
        answer = client.get(url)
        assert answer.status_code in (200, 301, 302, 404), (url, answer.status_code)
        for name, value in answer.items():
            assert _header_is_clean(name, value), (url, name, value)
        seen += answer.status_code != 404
    assert seen >= 8


def test_pages_show_them_harmlessly(client, site):
    article = Article.objects.get(agency__code="PORT")
    page = client.get(f"/{site[0].slug}/news/{article.pk}/{article.slug}")
    assert page.status_code == 200
    html = page.content.decode()
    assert not BIDI_CONTROLS.search(html)
    assert not FORBIDDEN_XML_CHARS.search(html)
    assert "Invoicegnp.exe" in html
    # The JSON-LD block stays a data block that parses (U+2028 cannot end it).
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert blocks
    for block in blocks:
        json.loads(block)


def test_mail_headers_carry_none_of_them(client, site, django_capture_on_commit_callbacks,
                                        settings):
    """The digest's subject names the edition and its top story: both hostile here."""
    from wiredesk.digest.services import subscriber_subscribe

    edition = site[0]
    edition.name = f"Chile{CORPUS['RLO']} Sun"
    edition.save()
    with django_capture_on_commit_callbacks(execute=True):
        subscriber_subscribe(edition=edition, email="reader@example.org")
    assert mail.outbox
    for message in mail.outbox:
        raw = message.message().as_bytes()
        head = raw.split(b"\n\n", 1)[0].decode("ascii")  # 7-bit headers, encoded words
        for line in head.splitlines():
            assert all(c == "\t" or 0x20 <= ord(c) < 0x7f for c in line), line
