"""What every public page of the demo editions owes a reader, a browser and a crawler:
compressed answers, hashed static names, an icon, a meta description, headings in order,
the current section marked, and no byline that only repeats the agency.

The demo instance is built once for the module (the real sample feeds through the real
pipeline) inside a transaction rolled back at the end; each test runs in a savepoint."""

from __future__ import annotations

import gzip
import re
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path

import brotli
import pytest
from django.conf import settings
from django.db import transaction

from wiredesk import demo
from wiredesk.editions.formatting import headings_in_order
from wiredesk.editions.links import article_path, section_path, story_path, tag_path
from wiredesk.editions.models import Edition
from wiredesk.newsroom.models import Article, Tag

pytestmark = pytest.mark.django_db

HASHED_CSS = re.compile(r"^/static/wiredesk/site\.[0-9a-f]{12}\.css$")
BRAND_CSS = re.compile(r"^/chile-sun/brand\.[0-9a-f]{12}\.css$")


class Page(HTMLParser):
    """The parts of a page these tests read."""

    def __init__(self, html: str):
        super().__init__()
        self.headings: list[tuple[int, str]] = []
        self.descriptions: list[str] = []
        self.links: list[dict[str, str]] = []  # <link> elements
        self.nav_current: list[str] = []  # texts of the section nav's aria-current links
        self.bylines: list[str] = []
        self._heading: int | None = None
        self._text: list[str] = []
        self._in_nav = False
        self._current_link = False
        self._in_byline = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if re.fullmatch(r"h[1-6]", tag):
            self._heading, self._text = int(tag[1]), []
        elif tag == "meta" and a.get("name") == "description":
            self.descriptions.append(a.get("content", ""))
        elif tag == "link":
            self.links.append(a)
        elif tag == "nav" and "sections" in a.get("class", ""):
            self._in_nav = True
        elif tag == "a" and self._in_nav and a.get("aria-current") == "page":
            self._current_link, self._text = True, []
        elif tag == "p" and "byline" in a.get("class", "").split():
            self._in_byline, self._text = True, []

    def handle_endtag(self, tag):
        if self._heading and tag == f"h{self._heading}":
            self.headings.append((self._heading, "".join(self._text).strip()))
            self._heading = None
        elif tag == "nav":
            self._in_nav = False
        elif tag == "a" and self._current_link:
            self.nav_current.append("".join(self._text).strip())
            self._current_link = False
        elif tag == "p" and self._in_byline:
            self.bylines.append("".join(self._text).strip())
            self._in_byline = False

    def handle_data(self, data):
        self._text.append(data)


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        demo.build(progress=lambda line: None)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def pages(demo_site) -> dict[str, str]:
    """One URL of each kind of public page, on the Chile Sun edition (by slug)."""
    edition = Edition.objects.get(slug="chile-sun")
    base = "/chile-sun"
    article = (Article.objects.filter(placements__edition=edition, story__isnull=False,
                                      article_tags__isnull=False, section__isnull=False)
               .exclude(byline="").order_by("-published_at").first())
    tag = Tag.objects.filter(article_tags__article=article).first()
    word = article.headline.split()[0]
    return {
        "home": f"{base}/",
        "section": base + section_path(article.section.slug),
        "article": base + article_path(article),
        "story": base + story_path(article.story),
        "tag": base + tag_path(tag.key),
        "search": f"{base}/search?q={word}",
    }


def get_page(client, url: str, **headers) -> Page:
    response = client.get(url, **headers)
    assert response.status_code == 200, url
    return Page(response.content.decode())


def test_every_public_page_answers_gzip_and_brotli_when_asked(client, pages):
    extra = ["/", "/chile-sun/feed.rss", "/chile-sun/sitemap.xml", "/robots.txt",
             "/euro-ledger/"]
    for url in [*pages.values(), *extra]:
        plain = client.get(url)
        assert plain.status_code == 200 and "Content-Encoding" not in plain, url
        zipped = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
        assert zipped["Content-Encoding"] == "gzip", url
        assert "accept-encoding" in zipped["Vary"].lower(), url
        assert gzip.decompress(zipped.content) == plain.content, url
        assert len(zipped.content) < len(plain.content), url
        squeezed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, br")
        assert squeezed["Content-Encoding"] == "br", url
        assert brotli.decompress(squeezed.content) == plain.content, url
    # By host too: the edition's own host name.
    on_host = client.get("/", HTTP_HOST="chilesun.localhost", HTTP_ACCEPT_ENCODING="gzip")
    assert on_host["Content-Encoding"] == "gzip"


def test_only_pages_without_a_csrf_token_are_compressed(client, demo_site):
    """BREACH: a page carrying a secret (a CSRF token) beside what a visitor typed goes
    out uncompressed, while the public pages and the release form (no token: its posts
    are checked by origin, core.origin) are compressed."""
    signin = client.get("/admin/login/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert signin.status_code == 200
    assert b"csrfmiddlewaretoken" in signin.content
    assert "Content-Encoding" not in signin
    form = client.get("/chile-sun/releases/submit", HTTP_ACCEPT_ENCODING="gzip, br")
    assert form["Content-Encoding"] == "br"
    assert b"csrfmiddlewaretoken" not in brotli.decompress(form.content)
    home = client.get("/chile-sun/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert home["Content-Encoding"] == "br"
    assert b"csrfmiddlewaretoken" not in brotli.decompress(home.content)


def test_pages_name_static_files_by_their_hashed_names(client, pages):
    page = get_page(client, pages["home"])
    sheets = [link["href"] for link in page.links if link.get("rel") == "stylesheet"]
    # The site's stylesheet, then the edition's colours and fonts (editions/branding.py).
    assert len(sheets) == 2 and HASHED_CSS.match(sheets[0]), sheets
    assert BRAND_CSS.match(sheets[1]), sheets
    # whitenoise serves the hashed name as immutable, with a precompressed copy.
    css = client.get(sheets[0], HTTP_ACCEPT_ENCODING="gzip")
    assert css.status_code == 200
    assert "immutable" in css["Cache-Control"] and "max-age=315360000" in css["Cache-Control"]
    assert css["Content-Encoding"] == "gzip"
    brand = client.get(sheets[1])
    assert brand.status_code == 200 and "immutable" in brand["Cache-Control"]
    assert "--brand: #" in brand.content.decode()
    # The demo editions have icons of their own, named by their content too.
    icons = [link["href"] for link in page.links if link.get("rel") in ("icon",
                                                                         "apple-touch-icon")]
    assert icons and all(re.match(r"^/media/brand/[0-9a-f]{24}-(32|180)\.png$", i)
                         for i in icons), icons
    for icon in icons:
        answer = client.get(icon)
        assert answer.status_code == 200 and "immutable" in answer["Cache-Control"]
    index = get_page(client, "/")  # the site's own pages keep the shipped icons
    icons = [link["href"] for link in index.links if link.get("rel") == "icon"]
    assert icons and all(re.match(r"^/static/wiredesk/favicon\.[0-9a-f]{12}\.(ico|svg)$", i)
                         for i in icons), icons


def test_no_template_writes_a_static_path_by_hand():
    """Every static file is named through {% static %}, so it gets its hashed name."""
    templates = Path(settings.PACKAGE_DIR).rglob("templates/**/*.html")
    by_hand = [str(t) for t in templates if re.search(r"""["']/static/""", t.read_text())]
    assert by_hand == []


def test_favicon_answers_on_the_site_every_edition_host_and_under_each_edition(
        client, demo_site):
    answers = []
    for url, host in (("/favicon.ico", "localhost"), ("/favicon.ico", "chilesun.localhost"),
                      ("/favicon.ico", "euroledger.localhost"),
                      ("/chile-sun/favicon.ico", "localhost"),
                      ("/euro-ledger/favicon.ico", "127.0.0.1")):
        response = client.get(url, HTTP_HOST=host)
        assert response.status_code == 200, (url, host)
        assert response["Content-Type"] == "image/vnd.microsoft.icon"
        assert response.content[:4] == b"\x00\x00\x01\x00", (url, host)  # an ICO file
        answers.append(response.content)
    icon = (Path(settings.PACKAGE_DIR) / "static" / "wiredesk" / "favicon.ico").read_bytes()
    # The site's own, then each demo edition's own (on its host and under its slug).
    site, chile_host, euro_host, chile_slug, euro_slug = answers
    assert site == icon
    assert chile_host == chile_slug != icon and euro_host == euro_slug != icon
    assert chile_host != euro_host
    assert client.get("/no-such-edition/favicon.ico").status_code == 404


def test_every_page_has_a_meta_description(client, pages):
    edition = Edition.objects.get(slug="chile-sun")
    for kind, url in {**pages, "index": "/", "release form": "/chile-sun/releases/submit",
                      "digest signup": "/chile-sun/digest/subscribe"}.items():
        page = get_page(client, url)
        assert len(page.descriptions) == 1, (kind, page.descriptions)
        assert len(page.descriptions[0]) >= 20, (kind, page.descriptions)
    assert edition.tagline in get_page(client, pages["home"]).descriptions[0]
    article = Article.objects.get(pk=pages["article"].split("/")[3])
    assert get_page(client, pages["article"]).descriptions[0].startswith(article.teaser[:60])


def test_headings_go_down_one_level_at_a_time(client, pages):
    for kind, url in pages.items():
        levels = [level for level, _ in get_page(client, url).headings]
        assert levels and levels[0] == 1 and levels.count(1) == 1, (kind, levels)
        for before, after in pairwise(levels):
            assert after <= before + 1, (kind, levels)


def test_an_article_body_that_skips_levels_is_renumbered_under_the_page():
    body = "<p>a</p><h4>Inside</h4><p>b</p><h5>Deeper</h5><h3>Back</h3><h6>Far</h6>"
    assert headings_in_order(body) == ("<p>a</p><h2>Inside</h2><p>b</p><h3>Deeper</h3>"
                                       "<h2>Back</h2><h3>Far</h3>")
    assert headings_in_order("<p>none</p>") == "<p>none</p>"


def test_the_nav_marks_the_section_the_reader_is_in(client, pages):
    article = Article.objects.get(pk=pages["article"].split("/")[3])
    section = article.section.name
    expected = {"home": ["Latest"], "section": [section], "article": [section],
                "story": [], "tag": [], "search": []}
    for kind, url in pages.items():
        assert get_page(client, url).nav_current == expected[kind], kind
    assert get_page(client, "/chile-sun/?section=sport").nav_current == ["Sport"]


def test_no_byline_only_repeats_the_agency(client, demo_site):
    edition = Edition.objects.get(slug="chile-sun")
    shown = Article.objects.filter(placements__edition=edition).select_related("agency")
    agency_bylines = [a for a in shown if a.byline.casefold() == a.agency.code.casefold()]
    own_bylines = [a for a in shown if a.byline and a not in agency_bylines]
    assert agency_bylines and own_bylines  # the demo has both (ANI, XINHUA; RFE reporters)
    for article in agency_bylines:
        page = get_page(client, "/chile-sun" + article_path(article))
        assert page.bylines == [], (article.agency.code, page.bylines)
        html = client.get("/chile-sun" + article_path(article)).content.decode()
        assert '"@type":"Person"' not in html  # JSON-LD credits the agency, not a person
    for article in own_bylines[:3]:
        page = get_page(client, "/chile-sun" + article_path(article))
        assert page.bylines == [f"By {article.byline}"]
