"""Every demo article, desk and wire, as NINJS (valid against the NINJS 2.1 schema) and
NewsML-G2 (the project's schema check, IPTC's own reader and catalog, and wiredesk's
reader reading back the same headline, body and dates)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import jsonschema_rs
import NewsMLG2
import pytest
from django.db import transaction
from lxml import etree

from wiredesk import demo
from wiredesk.editions.models import Edition
from wiredesk.editions.services import place_in_editions
from wiredesk.newsroom.models import Article
from wiredesk.publishing import newsml, ninjs
from wiredesk.wire.formats import newsml_g2
from wiredesk.wire.sanitize import html_to_text

IPTC_CATALOG = Path(NewsMLG2.__file__).parent / "catalogs" / "catalog.IPTC-G2-Standards_41.xml"


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        demo.build(progress=lambda line: None)
        # A press release from the desk, beside the wire copy.
        article = Article.objects.filter(placements__isnull=False).first()
        desk = Article.objects.get(pk=article.pk)
        desk.pk = None
        desk.identity, desk.guid = "desk-release-1", ""
        desk.kind = Article.Kind.PRESS_RELEASE
        desk.headline = "Harbour board opens its new visitor centre"
        desk.slug = ""
        desk.save()
        place_in_editions(desk, [Edition.objects.get(slug="chile-sun").pk])
        yield
        transaction.set_rollback(True)


def _validator():
    return jsonschema_rs.validator_for(ninjs.schema(), validate_formats=True)


def _articles():
    return list(Article.objects.select_related("agency", "section").order_by("pk"))


def _text(html: str) -> str:
    return " ".join(html_to_text(html).split())


@pytest.mark.django_db
def test_every_demo_article_is_valid_ninjs(demo_site):
    validator = _validator()
    articles = _articles()
    assert len(articles) >= 10
    pictured = 0
    for article in articles:
        document = ninjs.article_document(article)
        errors = [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(document)]
        assert not errors, (article.headline, errors)
        assert document["headlines"][0]["value"] == article.headline
        assert document["pubstatus"] == "usable"
        assert document["version"] == str(article.version)
        if article.image_renditions:
            pictured += 1
            picture = document["associations"][0]
            assert picture["type"] == "picture" and picture["by"] == article.image_credit
            assert {(r["width"], r["height"]) for r in picture["renditions"]}
            assert all(r["href"].startswith("http") for r in picture["renditions"])
    assert pictured >= 4


@pytest.mark.django_db
def test_every_demo_article_is_newsml_g2_that_readers_read_back(demo_site):
    catalog = etree.parse(str(IPTC_CATALOG))
    iptc_aliases = {s.get("alias") for s in catalog.iter("{*}scheme")}
    assert iptc_aliases >= newsml.IPTC_ALIASES  # every IPTC scheme we use is IPTC's
    for article in _articles():
        data = newsml.article_document(article)
        assert newsml.check(data) == [], article.headline
        # IPTC's own reader takes it.
        item = NewsMLG2.NewsMLG2Document(data).get_item()
        assert item.guid.startswith("urn:newsml:")
        # wiredesk's own reader reads back the same copy and dates.
        parsed = newsml_g2.parse(data).items
        assert len(parsed) == 1
        back = parsed[0]
        assert back.title.replace("&amp;", "&") == article.headline
        assert _text(back.body) == _text(article.body_html)
        assert back.published == article.published_at.astimezone(UTC).replace(microsecond=0)
        assert back.status == "usable" and back.version == article.version
        picture = newsml.picture_document(article)
        if picture is not None:
            assert newsml.check(picture) == []
            assert NewsMLG2.NewsMLG2Document(picture).get_item() is not None


@pytest.mark.django_db
def test_the_demo_as_one_message_links_each_picture_to_its_text(demo_site):
    articles = _articles()
    data = newsml.message_document(articles, now=datetime(2030, 1, 1, tzinfo=UTC))
    assert newsml.check(data) == []
    result = newsml_g2.parse(data)
    texts = [i for i in result.items if i.item_class == "text"]
    pictures = [i for i in result.items if i.item_class == "picture"]
    assert len(texts) == len(articles)
    assert len(pictures) == sum(1 for a in articles if a.image_renditions)
    links = {(link.picture_guid, link.text_guid) for i in result.items
             for link in i.picture_links}
    for picture in pictures:
        assert (picture.guid, picture.guid.removesuffix(":picture")) in links
        assert picture.media and picture.media[0].width



@pytest.mark.django_db
def test_the_demo_business_stories_are_euro_ledgers(demo_site, client):
    """The demo makes Euro Ledger the home of business: Chile Sun's page of a business
    story names Euro Ledger's, and only Euro Ledger's sitemap lists it."""
    import re

    from wiredesk.editions.canonical import canonical_of

    business = [a for a in Article.objects.filter(
        section__slug="business", placements__edition__slug="chile-sun").filter(
        placements__edition__slug="euro-ledger").distinct()
        if a.is_public and a.duplicate_of_id is None]
    assert business
    for article in business:
        url = canonical_of(article).url
        assert url.startswith("http://euroledger.localhost")
        page = client.get(f"/chile-sun/news/{article.pk}/{article.slug}").content.decode()
        assert f'<link rel="canonical" href="{url}">' in page
        chile = client.get("/chile-sun/sitemap-articles-1.xml").content.decode()
        euro = client.get("/euro-ledger/sitemap-articles-1.xml").content.decode()
        assert f"<loc>{url}</loc>" in euro and f"/news/{article.pk}/" not in chile
    listed = re.findall(r"<loc>([^<]+)</loc>", chile + euro)
    assert len(listed) == len(set(listed))
