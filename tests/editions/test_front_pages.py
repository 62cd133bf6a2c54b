"""Pictures on the public pages: the front's lead and secondary row, thumbnails in lists,
story and tag pages, the article's own figure. Every picture is our stored copy (never the
agency's address) with its credit under it, a width and a height, a srcset sized for where
it sits, an alt text of its own (never the headline), and only the page's main picture
loads at once."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests import pictureserver as pics
from tests.conftest import distinct_body
from wiredesk.editions.links import article_path, story_path, tag_path
from wiredesk.editions.pictures import fallback
from wiredesk.editions.services import edition_save
from wiredesk.editions.templatetags.figures import ROLES
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article, Tag
from wiredesk.newsroom.services.renditions import picture_store

pytestmark = pytest.mark.django_db

# guid, headline, section, hour (UTC, 11 Jul 2025), picture: (name, credit, caption, size
# the agency says); "pass" comes without a size and is 4:3, "late" is not stored yet.
STORIES = [
    ("t1", "Ministers agree a water plan", "World", 20, None),
    ("p1", "Copper climbs for a fifth day", "World", 19,
     ("copper", "Wire Photos/Ana Rojas", "Steam over a smelter at dusk.", True)),
    ("t2", "Port workers agree a contract", "World", 18, None),
    ("p2", "Sevens squad names two debutants", "Sport", 17,
     ("sevens", "Sportswire/Luis Mena", "Players at a wet training pitch.", True)),
    ("p3", "Snow closes the mountain pass", "World", 16,
     ("pass", "Wire Photos/Pedro Soto", "Trucks queue below the pass.", False)),
    ("t3", "Miners accept a wage offer", "World", 15, None),
    ("t4", "Metro opens two stations", "World", 14, None),
    ("p4", "Derby ends in a rain-soaked draw", "Sport", 13,
     ("derby", "Sportswire/Jo Paz", "Fans under umbrellas in a stand.", True)),
    ("t5", "Senate backs a pension bill", "World", 12, None),
    ("p5", "Harvest starts late in the south", "World", 11,
     ("late", "Wire Photos/Ana Rojas", "Pickers in a misty field.", True)),
]
PIXELS = {"pass": (1600, 1200)}  # the others 1600 x 1067


def feed_item(guid, headline, section, hour, picture) -> str:
    media = ""
    if picture:
        name, credit, caption, sized = picture
        size = ' width="1600" height="1067"' if sized else ""
        media = (f'<media:content url="https://img.example/{name}.jpg" medium="image" '
                 f'type="image/jpeg"{size}><media:credit>{credit}</media:credit>'
                 f"<media:description>{caption}</media:description></media:content>")
    body = (f"<p>{headline}: officials in Santiago spoke on Friday; in Santiago the "
            f"news spread.</p>" + distinct_body(guid, paragraphs=3))
    return (f"<item><title>{headline}</title><guid>{guid}</guid>"
            f"<link>https://wire.example.org/{guid}</link><category>{section}</category>"
            f"<pubDate>Fri, 11 Jul 2025 {hour:02d}:00:00 GMT</pubDate>"
            f"<content:encoded><![CDATA[{body}]]></content:encoded>{media}</item>")


@pytest.fixture
def site(tmp_path):
    for position, name in enumerate(("World", "Sport")):
        services.section_ensure(slug=name.lower(), name=name, position=position)
    path = tmp_path / "wire.rss"
    path.write_text('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
                    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
                    'xmlns:media="http://search.yahoo.com/mrss/"><channel><title>W</title>'
                    "<link>https://wire.example.org/</link><description>d</description>"
                    + "".join(feed_item(*story) for story in STORIES)
                    + "</channel></rss>")
    services.ingest_source(str(path), agency=services.agency_ensure(code="WIRE"))
    # What the fetch-pictures job does with each agency picture (but the last one's).
    for article in Article.objects.exclude(picture_source=None).exclude(guid="p5"):
        name = article.image_url.rsplit("/", 1)[1].removesuffix(".jpg")
        picture_store(article.picture_source, pics.jpeg(PIXELS.get(name, (1600, 1067))))
    return edition_save(name="Chile Sun", time_zone="America/Santiago")


class Pictures(HTMLParser):
    """Each <img> with its attributes, the box it sits in (lead, card, list row, article
    figure), the headline of that box and the credit under it."""

    BOXES = ("front-lead", "front-card", "teaser-row", "story")

    def __init__(self, html: str):
        super().__init__()
        self.images: list[dict] = []
        self.h1 = ""
        self._open: list[tuple[str, str]] = []  # (tag, box) of open elements
        self._text_into: tuple[dict, str] | None = None
        self._in_h1 = False
        self._box: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        classes = a.get("class", "").split()
        box = next((b for b in self.BOXES if b in classes), "")
        if tag in ("img", "meta", "link", "input", "br", "source"):
            if tag == "img":
                self.images.append({**a, "box": self._box["box"] if self._box else "",
                                    "owner": self._box})
            return
        self._open.append((tag, box))
        if box:
            self._box = {"box": box, "headline": "", "credits": []}
        if tag == "h1":
            self._in_h1 = True
        elif "teaser-title" in classes and self._box:
            self._text_into = (self._box, "headline")
        elif "credit" in classes and self._box:
            self._box["credits"].append("")
            self._text_into = (self._box, "credit")

    def handle_endtag(self, tag):
        while self._open:
            open_tag, box = self._open.pop()
            if box:
                self._box = None
            if open_tag == tag:
                break
        if tag == "h1":
            self._in_h1 = False
        if tag in ("h2", "h3", "span", "figcaption"):
            self._text_into = None

    def handle_data(self, data):
        if self._in_h1:
            self.h1 += data
        if self._text_into:
            owner, field = self._text_into
            if field == "headline":
                owner["headline"] += data
            else:
                owner["credits"][-1] += data

    def in_box(self, box: str) -> list[dict]:
        return [i for i in self.images if i["box"] == box]


def pictures_of(client, url: str) -> Pictures:
    response = client.get(url)
    assert response.status_code == 200, url
    return Pictures(response.content.decode())


NAMES = {headline: picture[0] for _g, headline, _s, _h, picture in STORIES if picture}


def name_of(image: dict, page: Pictures | None = None) -> str:
    """Which story's picture this is, by the headline of the box it sits in."""
    headline = image["owner"]["headline"] or (page.h1 if page else "")
    return NAMES[headline.strip()]


def test_home_and_section_fronts_lead_with_a_large_picture_and_its_credit(client, site):
    for url in ("/chile-sun/", "/chile-sun/section/world/", "/chile-sun/?section=world"):
        page = pictures_of(client, url)
        [lead] = page.in_box("front-lead")
        assert name_of(lead) == "copper"
        assert lead["owner"]["credits"] == ["Photo: Wire Photos/Ana Rojas"]
        assert "loading" not in lead and lead["fetchpriority"] == "high"
        assert lead["sizes"] == ROLES["lead"].sizes and " 1600w" in lead["srcset"]
    home = pictures_of(client, "/chile-sun/")
    cards = home.in_box("front-card")
    # Pictures first: the late harvest's picture is not stored yet, so it is not one.
    assert [name_of(i) for i in cards] == ["sevens", "pass", "derby"]
    assert all(i["sizes"] == ROLES["secondary"].sizes for i in cards)
    assert [i["owner"]["credits"] for i in cards] == [
        ["Photo: Sportswire/Luis Mena"], ["Photo: Wire Photos/Pedro Soto"],
        ["Photo: Sportswire/Jo Paz"]]
    sport = pictures_of(client, "/chile-sun/section/sport/")
    assert [name_of(i) for i in sport.in_box("front-lead")] == ["sevens"]


def test_the_list_shows_a_thumbnail_and_credit_where_there_is_a_picture(client, site,
                                                                         monkeypatch):
    from wiredesk.editions import selectors, views

    # A front of one lead and one card leaves two picture stories for the list.
    monkeypatch.setattr(selectors, "SECONDARY_COUNT", 1)
    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    html = client.get("/chile-sun/").content.decode()
    listed = html.split('<ol class="teasers">')[1].split("</ol>")[0]
    rows = re.findall(r'<li class="teaser teaser-row">(.*?)</li>', listed, re.S)
    assert len(rows) == 4
    for row in rows:
        pictured = "Snow closes" in row or "Derby ends" in row
        assert ('class="picture picture-thumb"' in row) == pictured, row
        assert ("Photo: " in row) == pictured
    second = pictures_of(client, "/chile-sun/?page=2")
    assert second.in_box("front-lead") == [] and second.in_box("front-card") == []
    assert [name_of(i) for i in second.in_box("teaser-row")] == ["derby"]  # no "late"
    assert second.in_box("teaser-row")[0]["sizes"] == ROLES["thumb"].sizes
    assert second.in_box("teaser-row")[0]["owner"]["credits"] == ["Photo: Sportswire/Jo Paz"]


def test_story_tag_and_article_pages_show_pictures_with_their_credits(client, site):
    article = Article.objects.get(guid="p1")
    tag = Tag.objects.get(name="Santiago")
    tagged = pictures_of(client, "/chile-sun" + tag_path(tag.key))
    assert sorted(name_of(i) for i in tagged.in_box("teaser-row")) == [
        "copper", "derby", "pass", "sevens"]
    assert all(i["owner"]["credits"] for i in tagged.in_box("teaser-row"))
    story = pictures_of(client, "/chile-sun" + story_path(article.story))
    [shown] = story.in_box("teaser-row")
    assert name_of(shown) == "copper"
    assert shown["owner"]["credits"] == ["Photo: Wire Photos/Ana Rojas"]
    page = client.get("/chile-sun" + article_path(article)).content.decode()
    figure = re.search(r'<figure class="picture picture-article">.*?</figure>', page, re.S)
    assert figure and 'src="/media/pictures/' in figure.group(0)
    assert "img.example" not in page  # the agency's address is never on a page
    assert ("Steam over a smelter at dusk. <span class=\"credit\">Photo: Wire Photos/Ana "
            "Rojas</span>") in figure.group(0)


def test_every_picture_has_a_size_its_own_alt_and_only_the_main_one_loads_at_once(
        client, site):
    # An agency's alt text that only repeats the headline is no description.
    derby = Article.objects.get(guid="p4")
    derby.image_alt = derby.headline
    derby.save()
    copper = Article.objects.get(guid="p1")
    urls = ["/chile-sun/", "/chile-sun/section/world/", "/chile-sun/section/sport/",
            "/chile-sun" + article_path(copper), "/chile-sun" + story_path(copper.story),
            "/chile-sun" + tag_path(Tag.objects.get(name="Santiago").key)]
    seen = set()
    for url in urls:
        page = pictures_of(client, url)
        assert "img.example" not in client.get(url).content.decode(), url
        assert page.images, url
        # The front's lead and the article's own picture load at once; lists wait.
        eager = [i["box"] for i in page.images if i.get("loading") != "lazy"]
        assert eager == ([] if "/story/" in url or "/tag/" in url else
                         ["story"] if "/news/" in url else ["front-lead"]), url
        for image in page.images:
            name = name_of(image, page)
            seen.add(name)
            # The box is the file's own: reserved before a byte arrives, whatever the
            # agency said (nothing for "pass").
            article = Article.objects.get(image_url=f"https://img.example/{name}.jpg")
            shown = fallback(article.picture_files())
            assert image["src"] == shown.url
            assert (image["width"], image["height"]) == (str(shown.width),
                                                         str(shown.height)), (url, image)
            headline = image["owner"]["headline"] or page.h1
            assert image["alt"] != headline.strip(), (url, image)
            assert image["alt"] == ("" if name == "derby" else article.image_alt), (url, image)
    assert seen == {"copper", "sevens", "pass", "derby"}
    assert fallback(Article.objects.get(guid="p3").picture_files()).height == 768  # 4:3
