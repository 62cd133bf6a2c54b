"""An article's picture in every output: RSS, Atom, JSON Feed, the API, JSON-LD, sharing
tags, sitemaps and the page; and the edition's card when the article has none."""

import json
import re
from pathlib import Path

import feedparser
import pytest
from lxml import etree
from PIL import Image

import wiredesk
from tests.conftest import rss, rss_item
from tests.publishing.conftest import ago
from tests.publishing.test_seo import head_of
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article

pytestmark = pytest.mark.django_db

BASE = "http://chilesun.example:8000"
PIC = "https://img.example/ferry.jpg"


def shipped(name: str) -> str:
    """A static file the package ships, by the content-hashed name pages give it."""
    from django.templatetags.static import static

    stem, extension = name.split(".")
    url = static(f"wiredesk/{name}")
    assert re.fullmatch(rf"/static/wiredesk/{stem}\.[0-9a-f]{{12}}\.{extension}", url), url
    return BASE + url
MEDIA = "{http://search.yahoo.com/mrss/}"


@pytest.fixture
def pictured(site):
    """'Fresh world story' with a picture as an agency sends it; the others without."""
    article = Article.objects.get(headline="Fresh world story")
    article.image_url = PIC
    article.image_caption = "Ferries leave the wharf at dawn."
    article.image_credit = "Wire Photos/Jo Doe"
    article.image_alt = "Two ferries at a wharf"
    article.image_width, article.image_height = 1600, 1067
    article.image_type = "image/jpeg"
    article.image_length = 254000
    article.image_rights = "Editorial use only"
    article.save()
    return article


def entry_of(feed, title):
    return next(e for e in feed.entries if e.title == title)


def items_of(content: bytes, tag: str):
    root = etree.fromstring(content)
    return {node.findtext("title") or node.findtext("{http://www.w3.org/2005/Atom}title"): node
            for node in root.iter(tag)}


def test_rss_media_content_and_enclosure_with_the_agencys_length(client, pictured):
    content = client.get("/chile-sun/feed.rss").content
    feed = feedparser.parse(content)
    assert not feed.bozo, feed.get("bozo_exception")
    entry = entry_of(feed, "Fresh world story")
    assert entry.media_content[0]["url"] == PIC
    assert (entry.media_content[0]["width"], entry.media_content[0]["height"]) == ("1600", "1067")
    assert entry.media_credit[0]["content"] == "Wire Photos/Jo Doe"
    assert [(e.href, e.length, e.type) for e in entry.enclosures] == [
        (PIC, "254000", "image/jpeg")]
    # feedparser keeps one description per entry; the caption is there in the XML.
    item = items_of(content, "item")["Fresh world story"]
    media = item.find(f"{MEDIA}content")
    assert media.findtext(f"{MEDIA}description") == "Ferries leave the wharf at dawn."
    assert media.findtext(f"{MEDIA}copyright") == "Editorial use only"
    assert media.get("fileSize") == "254000" and media.get("medium") == "image"
    assert not entry_of(feed, "Old world story").get("media_content")


def test_rss_without_a_known_length_has_media_content_alone(client, pictured):
    pictured.image_length = None
    pictured.save()
    feed = feedparser.parse(client.get("/chile-sun/feed.rss").content)
    entry = entry_of(feed, "Fresh world story")
    assert entry.media_content[0]["url"] == PIC and not entry.get("enclosures")


def test_atom_enclosure_link_and_media_content(client, pictured):
    pictured.image_length = None
    pictured.save()
    content = client.get("/chile-sun/feed.atom").content
    feed = feedparser.parse(content)
    assert not feed.bozo, feed.get("bozo_exception")
    entry = entry_of(feed, "Fresh world story")
    assert [(e.href, e.type) for e in entry.enclosures] == [(PIC, "image/jpeg")]
    assert entry.media_content[0]["url"] == PIC
    node = items_of(content, "{http://www.w3.org/2005/Atom}entry")["Fresh world story"]
    assert node.find(f"{MEDIA}content").findtext(f"{MEDIA}credit") == "Wire Photos/Jo Doe"


@pytest.mark.parametrize("ext", ["rss", "atom"])
def test_feeds_stay_well_formed_with_forbidden_characters_in_picture_fields(client, pictured,
                                                                             ext):
    pictured.image_caption = "Ferries\x0c at dawn\ufffe"
    pictured.image_credit = "Jo\x08 Doe"  # NUL never reaches the database
    pictured.image_rights = "\x01Editorial"
    pictured.save()
    content = client.get(f"/chile-sun/feed.{ext}").content
    assert not feedparser.parse(content).bozo
    assert b"Ferries at dawn" in content and b"Jo Doe" in content


def test_json_feed_image_found_in_the_copy(client, site, tmp_path):
    body = ('<figure><img src="https://img.example/inline.jpg" alt="A ferry" width="1200" '
            'height="800"><figcaption>A ferry at the wharf.</figcaption></figure>'
            "<p>Ferries returned to the harbour on Saturday morning after the storm.</p>")
    path = tmp_path / "inline.rss"
    path.write_bytes(rss(rss_item("inline-1", "Ferries return", body, date=ago(minutes=5))))
    services.ingest_source(str(path), agency=services.agency_ensure(code="RFE"))
    document = json.loads(client.get("/chile-sun/feed.json").content)
    items = {item["title"]: item for item in document["items"]}
    assert items["Ferries return"]["image"] == "https://img.example/inline.jpg"
    assert "inline.jpg" not in items["Ferries return"]["content_html"]  # not shown twice
    assert "image" not in items["Old world story"]


def test_api_picture_fields(client, pictured):
    listed = client.get("/api/articles?edition=chile-sun").json()["items"]
    image = next(a for a in listed if a["id"] == pictured.pk)["image"]
    assert image == {"url": PIC, "caption": "Ferries leave the wharf at dawn.",
                     "credit": "Wire Photos/Jo Doe", "alt": "Two ferries at a wharf",
                     "width": 1600, "height": 1067, "type": "image/jpeg",
                     "rights": "Editorial use only"}
    assert next(a for a in listed if a["headline"] == "Old world story")["image"] is None
    detail = client.get(f"/api/articles/{pictured.pk}").json()
    assert (detail["image_url"], detail["image_caption"], detail["image_credit"]) == (
        PIC, "Ferries leave the wharf at dawn.", "Wire Photos/Jo Doe")
    assert detail["image"]["alt"] == "Two ferries at a wharf"


def test_json_ld_image_object_and_publisher_logo(client, pictured):
    data = head_of(client, f"/chile-sun/news/{pictured.pk}/{pictured.slug}").json_ld[0]
    assert data["image"] == [{"@type": "ImageObject", "url": PIC, "contentUrl": PIC,
                              "width": 1600, "height": 1067,
                              "caption": "Ferries leave the wharf at dawn.",
                              "creditText": "Wire Photos/Jo Doe",
                              "copyrightNotice": "Editorial use only"}]
    logo = data["publisher"]["logo"]
    assert (logo["@type"], logo["url"], logo["width"], logo["height"]) == (
        "ImageObject", shipped("logo.png"), 512, 512)


def test_json_ld_falls_back_to_the_editions_card(client, pictured):
    other = Article.objects.get(headline="Old world story")
    data = head_of(client, f"/chile-sun/news/{other.pk}/{other.slug}").json_ld[0]
    assert [(i["url"], i["width"], i["height"]) for i in data["image"]] == [
        (shipped("card.png"), 1200, 630)]


def test_open_graph_and_twitter_card_with_a_picture(client, pictured):
    meta = head_of(client, f"/chile-sun/news/{pictured.pk}/{pictured.slug}").meta
    assert meta["og:image"] == PIC and meta["twitter:image"] == PIC
    assert meta["og:image:alt"] == meta["twitter:image:alt"] == "Two ferries at a wharf"
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1600", "1067")
    assert meta["og:image:type"] == "image/jpeg"
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["robots"] == "max-image-preview:large"


def test_sharing_tags_without_a_picture_show_the_card_never_the_headline(client, pictured):
    other = Article.objects.get(headline="Old world story")
    meta = head_of(client, f"/chile-sun/news/{other.pk}/{other.slug}").meta
    assert meta["og:image"] == shipped("card.png") and meta["og:image:alt"] == "Chile Sun"
    assert meta["twitter:card"] == "summary"


def test_robots_allow_large_previews_on_edition_pages_not_on_noindex_ones(client, pictured):
    assert head_of(client, "/chile-sun/").meta["robots"] == "max-image-preview:large"
    html = client.get("/chile-sun/search?q=world").content.decode()
    assert "max-image-preview" not in html and 'content="noindex"' in html


def test_sitemaps_name_the_picture(client, pictured):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9",
          "i": "http://www.google.com/schemas/sitemap-image/1.1"}
    url = f"{BASE}/news/{pictured.pk}/{pictured.slug}"
    for path in ("/chile-sun/sitemap-articles-1.xml", "/chile-sun/sitemap-news.xml"):
        root = etree.fromstring(client.get(path).content)
        images = {u.findtext("s:loc", namespaces=ns): u.findtext("i:image/i:loc", namespaces=ns)
                  for u in root.findall("s:url", ns)}
        assert images[url] == PIC, path
        assert sum(1 for loc in images.values() if loc) == 1


def test_article_page_figure_alt_size_caption_and_credit(client, pictured):
    html = client.get(f"/chile-sun/news/{pictured.pk}/{pictured.slug}").content.decode()
    assert (f'<img src="{PIC}" alt="Two ferries at a wharf" width="1600" height="1067"'
            in html)
    assert "Ferries leave the wharf at dawn." in html and "Photo: Wire Photos/Jo Doe" in html


def test_article_page_never_uses_the_headline_as_alt_and_shows_a_lone_credit(client, site):
    article = Article.objects.get(headline="Fresh world story")
    article.image_url = PIC
    article.save()
    html = client.get(f"/chile-sun/news/{article.pk}/{article.slug}").content.decode()
    assert f'<img src="{PIC}" alt=""' in html
    article.image_url, article.image_credit = "", "Lucas Pereira-Imagn Images"
    article.save()
    html = client.get(f"/chile-sun/news/{article.pk}/{article.slug}").content.decode()
    assert "Photo credit: Lucas Pereira-Imagn Images" in html


def test_the_card_and_logo_ship_with_the_package():
    static = Path(wiredesk.__file__).parent / "static" / "wiredesk"
    assert Image.open(static / "card.png").size == (1200, 630)
    assert Image.open(static / "logo.png").size == (512, 512)
