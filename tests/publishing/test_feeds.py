"""Feeds out: RSS 2.0, Atom 1.0 and JSON Feed 1.1, parsed back field by field."""

import json
import re
from datetime import datetime

import feedparser
import pytest

from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article

pytestmark = pytest.mark.django_db

BASE = "http://chilesun.example:8000"


def parse(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, url
    return response, feedparser.parse(response.content)


@pytest.mark.parametrize("ext,mime,version", [("rss", "application/rss+xml", "rss20"),
                                              ("atom", "application/atom+xml", "atom10")])
def test_xml_feeds_field_by_field(client, site, ext, mime, version):
    response, feed = parse(client, f"/chile-sun/feed.{ext}")
    assert response["Content-Type"].startswith(mime)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == version
    assert feed.feed.title == "Chile Sun"
    assert feed.feed.link == BASE + "/"
    assert feed.feed.get("subtitle") == "News from everywhere"
    assert feed.feed.language == "en"
    titles = [e.title for e in feed.entries]
    assert titles == ["Newest world story", "Sport story", "Fresh world story",
                      "Old world story"]
    entry = feed.entries[2]
    article = Article.objects.get(headline="Fresh world story")
    url = f"{BASE}/news/{article.pk}/{article.slug}"
    assert entry.link == url
    assert entry.id == url
    assert entry.author == "Radio Free Europe"
    assert datetime(*entry.published_parsed[:6]) == \
        article.published_at.replace(tzinfo=None, microsecond=0)
    assert entry.tags[0].term == "World"
    assert "A fresh one &amp; more." in entry.content[0].value or \
        "A fresh one & more." in entry.content[0].value
    assert entry.summary == article.teaser


def test_json_feed_is_valid(client, site):
    response = client.get("/chile-sun/feed.json")
    assert response["Content-Type"].startswith("application/feed+json")
    document = json.loads(response.content)
    assert validate_json_feed(document) == []
    assert document["home_page_url"] == BASE + "/"
    assert document["feed_url"] == BASE + "/feed.json"
    article = Article.objects.get(headline="Newest world story")
    first = document["items"][0]
    assert first["id"] == first["url"] == f"{BASE}/news/{article.pk}/{article.slug}"
    assert first["title"] == "Newest world story"
    assert "The newest." in first["content_html"]
    assert first["authors"] == [{"name": "Radio Free Europe"}]
    assert first["tags"] == ["World"]


def test_section_feeds_and_unknown_sections(client, site):
    _, feed = parse(client, "/chile-sun/section/sport/feed.rss")
    assert [e.title for e in feed.entries] == ["Sport story"]
    assert feed.feed.title == "Chile Sun: Sport"
    assert feed.feed.link == BASE + "/section/sport/"
    document = json.loads(client.get("/chile-sun/section/world/feed.json").content)
    assert validate_json_feed(document) == []
    assert document["feed_url"] == BASE + "/section/world/feed.json"
    assert len(document["items"]) == 3
    assert client.get("/chile-sun/section/nope/feed.atom").status_code == 404
    assert client.get("/plain-post/section/world/feed.rss").status_code == 404
    assert client.get("/no-edition/feed.rss").status_code == 404


def test_feeds_on_edition_host(client, site):
    _, feed = parse(client, "/feed.atom", HTTP_HOST="chilesun.example")
    assert len(feed.entries) == 4


def test_killed_and_embargoed_items_leave_feeds(client, site):
    article = Article.objects.get(headline="Sport story")
    services.article_kill(article=article, reason="legal")
    for ext in ("rss", "atom"):
        _, feed = parse(client, f"/chile-sun/feed.{ext}")
        assert "Sport story" not in [e.title for e in feed.entries]
    assert "Sport story" not in client.get("/chile-sun/feed.json").content.decode()


def test_conditional_get_on_feeds(client, site):
    for ext in ("rss", "atom", "json"):
        first = client.get(f"/chile-sun/feed.{ext}")
        assert first.has_header("ETag") and first.has_header("Last-Modified")
        again = client.get(f"/chile-sun/feed.{ext}", HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304
        since = client.get(f"/chile-sun/feed.{ext}",
                           HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert since.status_code == 304
    etag = client.get("/chile-sun/feed.rss")["ETag"]
    services.article_kill(article=Article.objects.get(headline="Sport story"), reason="x")
    changed = client.get("/chile-sun/feed.rss", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_every_edition_page_announces_all_three_feeds(client, site):
    article = Article.objects.get(headline="Fresh world story")
    for url in ("/chile-sun/", "/chile-sun/section/world/",
                f"/chile-sun/news/{article.pk}/{article.slug}", "/chile-sun/search?q=x"):
        html = client.get(url).content.decode()
        for mime, ext in (("application/rss+xml", "rss"), ("application/atom+xml", "atom"),
                          ("application/feed+json", "json")):
            assert re.search(rf'<link rel="alternate" type="{re.escape(mime)}" title="[^"]+" '
                             rf'href="{re.escape(BASE)}/feed\.{ext}">', html), (url, mime)
    section_html = client.get("/chile-sun/section/world/").content.decode()
    assert f'href="{BASE}/section/world/feed.json"' in section_html


# --- a JSON Feed 1.1 validator (https://jsonfeed.org/version/1.1) ----------------------

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def _is_url(value) -> bool:
    return isinstance(value, str) and re.match(r"^https?://[^\s/]+", value) is not None


def validate_json_feed(doc) -> list[str]:
    errors = []
    if not isinstance(doc, dict):
        return ["top level must be an object"]
    if doc.get("version") != "https://jsonfeed.org/version/1.1":
        errors.append("version must be https://jsonfeed.org/version/1.1")
    if not isinstance(doc.get("title"), str) or not doc["title"]:
        errors.append("title is required")
    for key in ("home_page_url", "feed_url", "icon", "favicon", "next_url"):
        if key in doc and not _is_url(doc[key]):
            errors.append(f"{key} must be a URL")
    for key in ("description", "user_comment", "language"):
        if key in doc and not isinstance(doc[key], str):
            errors.append(f"{key} must be a string")
    for author in doc.get("authors", []):
        if not isinstance(author, dict) or not ({"name", "url", "avatar"} & author.keys()):
            errors.append("an author needs a name, url or avatar")
    items = doc.get("items")
    if not isinstance(items, list):
        return [*errors, "items must be an array"]
    ids = set()
    for index, item in enumerate(items):
        where = f"items[{index}]"
        if not isinstance(item.get("id"), str) or not item["id"]:
            errors.append(f"{where}.id must be a non-empty string")
        elif item["id"] in ids:
            errors.append(f"{where}.id is not unique")
        else:
            ids.add(item["id"])
        if not (isinstance(item.get("content_html"), str)
                or isinstance(item.get("content_text"), str)):
            errors.append(f"{where} needs content_html or content_text")
        for key in ("url", "external_url", "image", "banner_image"):
            if key in item and not _is_url(item[key]):
                errors.append(f"{where}.{key} must be a URL")
        for key in ("date_published", "date_modified"):
            if key in item and not (isinstance(item[key], str) and RFC3339.match(item[key])):
                errors.append(f"{where}.{key} must be RFC 3339")
        if "tags" in item and not all(isinstance(t, str) for t in item["tags"]):
            errors.append(f"{where}.tags must be strings")
        for author in item.get("authors", []):
            if not isinstance(author, dict) or not ({"name", "url", "avatar"} & author.keys()):
                errors.append(f"{where}: an author needs a name, url or avatar")
        if "author" in item:
            errors.append(f"{where}.author is 1.0; 1.1 uses authors")
    return errors


def test_validator_catches_bad_feeds():
    assert validate_json_feed({"version": "1", "items": [{"id": 3}]})
    bad = {"version": "https://jsonfeed.org/version/1.1", "title": "t",
           "items": [{"id": "a", "content_html": "x", "date_published": "yesterday"},
                     {"id": "a", "content_text": "y"}]}
    errors = validate_json_feed(bad)
    assert any("RFC 3339" in e for e in errors) and any("unique" in e for e in errors)


def test_story_feeds_list_its_coverage_newest_first(client, world_story):
    story, _old, fresh = world_story
    _, feed = parse(client, f"/chile-sun/story/{story.pk}/feed.rss")
    assert [e.title for e in feed.entries] == ["Fresh world story", "Old world story"]
    assert feed.feed.title == "Chile Sun: World stories"
    assert feed.feed.link.startswith(BASE + f"/story/{story.pk}/")
    _, atom = parse(client, f"/chile-sun/story/{story.pk}/feed.atom")
    assert len(atom.entries) == 2
    document = json.loads(client.get(f"/chile-sun/story/{story.pk}/feed.json").content)
    assert validate_json_feed(document) == []
    assert document["feed_url"] == BASE + f"/story/{story.pk}/feed.json"
    # the story page announces its feeds, under the story's own name
    page = client.get(f"/chile-sun/story/{story.pk}/world-stories").content.decode()
    assert f'type="application/feed+json" title="World stories (JSON Feed)" ' \
           f'href="/chile-sun/story/{story.pk}/feed.json"' in page
    # a kill takes the item out of the story's feed; an edition without it 404s
    services.article_kill(article=fresh, reason="legal")
    _, feed = parse(client, f"/chile-sun/story/{story.pk}/feed.rss")
    assert [e.title for e in feed.entries] == ["Old world story"]
    assert client.get(f"/plain-post/story/{story.pk}/feed.rss").status_code == 404
    assert client.get("/chile-sun/story/999999/feed.rss").status_code == 404
