"""Pictures stored with their articles, and agency picture items that belong to a text:
shown with the text only, following its embargo, kill and versions, whichever comes first."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import pictureserver as pics
from tests.conftest import rss
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article, PictureSource, Revision, WirePicture
from wiredesk.newsroom.services.renditions import picture_store

pytestmark = pytest.mark.django_db

NS = "http://iptc.org/std/nar/2006-10-01/"
PICTURE_URL = "https://pix.example/v.jpg"

TEXT = """<newsItem xmlns="{ns}" guid="urn:wire:text" version="{version}">
 <itemMeta><itemClass qcode="ninat:text"/><versionCreated>{updated}</versionCreated>
  <firstCreated>2025-07-12T08:00:00Z</firstCreated>{embargo}
  <pubStatus qcode="stat:{status}"/>{links}</itemMeta>
 <contentMeta><headline>{headline}</headline></contentMeta>
 <contentSet><inlineXML contenttype="application/xhtml+xml">
  <html xmlns="http://www.w3.org/1999/xhtml"><body>
  <p>FRANKFURT, July 12 (Wire) - The central bank held its rates on Saturday, officials said.</p>
  <p>Second paragraph of the rates story.</p></body></html>
 </inlineXML></contentSet></newsItem>"""

PICTURE = """<newsItem xmlns="{ns}" guid="urn:wire:pic{n}" version="{version}">
 <itemMeta><itemClass qcode="ninat:picture"/><pubStatus qcode="stat:{status}"/>{links}</itemMeta>
 <contentMeta><headline>Lagarde speaks</headline><creditline>Wire Photos/Jo Doe</creditline>
  <description role="drol:caption">{caption}</description></contentMeta>
 <contentSet><remoteContent rendition="rnd:viewImage" href="{url}" contenttype="image/jpeg"
   width="1024" height="683"/></contentSet></newsItem>"""

TO_TEXT = '<link rel="irel:associatedWith" residref="urn:wire:text"/>'


def text(*, version=1, headline="Bank holds rates", status="usable", embargo="", links="",
         updated="2025-07-12T09:00:00Z") -> str:
    return TEXT.format(ns=NS, version=version, headline=headline, status=status, links=links,
                       embargo=f"<embargoed>{embargo}</embargoed>" if embargo else "",
                       updated=updated)


def picture(*, n=1, version=1, status="usable", links=TO_TEXT,
            caption="Christine Lagarde speaks in Frankfurt.", url=PICTURE_URL) -> str:
    return PICTURE.format(ns=NS, n=n, version=version, status=status, links=links,
                          caption=caption, url=url)


def message(*items: str) -> bytes:
    return f'<newsMessage xmlns="{NS}"><itemSet>{"".join(items)}</itemSet></newsMessage>'.encode()


@pytest.fixture
def wire(tmp_path):
    agency = services.agency_ensure(code="WIRE", time_zone="Europe/Berlin")
    edition_save(name="Chile Sun", time_zone="Australia/Sydney")
    path = tmp_path / "item.xml"

    def send(data: bytes | str):
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        return services.ingest_source(str(path), agency=agency)

    return send


def page(client, article):
    store_waiting_pictures()
    return client.get(f"/chile-sun/news/{article.pk}/{article.slug}")


def store_waiting_pictures() -> None:
    """What the fetch-pictures job does once the agency's server answers (its own tests
    are in test_renditions.py): every address waiting gets a picture."""
    for source in PictureSource.objects.filter(status=PictureSource.Status.PENDING):
        picture_store(source, pics.jpeg((1024, 683)))


def shows_picture(html: str) -> bool:
    """Our own copy is shown; the agency's address never is."""
    return "/media/pictures/" in html and PICTURE_URL not in html


def everywhere(client) -> str:
    """Every public place a picture could show: the front, the feeds, the API."""
    store_waiting_pictures()
    return "".join(client.get(url).content.decode() for url in (
        "/chile-sun/", "/chile-sun/feed.rss", "/chile-sun/feed.atom", "/chile-sun/feed.json",
        "/chile-sun/sitemap-news.xml", "/api/articles?edition=chile-sun"))


def test_rss_picture_is_stored_with_caption_credit_alt_and_size(tmp_path):
    agency = services.agency_ensure(code="XIN")
    path = tmp_path / "x.rss"
    item = ("<item><title>Divers sweep titles</title><guid>x1</guid>"
            "<description>China won all four synchronized diving titles on Saturday.</description>"
            "<media:content url='https://img.example.org/d.jpg' medium='image' type='image/jpeg'"
            " width='1600' height='1067'><media:credit>Xinhua/Wang Qiaolin</media:credit>"
            "<media:description>Lin Haoyu and Qin Zixuan compete.</media:description>"
            "</media:content></item>")
    media_ns = b'<rss xmlns:media="http://search.yahoo.com/mrss/" '
    path.write_bytes(rss(item).replace(b"<rss ", media_ns))
    services.ingest_source(str(path), agency=agency)
    article = Article.objects.get()
    assert (article.image_url, article.image_caption, article.image_credit) == (
        "https://img.example.org/d.jpg", "Lin Haoyu and Qin Zixuan compete.",
        "Xinhua/Wang Qiaolin")
    assert (article.image_alt, article.image_width, article.image_height, article.image_type) == (
        "Lin Haoyu and Qin Zixuan compete.", 1600, 1067, "image/jpeg")
    # The agency rewrites the caption: the same copy, a better caption; no new revision.
    path.write_bytes(path.read_bytes().replace(b"compete.", b"compete in Chengdu."))
    assert services.ingest_source(str(path), agency=agency).updated == 1
    article.refresh_from_db()
    assert article.image_caption == "Lin Haoyu and Qin Zixuan compete in Chengdu."
    assert not Revision.objects.exists() and article.version == 1
    assert services.ingest_source(str(path), agency=agency).unchanged == 1


def test_picture_sent_with_its_text_is_not_an_article_of_its_own(client, wire):
    report = wire(message(text(), picture(links="")))  # the "Lagarde speaks"
    assert report.created == 2  # the text, and the picture kept for it
    article = Article.objects.get()
    assert article.headline == "Bank holds rates"
    assert (article.image_url, article.image_caption, article.image_credit) == (
        PICTURE_URL, "Christine Lagarde speaks in Frankfurt.", "Wire Photos/Jo Doe")
    assert article.image_alt == "Christine Lagarde speaks in Frankfurt."
    assert (article.image_width, article.image_height) == (1024, 683)
    assert article.picture_guid == "urn:wire:pic1"
    assert "Lagarde speaks" not in client.get("/chile-sun/").content.decode()
    html = page(client, article).content.decode()
    assert shows_picture(html) and "Wire Photos/Jo Doe" in html
    assert wire(message(text(), picture(links=""))).unchanged == 2


@pytest.mark.parametrize("picture_first", [True, False])
def test_picture_and_text_in_either_order(client, wire, picture_first):
    sends = [picture(), text()] if picture_first else [text(), picture()]
    for data in sends:
        wire(data)
    article = Article.objects.get()
    assert article.headline == "Bank holds rates" and article.image_url == PICTURE_URL
    assert WirePicture.objects.get().guid == "urn:wire:pic1"
    assert shows_picture(page(client, article).content.decode())


@pytest.mark.parametrize("picture_first", [True, False])
def test_text_linking_its_picture_in_either_order(wire, picture_first):
    to_picture = ('<link rel="irel:seeAlso" residref="urn:wire:pic1">'
                  '<itemClass qcode="ninat:picture"/></link>')
    sends = [picture(links=""), text(links=to_picture)]
    for data in sends if picture_first else reversed(sends):
        wire(data)
    # Picture first it was a photo story of its own until its text named it: now it is
    # held and shown with the text.
    public = Article.objects.filter(status=Article.Status.PUBLISHED)
    assert [a.headline for a in public] == ["Bank holds rates"]
    assert public.get().image_url == PICTURE_URL


def test_package_sent_after_its_text_and_picture_pairs_them(client, wire):
    package = f"""<packageItem xmlns="{NS}" guid="urn:wire:pkg" version="1">
     <itemMeta><itemClass qcode="ninat:composite"/><pubStatus qcode="stat:usable"/>
      <title>Rates package</title></itemMeta>
     <groupSet root="main"><group id="main">
      <itemRef residref="urn:wire:text"><itemClass qcode="icls:text"/></itemRef>
      <itemRef residref="urn:wire:pic1"><itemClass qcode="icls:picture"/></itemRef>
     </group></groupSet></packageItem>"""
    wire(picture(links=""))  # alone, it is a photo story
    wire(text())
    wire(package)
    text_article = Article.objects.get(guid="urn:wire:text")
    assert text_article.image_url == PICTURE_URL
    lone = Article.objects.get(guid="urn:wire:pic1")
    assert lone.status == Article.Status.HELD
    assert page(client, lone).status_code == 404


def test_picture_of_a_text_under_embargo_is_not_public(client, wire, monkeypatch):
    until = timezone.now() + timedelta(hours=2)
    wire(text(embargo=until.strftime("%Y-%m-%dT%H:%M:%SZ")))
    wire(picture())
    article = Article.objects.get()
    assert article.image_url == PICTURE_URL
    assert page(client, article).status_code == 404
    assert "/media/pictures/" not in everywhere(client)
    assert "Lagarde" not in everywhere(client)
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(hours=3))
    assert shows_picture(page(client, article).content.decode())


def test_kill_of_the_text_takes_its_picture_everywhere(client, wire):
    wire(message(text(), picture()))
    article = Article.objects.get()
    assert "/media/pictures/" in everywhere(client)
    wire(text(version=2, status="canceled"))
    assert page(client, article).status_code == 410
    assert "/media/pictures/" not in everywhere(client)
    # A new version of the picture never brings the story back or makes it an article.
    wire(picture(version=2, caption="New caption."))
    assert Article.objects.get().status == Article.Status.KILLED
    assert "/media/pictures/" not in everywhere(client)


def test_new_versions_keep_text_and_picture_together(client, wire):
    wire(message(text(), picture()))
    wire(text(version=2, headline="Bank holds rates, signals cut",
              updated="2025-07-12T11:00:00Z"))  # the new version names no picture
    article = Article.objects.get()
    assert (article.version, article.image_url) == (2, PICTURE_URL)
    wire(picture(version=2, caption="Lagarde, in Frankfurt on Saturday."))
    article.refresh_from_db()
    assert article.image_caption == "Lagarde, in Frankfurt on Saturday."
    assert wire(picture(version=1)).skipped == 1  # an older version arriving late
    article.refresh_from_db()
    assert article.image_caption == "Lagarde, in Frankfurt on Saturday."


def test_killed_picture_leaves_its_text_for_the_next_one(client, wire):
    wire(message(text(), picture(n=1), picture(n=2, url="https://pix.example/2.jpg")))
    article = Article.objects.get()
    assert article.image_url == PICTURE_URL  # the first the agency paired with it
    wire(picture(n=1, version=2, status="canceled"))
    article.refresh_from_db()
    assert article.image_url == "https://pix.example/2.jpg"
    wire(picture(n=2, version=2, status="canceled"))
    article.refresh_from_db()
    assert (article.image_url, article.picture_guid, article.image_caption) == ("", "", "")
    assert page(client, article).status_code == 200
    assert PICTURE_URL not in page(client, article).content.decode()
    assert wire(picture(n=1, version=3)).skipped == 1  # a killed picture stays killed


def test_text_with_its_own_picture_keeps_it(wire):
    own = text().replace("<p>FRANKFURT", '<p><img src="https://own.example/own.jpg" '
                                         'width="800" height="600" alt="Own"/></p><p>FRANKFURT')
    wire(message(own, picture()))
    assert Article.objects.get().image_url == "https://own.example/own.jpg"


def test_standalone_photo_item_is_a_photo_story(client, wire):
    wire(picture(links=""))
    article = Article.objects.get()
    assert article.headline == "Lagarde speaks" and article.image_url == PICTURE_URL
    assert "picture-item" in article.flags
    assert page(client, article).status_code == 200
