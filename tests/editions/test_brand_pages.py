"""What readers see of an edition's brand: its masthead and footer on every page, its
text pages, its icon, its 404 and 410 pages on its hosts and under its slug, and the
templates its publisher wrote for it (for that edition only, from its own folder only)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.db import transaction
from django.template import TemplateDoesNotExist

from tests.conftest import distinct_body, rss, rss_item
from tests.editions.brand_helpers import picture
from wiredesk.editions import overrides
from wiredesk.editions.models import Edition
from wiredesk.editions.services import (
    EditionError,
    edition_brand_set,
    edition_footer_set,
    edition_page_set,
    edition_save,
)
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article

pytestmark = pytest.mark.django_db


class Masthead(HTMLParser):
    """The masthead's brand link: its text and its pictures."""

    def __init__(self, html: str):
        super().__init__()
        self.text: list[str] = []
        self.images: list[dict[str, str]] = []
        self.footer_links: list[tuple[str, str]] = []
        self._in_brand = self._in_footer = False
        self._href = ""
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and "brand" in a.get("class", "").split():
            self._in_brand = True
        elif tag == "img" and self._in_brand:
            self.images.append(a)
        elif tag == "nav" and "footer-links" in a.get("class", ""):
            self._in_footer = True
        elif tag == "a" and self._in_footer:
            self._href = a.get("href", "")

    def handle_endtag(self, tag):
        if tag == "a":
            self._in_brand = False
        if tag == "nav":
            self._in_footer = False

    def handle_data(self, data):
        if self._in_brand and data.strip():
            self.text.append(data.strip())
        if self._in_footer and self._href and data.strip():
            self.footer_links.append((data.strip(), self._href))
            self._href = ""


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def editions(tmp_path):
    services.section_ensure(slug="world", name="World")
    agency = services.agency_ensure(code="RFE")
    feed = tmp_path / "rfe.rss"
    feed.write_bytes(rss(
        rss_item("k1", "Story that will be killed", distinct_body("k1"), category="World")
        + rss_item("k2", "Story that stays", distinct_body("k2"), category="World")))
    services.ingest_source(str(feed), agency=agency)
    chile = edition_save(name="Chile Sun", time_zone="Australia/Sydney",
                         hosts=["chilesun.example"])
    euro = edition_save(name="Euro Ledger", time_zone="Europe/Paris",
                        hosts=["euroledger.example"])
    edition_brand_set(chile, logo=picture(400, 100), brand_color="#9c2a00")
    return Edition.objects.get(pk=chile.pk), euro


def test_the_masthead_shows_the_editions_logo_and_name(client, editions):
    chile, _euro = editions
    page = Masthead(client.get("/chile-sun/").content.decode())
    assert page.text == ["Chile Sun"]
    (logo,) = page.images
    assert logo["src"] == f"/media/brand/{chile.logo}"
    assert (logo["width"], logo["height"], logo["alt"]) == ("400", "100", "")
    assert client.get(logo["src"]).status_code == 200
    assert Masthead(client.get("/euro-ledger/").content.decode()).images == []

    edition_brand_set(chile, logo_replaces_name=True)  # a logo that spells the name
    page = Masthead(client.get("/", HTTP_HOST="chilesun.example").content.decode())
    assert page.text == [] and page.images[0]["alt"] == "Chile Sun"


def test_a_dark_background_gets_the_dark_logo(client, editions):
    chile, _euro = editions
    edition_brand_set(chile, logo_dark=picture(300, 100, colour=(255, 255, 255, 255)))
    chile.refresh_from_db()
    assert Masthead(client.get("/chile-sun/").content.decode()).images[0]["src"].endswith(
        chile.logo)
    edition_brand_set(chile, background_color="#101010", text_color="#f0f0f0",
                      brand_color="#ffb347", accent_color="#8ab4ff")
    chile.refresh_from_db()
    assert Masthead(client.get("/chile-sun/").content.decode()).images[0]["src"].endswith(
        chile.logo_dark)


def test_text_pages_are_sanitized_and_linked_from_the_footer(client, editions):
    chile, _euro = editions
    edition_page_set(chile, "about", '<h1>Who we are</h1><p onclick="steal()">We report.'
                     '</p><script>window.pwned=1</script><a href="javascript:alert(1)">x</a>'
                     '<iframe src="https://evil.example/"></iframe>'
                     '<p style="color:red">Styled</p>')
    edition_page_set(chile, "contact", "Write to us.\n\nOr <call> us & visit.")
    edition_footer_set(chile, [("Feeds", "/chile-sun/feed.rss"),
                               ("Parent company", "https://example.org/")])
    about = client.get("/chile-sun/about")
    assert about.status_code == 200
    html = about.content.decode()
    for bad in ("onclick", "<script", "pwned", "javascript:", "<iframe", "style="):
        assert bad not in html.split("<main", 1)[1], bad
    assert "<h1>About</h1>" in html and "<h2>Who we are</h2>" in html
    assert "We report." in html
    contact = client.get("/contact", HTTP_HOST="chilesun.example").content.decode()
    assert "<p>Write to us.</p>" in contact and "<p>Or &lt;call&gt; us &amp; visit.</p>" in contact
    assert client.get("/chile-sun/terms").status_code == 404  # not written
    assert client.get("/euro-ledger/about").status_code == 404  # another edition's
    links = Masthead(client.get("/chile-sun/").content.decode()).footer_links
    assert links == [("About", "/chile-sun/about"), ("Contact", "/chile-sun/contact"),
                     ("Feeds", "/chile-sun/feed.rss"), ("Parent company", "https://example.org/")]
    on_host = Masthead(client.get("/", HTTP_HOST="chilesun.example").content.decode())
    assert on_host.footer_links[0] == ("About", "/about")
    assert Masthead(client.get("/euro-ledger/").content.decode()).footer_links == []


@pytest.mark.parametrize("url", ["javascript:alert(1)", "//evil.example/", "data:text/html,x",
                                 "about us", ""])
def test_a_footer_link_goes_somewhere_safe_or_is_refused(editions, url):
    with pytest.raises(EditionError, match="footer link"):
        edition_footer_set(editions[0], [("Bad", url)])


def test_editing_a_text_page_shows_at_once_with_the_page_cache_on(client, editions, settings):
    settings.WIREDESK_PAGE_CACHE = True
    chile, _euro = editions
    edition_page_set(chile, "about", "First words.")
    assert "First words." in client.get("/chile-sun/about").content.decode()
    assert client.get("/chile-sun/about")["X-Cache"] == "HIT"
    edition_page_set(chile, "about", "Second words.")
    assert "Second words." in client.get("/chile-sun/about").content.decode()
    edition_page_set(chile, "about", "")  # removed
    assert client.get("/chile-sun/about").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_an_edition_with_articles_pages_and_links_can_be_deleted(editions):
    """The foreign keys are checked at commit: nothing may be left pointing at it (its
    page-cache stamp was made again by the deletes of its placements, pages, hosts)."""
    chile, _euro = editions
    assert chile.placements.exists()
    edition_page_set(chile, "about", "Words.")
    edition_footer_set(chile, [("Feeds", "/feed.rss")])
    with transaction.atomic():
        chile.delete()
    assert not Edition.objects.filter(slug="chile-sun").exists()


def branded_error(response, status: int) -> Masthead:
    assert response.status_code == status
    html = response.content.decode()
    page = Masthead(html)
    assert page.text == ["Chile Sun"], page.text
    assert page.images and page.images[0]["src"].startswith("/media/brand/")
    assert re.search(r'<link rel="stylesheet" href="[^"]*/brand\.[0-9a-f]{12}\.css">', html)
    assert ">wiredesk</a>" not in html
    return page


def test_404_pages_wear_the_editions_brand_on_its_hosts_and_under_its_slug(client, editions):
    branded_error(client.get("/nothing/here", HTTP_HOST="chilesun.example"), 404)
    branded_error(client.get("/chile-sun/nothing/here"), 404)
    branded_error(client.get("/chile-sun/news/999999/"), 404)  # a view's own 404
    branded_error(client.get("/chile-sun/section/no-such-section/"), 404)
    on_other_host = client.get("/chile-sun/nothing", HTTP_HOST="euroledger.example")
    html = branded_error(on_other_host, 404) and on_other_host.content.decode()
    assert 'href="/chile-sun/"' in html  # links stay under the slug on another's host
    euro = client.get("/nothing", HTTP_HOST="euroledger.example", follow=True)
    assert euro.status_code == 404
    euro = euro.content.decode()
    assert "Euro Ledger" in euro and "Chile Sun" not in euro
    # Not an edition's page: the site's own masthead.
    site = client.get("/no-such-edition/x")
    assert site.status_code == 404 and ">wiredesk</a>" in site.content.decode()


def test_410_for_a_killed_article_wears_the_editions_brand(client, editions):
    article = Article.objects.get(headline="Story that will be killed")
    services.article_kill(article=article, reason="legal")
    branded_error(client.get(f"/chile-sun/news/{article.pk}/{article.slug}"), 410)
    branded_error(client.get(f"/news/{article.pk}/{article.slug}",
                             HTTP_HOST="chilesun.example"), 410)


def test_the_editions_icon_on_its_pages_and_at_favicon_ico(client, editions, data_dir):
    chile, _euro = editions
    shipped = client.get("/favicon.ico").content
    edition_brand_set(chile, icon=picture(256, 256))
    chile.refresh_from_db()
    own = (data_dir / "media" / "brand" / f"{chile.icon}.ico").read_bytes()
    assert own != shipped
    for url, host in (("/favicon.ico", "chilesun.example"), ("/chile-sun/favicon.ico",
                                                             "localhost")):
        response = client.get(url, HTTP_HOST=host)
        assert response.status_code == 200 and response.content == own, (url, host)
    assert client.get("/favicon.ico", HTTP_HOST="euroledger.example").content == shipped
    assert client.get("/favicon.ico").content == shipped
    html = client.get("/chile-sun/").content.decode()
    assert f'<link rel="icon" href="/media/brand/{chile.icon}-32.png"' in html
    assert f'<link rel="apple-touch-icon" href="/media/brand/{chile.icon}-180.png">' in html
    assert "favicon" in client.get("/euro-ledger/").content.decode()  # the shipped one


# -- template overrides -------------------------------------------------------------------

def write(path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_an_override_folder_serves_its_edition_only(client, editions, data_dir):
    chile, _euro = editions
    folder = data_dir / "edition-templates" / "chile"
    write(folder / "wiredesk" / "base.html",
          '<!doctype html><html><body><p class="own">Our own frame</p>'
          "{% block main %}{% endblock %}</body></html>")
    # An override may extend the very template it replaces.
    write(folder / "wiredesk" / "404.html", '{% extends "wiredesk/404.html" %}'
          "{% block main %}<h1>Chile Sun lost this page</h1>{% endblock %}")
    assert "Our own frame" not in client.get("/chile-sun/").content.decode()  # not set yet
    edition_brand_set(chile, template_folder="chile")
    home = client.get("/chile-sun/").content.decode()
    assert '<p class="own">Our own frame</p>' in home and "Story that stays" in home
    assert "Our own frame" in client.get("/", HTTP_HOST="chilesun.example").content.decode()
    assert "Our own frame" not in client.get("/euro-ledger/").content.decode()
    assert "Our own frame" not in client.get("/").content.decode()  # the site's index
    missing = client.get("/chile-sun/nothing")
    assert missing.status_code == 404 and b"Chile Sun lost this page" in missing.content
    assert b"Our own frame" in missing.content  # the shipped 404 on the override's base
    assert b"lost this page" not in client.get("/euro-ledger/nothing").content
    # An edit shows on the next request, without a restart.
    write(folder / "wiredesk" / "404.html", "<h1>Still lost, changed</h1>")
    assert b"Still lost, changed" in client.get("/chile-sun/nothing").content


def test_an_override_folder_can_never_reach_outside_it(client, editions, data_dir):
    chile, _euro = editions
    root = data_dir / "edition-templates"
    folder = root / "chile"
    write(data_dir / "secret.html", "TOP SECRET")
    write(root / "other" / "wiredesk" / "404.html", "OTHER EDITION'S")
    (folder / "wiredesk").mkdir(parents=True)
    (folder / "wiredesk" / "404.html").symlink_to(data_dir / "secret.html")
    for name in ("../secret.html", "../../secret.html", str(data_dir / "secret.html"),
                 "../other/wiredesk/404.html", "wiredesk/404.html", "", "."):
        assert overrides.override_path(folder, name) is None, name
    assert overrides.override_path(folder, "wiredesk/base.html") == (
        folder / "wiredesk" / "base.html").resolve()
    for bad in ("../other", "/etc", "a/b", ".hidden", "Chile"):
        with pytest.raises(EditionError, match="one folder name"):
            edition_brand_set(chile, template_folder=bad)
    edition_brand_set(chile, template_folder="chile")
    from django.template import engines

    engine = engines["django"].engine
    with overrides.edition_templates(Edition.objects.get(pk=chile.pk)):
        for name in ("../secret.html", "../../secret.html"):
            with pytest.raises(TemplateDoesNotExist):
                engine.get_template(name)
    missing = client.get("/chile-sun/nothing").content.decode()
    assert "TOP SECRET" not in missing and "Page not found" in missing  # the symlink: skipped
    Edition.objects.filter(pk=chile.pk).update(template_folder="../other")  # around the checks
    missing = client.get("/chile-sun/nothing").content.decode()
    assert "OTHER EDITION'S" not in missing and "Page not found" in missing
