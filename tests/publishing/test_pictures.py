"""An article's picture in every output: RSS, Atom, JSON Feed, the API, JSON-LD, sharing
tags, sitemaps and the page; and the edition's card when the article has none.

Every output names our own copy (the local renditions, absolute where read away from the
page), never the agency's address, and only once the picture is stored."""

import json
import re
from pathlib import Path

import feedparser
import pytest
from lxml import etree
from PIL import Image

import wiredesk
from tests import pictureserver as pics
from tests.conftest import rss, rss_item
from tests.publishing.conftest import ago
from tests.publishing.test_feeds import validate_json_feed
from tests.publishing.test_seo import head_of
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article
from wiredesk.newsroom.services.picture_sources import link_source
from wiredesk.newsroom.services.renditions import picture_store

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


def with_picture(article: Article, url: str = PIC) -> Article:
    """The article's picture as an agency sends it (the address only)."""
    article.image_url = url
    link_source(article, previous_url="")
    article.save()
    return article


def stored(article: Article, data: bytes | None = None) -> Article:
    """... and once the fetch-pictures job has stored it (tests/newsroom/test_renditions.py
    fetches for real)."""
    picture_store(article.picture_source, data or pics.jpeg((2000, 1333)))
    article.refresh_from_db()
    return article


@pytest.fixture
def pictured(site):
    """'Fresh world story' with a stored 2000x1333 picture; the others without."""
    article = Article.objects.get(headline="Fresh world story")
    article.image_caption = "Ferries leave the wharf at dawn."
    article.image_credit = "Wire Photos/Jo Doe"
    article.image_alt = "Two ferries at a wharf"
    article.image_width, article.image_height = 2000, 1333
    article.image_type = "image/jpeg"
    article.image_length = 254000  # the agency's file, not ours
    article.image_rights = "Editorial use only"
    return stored(with_picture(article))


def local(article: Article, width: int = 1600, kind: str = "image/jpeg") -> str:
    """The absolute address of one of the article's renditions."""
    found = next(f for f in article.picture_files() if (f.width, f.mime_type) == (width, kind))
    assert found.url.startswith("/media/pictures/")
    return BASE + found.url


def length(article: Article, width: int = 1600) -> str:
    return str(next(f.length for f in article.picture_files()
                    if (f.width, f.mime_type) == (width, "image/jpeg")))


def entry_of(feed, title):
    return next(e for e in feed.entries if e.title == title)


def items_of(content: bytes, tag: str):
    root = etree.fromstring(content)
    return {node.findtext("title") or node.findtext("{http://www.w3.org/2005/Atom}title"): node
            for node in root.iter(tag)}


def test_rss_media_content_and_enclosure_of_our_copy(client, pictured):
    content = client.get("/chile-sun/feed.rss").content
    feed = feedparser.parse(content)
    assert not feed.bozo, feed.get("bozo_exception")
    entry = entry_of(feed, "Fresh world story")
    assert entry.media_content[0]["url"] == local(pictured)
    assert (entry.media_content[0]["width"], entry.media_content[0]["height"]) == ("1600", "1066")
    assert entry.media_credit[0]["content"] == "Wire Photos/Jo Doe"
    assert [(e.href, e.length, e.type) for e in entry.enclosures] == [
        (local(pictured), length(pictured), "image/jpeg")]
    assert PIC.encode() not in content
    # feedparser keeps one description per entry; the caption is there in the XML.
    item = items_of(content, "item")["Fresh world story"]
    media = item.find(f"{MEDIA}content")
    assert media.findtext(f"{MEDIA}description") == "Ferries leave the wharf at dawn."
    assert media.findtext(f"{MEDIA}copyright") == "Editorial use only"
    assert media.get("fileSize") == length(pictured) and media.get("medium") == "image"
    assert not entry_of(feed, "Old world story").get("media_content")


def test_feeds_name_no_picture_until_it_is_stored(client, site):
    waiting = with_picture(Article.objects.get(headline="Fresh world story"))
    for ext in ("rss", "atom", "json"):
        content = client.get(f"/chile-sun/feed.{ext}").content
        assert PIC.encode() not in content and b"/media/pictures/" not in content, ext
    assert waiting.picture is None


def test_atom_enclosure_link_and_media_content(client, pictured):
    pictured.image_length = None
    pictured.save()
    content = client.get("/chile-sun/feed.atom").content
    feed = feedparser.parse(content)
    assert not feed.bozo, feed.get("bozo_exception")
    entry = entry_of(feed, "Fresh world story")
    assert [(e.href, e.type) for e in entry.enclosures] == [(local(pictured), "image/jpeg")]
    assert entry.media_content[0]["url"] == local(pictured)
    assert PIC.encode() not in content
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


def test_json_feed_image_found_in_the_copy(client, site, tmp_path, picture_server):
    inline = f"{picture_server.url}/inline.jpg"
    picture_server.routes["/inline.jpg"] = pics.jpeg((1200, 800))
    body = (f'<figure><img src="{inline}" alt="A ferry" width="1200" '
            'height="800"><figcaption>A ferry at the wharf.</figcaption></figure>'
            "<p>Ferries returned to the harbour on Saturday morning after the storm.</p>")
    path = tmp_path / "inline.rss"
    path.write_bytes(rss(rss_item("inline-1", "Ferries return", body, date=ago(minutes=5))))
    services.ingest_source(str(path), agency=services.agency_ensure(code="RFE"))
    assert "image" not in {item["title"]: item for item in json.loads(
        client.get("/chile-sun/feed.json").content)["items"]}["Ferries return"]
    assert services.pictures_fetch_due().stored == 1
    content = client.get("/chile-sun/feed.json").content.decode()
    assert validate_json_feed(json.loads(content)) == []  # the JSON Feed 1.1 rules
    items = {item["title"]: item for item in json.loads(content)["items"]}
    article = Article.objects.get(headline="Ferries return")
    assert items["Ferries return"]["image"] == local(article, 1200)
    assert "inline.jpg" not in content  # not shown twice, never the agency's address
    assert "image" not in items["Old world story"]


def test_api_picture_fields(client, pictured):
    listed = client.get("/api/articles?edition=chile-sun").json()["items"]
    image = next(a for a in listed if a["id"] == pictured.pk)["image"]
    renditions = image.pop("renditions")
    assert image == {"url": local(pictured), "caption": "Ferries leave the wharf at dawn.",
                     "credit": "Wire Photos/Jo Doe", "alt": "Two ferries at a wharf",
                     "width": 1600, "height": 1066, "type": "image/jpeg",
                     "rights": "Editorial use only", "source_url": PIC}
    assert [(r["width"], r["type"]) for r in renditions] == [
        (w, t) for w in (320, 640, 1024, 1600) for t in ("image/jpeg", "image/webp")]
    assert all(r["url"].startswith(f"{BASE}/media/pictures/") and r["bytes"] > 0
               for r in renditions)
    assert next(a for a in listed if a["headline"] == "Old world story")["image"] is None
    detail = client.get(f"/api/articles/{pictured.pk}").json()
    assert (detail["image_url"], detail["image_caption"], detail["image_credit"]) == (
        local(pictured), "Ferries leave the wharf at dawn.", "Wire Photos/Jo Doe")
    assert detail["image"]["alt"] == "Two ferries at a wharf"


def test_json_ld_image_object_and_publisher_logo(client, pictured):
    data = head_of(client, f"/chile-sun/news/{pictured.pk}/{pictured.slug}").json_ld[0]
    ours = local(pictured)
    assert data["image"] == [{"@type": "ImageObject", "url": ours, "contentUrl": ours,
                              "width": 1600, "height": 1066,
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
    assert meta["og:image"] == meta["twitter:image"] == local(pictured)
    assert meta["og:image:alt"] == meta["twitter:image:alt"] == "Two ferries at a wharf"
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1600", "1066")
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
        assert images[url] == local(pictured), path
        assert sum(1 for loc in images.values() if loc) == 1


def test_article_page_figure_alt_size_caption_and_credit(client, pictured):
    html = client.get(f"/chile-sun/news/{pictured.pk}/{pictured.slug}").content.decode()
    start = html.index('<figure class="picture picture-article">')
    figure = html[start:html.index("</figure>")]
    assert "Ferries leave the wharf at dawn." in figure and "Photo: Wire Photos/Jo Doe" in figure
    path = {(f.width, f.mime_type): f.url for f in pictured.picture_files()}
    jpegs = ", ".join(f"{path[w, 'image/jpeg']} {w}w" for w in (320, 640, 1024, 1600))
    webps = ", ".join(f"{path[w, 'image/webp']} {w}w" for w in (320, 640, 1024, 1600))
    sizes = "(max-width: 860px) calc(100vw - 2rem), 730px"
    assert (f'<picture><source type="image/webp" srcset="{webps}" sizes="{sizes}">'
            f'<img src="{path[1024, "image/jpeg"]}" srcset="{jpegs}" sizes="{sizes}" '
            'width="1024" height="682" alt="Two ferries at a wharf" fetchpriority="high" '
            'decoding="async"></picture>') in figure
    assert 'loading="lazy"' not in figure  # the lead picture loads at once
    assert "img.example" not in html  # never the agency's host


def test_article_page_shows_no_picture_until_it_is_stored(client, site):
    article = with_picture(Article.objects.get(headline="Fresh world story"))
    article.image_credit = "Wire Photos/Jo Doe"
    article.save()
    url = f"/chile-sun/news/{article.pk}/{article.slug}"
    html = client.get(url).content.decode()
    assert "<figure" not in html and "img.example" not in html and "Jo Doe" not in html
    stored(article)  # the stored picture bumps the edition: the cached page is renewed
    html = client.get(url).content.decode()
    assert '<figure class="picture picture-article"><picture>' in html
    assert "img.example" not in html


def test_article_page_never_uses_the_headline_as_alt_and_shows_a_lone_credit(client, site):
    article = stored(with_picture(Article.objects.get(headline="Fresh world story")))
    html = client.get(f"/chile-sun/news/{article.pk}/{article.slug}").content.decode()
    assert 'height="682" alt="" fetchpriority' in html
    article.image_url, article.image_credit = "", "Lucas Pereira-Imagn Images"
    link_source(article, previous_url=PIC)
    article.save()
    html = client.get(f"/chile-sun/news/{article.pk}/{article.slug}").content.decode()
    assert "Photo credit: Lucas Pereira-Imagn Images" in html


def test_the_card_and_logo_ship_with_the_package():
    static = Path(wiredesk.__file__).parent / "static" / "wiredesk"
    assert Image.open(static / "card.png").size == (1200, 630)
    assert Image.open(static / "logo.png").size == (512, 512)


def test_renditions_are_served_for_ever_and_nothing_else_under_media(client, pictured):
    for found in pictured.picture_files():
        response = client.get(found.url)
        assert response.status_code == 200, found.url
        assert response["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response["Content-Type"] == found.mime_type
        body = b"".join(response.streaming_content)
        assert len(body) == found.length
        assert Image.open(__import__("io").BytesIO(body)).size == (found.width, found.height)
    name = pictured.picture_files()[0].url
    for wrong in (name.replace(".jpg", ".png"), name[:-8] + "00000.jpg",
                  "/media/pictures/../secret_key", "/media/pictures/%2e%2e/secret_key",
                  "/media/wiredesk.sqlite3"):
        assert client.get(wrong).status_code == 404, wrong


def test_renditions_are_served_on_an_edition_host_too(client, pictured):
    found = pictured.picture_files()[-1]
    response = client.get(found.url, HTTP_HOST="chilesun.example")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
