"""Structured data and sharing tags on article pages."""

import json
import re
from html.parser import HTMLParser

import pytest

from wiredesk.newsroom.models import Article

pytestmark = pytest.mark.django_db

BASE = "http://chilesun.example:8000"


class HeadParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.meta, self.json_ld, self._in_ld = [], {}, [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link":
            self.links.append(attrs)
        elif tag == "meta":
            key = attrs.get("property") or attrs.get("name")
            if key:
                self.meta[key] = attrs.get("content")
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_ld = True

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_ld = False

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld.append(json.loads(data))


def head_of(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200
    parser = HeadParser()
    parser.feed(response.content.decode())
    return parser


def test_news_article_json_ld(client, site):
    from tests.publishing.test_pictures import stored, with_picture

    article = stored(with_picture(Article.objects.get(headline="Fresh world story"),
                                  "https://img.example/p.jpg"))
    head = head_of(client, f"/chile-sun/news/{article.pk}/{article.slug}")
    assert len(head.json_ld) == 1
    data = head.json_ld[0]
    url = f"{BASE}/news/{article.pk}/{article.slug}"
    assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
    assert data["headline"] == "Fresh world story"
    assert data["mainEntityOfPage"]["@id"] == url
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+1[01]:00", data["datePublished"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+1[01]:00", data["dateModified"])
    assert data["author"] == [{"@type": "Organization", "name": "Radio Free Europe",
                               "alternateName": "RFE"}]
    assert data["publisher"]["name"] == "Chile Sun"
    # Our own copy of the agency's picture, never its address.
    assert [image["url"] for image in data["image"]] == [BASE + article.picture.url]
    assert data["isAccessibleForFree"] is True
    assert data["articleSection"] == "World"


def test_json_ld_cannot_break_out_of_script(client, site):
    article = Article.objects.get(headline="Fresh world story")
    article.headline = "</script><script>alert(1)</script> & co"
    article.save()
    html = client.get(f"/chile-sun/news/{article.pk}/{article.slug}").content.decode()
    assert "<script>alert(1)" not in html
    head = HeadParser()
    head.feed(html)
    assert head.json_ld[0]["headline"] == "</script><script>alert(1)</script> & co"


def test_open_graph_twitter_and_canonical(client, site):
    article = Article.objects.get(headline="Fresh world story")
    url = f"{BASE}/news/{article.pk}/{article.slug}"
    # served under the slug on another host: canonical is still the owning host
    head = head_of(client, f"/chile-sun/news/{article.pk}/{article.slug}")
    canonical = [link["href"] for link in head.links if link.get("rel") == "canonical"]
    assert canonical == [url]
    assert head.meta["og:type"] == "article"
    assert head.meta["og:url"] == url
    assert head.meta["og:title"] == "Fresh world story"
    assert head.meta["og:site_name"] == "Chile Sun"
    assert head.meta["twitter:card"] == "summary"
    assert head.meta["twitter:title"] == "Fresh world story"
    assert head.meta["og:description"] == article.teaser


def test_hreflang_between_editions_of_the_articles_language(client, site):
    article = Article.objects.get(headline="Fresh world story")
    # An English article in an English and a Spanish edition: the Spanish edition's copy is
    # not a Spanish version of it, so there is no alternate (an article appears under its
    # own language only: tests/publishing/test_language.py).
    head = head_of(client, f"/news/{article.pk}/{article.slug}", HTTP_HOST="chilesun.example")
    assert not [link for link in head.links if "hreflang" in link]
    # Two editions naming English differently are each other's alternates.
    spanish = site[1]
    spanish.language = "en-CL"
    spanish.save()
    head = head_of(client, f"/news/{article.pk}/{article.slug}", HTTP_HOST="chilesun.example")
    alternates = {link["hreflang"]: link["href"] for link in head.links if "hreflang" in link}
    assert alternates == {"en": f"{BASE}/news/{article.pk}/{article.slug}",
                          "en-CL": f"http://soldechile.example:8000/news/{article.pk}/"
                                   f"{article.slug}"}
    # when every edition carrying it names the language alike there is no hreflang
    spanish.language = "en"
    spanish.save()
    head = head_of(client, f"/news/{article.pk}/{article.slug}", HTTP_HOST="chilesun.example")
    assert not [link for link in head.links if "hreflang" in link]


def test_home_has_canonical(client, site):
    head = head_of(client, "/chile-sun/section/world/")
    assert [link["href"] for link in head.links if link.get("rel") == "canonical"] == [
        f"{BASE}/section/world/"]
