"""The picture of an item, from each format's own elements: one test per element."""

from datetime import UTC, datetime

import pytest

from tests.conftest import SHARED_DATA
from wiredesk.wire.formats import parse_bytes
from wiredesk.wire.normalize import normalize
from wiredesk.wire.pictures import best_picture, body_images
from wiredesk.wire.types import Media, PictureLink, WireItem

NOW = datetime(2026, 1, 1, tzinfo=UTC)
BODY = "<p>The harbour reopened to ferries on Saturday morning after the storm, officials said.</p>"


def rss(item_xml: str, *, extra_ns: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" {extra_ns}>
<channel><title>Wire</title><link>https://wire.example.org/</link><description>d</description>
<item><title>Harbour reopens</title><guid isPermaLink="false">h1</guid>
<link>https://wire.example.org/h1</link>
<description>&lt;p&gt;Short summary of the harbour story.&lt;/p&gt;</description>
<content:encoded><![CDATA[{BODY}]]></content:encoded>
{item_xml}</item></channel></rss>""".encode()


def picture_of(data: bytes, **kwargs):
    return normalize(parse_bytes(data, **kwargs).items[0], now=NOW).picture


# --- RSS: Media RSS and enclosures -----------------------------------------------------------

def test_media_content_keeps_its_description_credit_and_size_beside_a_description():
    # feedparser drops media:description when the item also has <description>: the
    # caption was lost and the alt text fell back to the headline.
    picture = picture_of(rss("""
<media:content url="https://img.example.org/ferry.jpg" medium="image" type="image/jpeg"
  width="1600" height="1067" fileSize="254000">
  <media:description>Ferries leave Circular Quay on Saturday.</media:description>
  <media:credit role="photographer">Wire Photos/Jo Doe</media:credit>
  <media:copyright>(c) Wire Photos 2025</media:copyright>
</media:content>"""))
    assert picture.url == "https://img.example.org/ferry.jpg"
    assert picture.caption == "Ferries leave Circular Quay on Saturday."
    assert picture.credit == "Wire Photos/Jo Doe"
    assert picture.alt == "Ferries leave Circular Quay on Saturday."
    assert (picture.width, picture.height, picture.length) == (1600, 1067, 254000)
    assert picture.rights == "(c) Wire Photos 2025"
    assert picture.mime_type == "image/jpeg"


def test_item_level_media_description_and_credit_apply_to_the_content():
    picture = picture_of(rss("""
<media:description>Ferry at dawn.</media:description>
<media:credit>Jo Doe</media:credit>
<media:content url="https://img.example.org/dawn.jpg" medium="image"/>"""))
    assert (picture.caption, picture.credit) == ("Ferry at dawn.", "Jo Doe")


def test_media_group_picks_the_default_rendition_with_the_groups_caption():
    picture = picture_of(rss("""
<media:group>
  <media:description>Group caption.</media:description>
  <media:content url="https://img.example.org/s.jpg" medium="image" width="320" height="200"/>
  <media:content url="https://img.example.org/m.jpg" medium="image" width="1024" height="640"
    isDefault="true"/>
  <media:content url="https://img.example.org/l.jpg" medium="image" width="1600" height="1000"/>
</media:group>"""))
    assert picture.url == "https://img.example.org/m.jpg"
    assert (picture.caption, picture.width) == ("Group caption.", 1024)


def test_media_group_without_default_picks_the_widest_a_page_can_use():
    picture = picture_of(rss("""
<media:group>
  <media:content url="https://img.example.org/s.jpg" medium="image" width="320" height="200"/>
  <media:content url="https://img.example.org/orig.jpg" medium="image" width="6000" height="4000"/>
  <media:content url="https://img.example.org/l.jpg" medium="image" width="1600" height="1000"/>
</media:group>"""))
    assert picture.url == "https://img.example.org/l.jpg"


def test_media_thumbnail_is_used_only_when_there_is_nothing_else():
    thumb = """<media:thumbnail url="https://img.example.org/t.jpg" width="150" height="100"/>"""
    picture = picture_of(rss(thumb))
    assert (picture.url, picture.width, picture.height) == ("https://img.example.org/t.jpg",
                                                            150, 100)
    picture = picture_of(rss(thumb + """
<media:content url="https://img.example.org/full.jpg" medium="image"/>"""))
    assert picture.url == "https://img.example.org/full.jpg"


def test_a_videos_poster_thumbnail_is_a_picture_its_video_is_not():
    picture = picture_of(rss("""
<media:content url="https://v.example.org/clip.mp4" medium="video" type="video/mp4">
  <media:thumbnail url="https://v.example.org/poster.jpg" width="640" height="360"/>
</media:content>"""))
    assert picture.url == "https://v.example.org/poster.jpg"


def test_enclosure_only_of_image_types_with_its_length():
    picture = picture_of(rss("""
<enclosure url="https://audio.example.org/ferry.mp3" type="audio/mpeg" length="9000"/>
<enclosure url="https://img.example.org/enc.jpg" type="image/jpeg" length="123456"/>
<media:content url="https://v.example.org/x.mp4" medium="video"/>"""))
    assert (picture.url, picture.length) == ("https://img.example.org/enc.jpg", 123456)


def test_enclosure_in_a_feed_without_media_rss():
    data = rss("""<enclosure url="https://img.example.org/plain.png" type="image/png"
        length="77"/>""").replace(b' xmlns:media="http://search.yahoo.com/mrss/"', b"")
    picture = picture_of(data)
    assert (picture.url, picture.mime_type, picture.length) == (
        "https://img.example.org/plain.png", "image/png", 77)


def test_atom_link_rel_enclosure_and_media_content():
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
<title>W</title><id>urn:w</id><updated>2025-07-12T09:00:00Z</updated>
<entry><id>urn:e1</id><title>Harbour reopens</title><updated>2025-07-12T09:00:00Z</updated>
<link rel="alternate" href="https://wire.example.org/e1"/>
<link rel="enclosure" type="image/jpeg" href="https://img.example.org/atom.jpg" length="500"/>
<summary>The harbour reopened to ferries on Saturday morning, officials said.</summary>
</entry>
<entry><id>urn:e2</id><title>Second</title><updated>2025-07-12T09:00:00Z</updated>
<media:content url="https://img.example.org/atom2.jpg" medium="image">
 <media:description>Atom caption</media:description></media:content>
<summary>The harbour reopened to ferries on Saturday morning, officials said.</summary>
</entry></feed>"""
    first, second = (normalize(i, now=NOW).picture for i in parse_bytes(atom).items)
    assert (first.url, first.length) == ("https://img.example.org/atom.jpg", 500)
    assert (second.url, second.caption) == ("https://img.example.org/atom2.jpg", "Atom caption")


def test_ill_formed_feed_still_gives_its_picture():
    data = rss("""<media:content url="https://img.example.org/broken.jpg" medium="image"
        width="800" height="600"><media:credit>Jo</media:credit></media:content>
        <p>unclosed""").replace(b"</item>", b"</item><junk>")
    picture = picture_of(data)
    assert (picture.url, picture.width, picture.credit) == (
        "https://img.example.org/broken.jpg", 800, "Jo")


# --- <img> in the copy ------------------------------------------------------------------------

def test_first_meaningful_body_image_with_its_alt_and_figcaption():
    body = ('<p><img src="https://t.example.org/pixel.gif" width="1" height="1"></p>'
            '<p><img src="https://feeds.feedburner.com/~r/wire/~4/abc"></p>'
            '<p><img src="https://cdn.example.org/avatar.png" width="48" height="48"></p>'
            '<figure><img src="https://cdn.example.org/harbour.jpg" alt="Ferries at the wharf"'
            ' width="1200" height="800"><figcaption>The wharf on <b>Saturday</b>.</figcaption>'
            '</figure>'
            '<p>The harbour reopened to ferries on Saturday morning after the storm.</p>'
            '<p><img src="https://cdn.example.org/second.jpg" alt="second"></p>')
    item = WireItem(title="Harbour reopens", guid="b1", body=body)
    clean = normalize(item, now=NOW)
    picture = clean.picture
    assert picture.url == "https://cdn.example.org/harbour.jpg"
    assert (picture.alt, picture.caption) == ("Ferries at the wharf", "The wharf on Saturday.")
    assert (picture.width, picture.height) == (1200, 800)
    # Shown above the copy: not a second time inside it; the other images stay.
    assert "harbour.jpg" not in clean.body_html and "<figcaption>" not in clean.body_html
    assert "second.jpg" in clean.body_html


def test_feed_picture_wins_over_one_in_the_copy():
    item = WireItem(title="Harbour reopens", guid="b2",
                    body='<p><img src="https://cdn.example.org/inline.jpg"></p>' + BODY,
                    media=[Media(url="https://img.example.org/feed.jpg")])
    clean = normalize(item, now=NOW)
    assert clean.picture.url == "https://img.example.org/feed.jpg"
    assert "inline.jpg" in clean.body_html


def test_body_images_skip_web_bugs_and_icons():
    found = body_images('<img src="https://stats.wordpress.com/b.gif?x=1">'
                        '<img src="https://x.example/a.jpg" width="1px" height="1px">'
                        '<img src="data:image/png;base64,AAAA">'
                        '<img src="https://x.example/icon.png" width="32" height="32">'
                        '<img src="https://x.example/real.jpg" title="Real one">')
    assert [(f.media.url, f.media.alt) for f in found] == [("https://x.example/real.jpg",
                                                            "Real one")]


# --- Alt text and credit -----------------------------------------------------------------------

def test_alt_text_is_never_the_headline():
    picture = best_picture([Media(url="https://x.example/p.jpg", alt="Harbour reopens",
                                  caption="Harbour reopens")], headline="Harbour reopens")
    assert picture.alt == ""
    picture = best_picture([Media(url="https://x.example/p.jpg", alt="Harbour Reopens.",
                                  caption="Ferries at the wharf")], headline="Harbour reopens")
    assert picture.alt == "Ferries at the wharf"


def test_long_caption_makes_a_shorter_alt_text():
    caption = "Ferries leave the wharf " * 30
    picture = best_picture([Media(url="https://x.example/p.jpg", caption=caption)])
    assert len(picture.alt) <= 253 and picture.alt.endswith("...")
    assert picture.caption == caption.strip()


def test_photo_credit_in_the_copy_credits_a_picture_that_brought_none():
    item = WireItem(title="Rookie scores 31", guid="c1",
                    body="<p>(Photo credit: Lucas Pereira-Imagn Images)</p>" + BODY,
                    media=[Media(url="https://img.example.org/rookie.jpg")])
    clean = normalize(item, now=NOW)
    assert clean.picture.credit == "Lucas Pereira-Imagn Images"
    assert clean.image_credit == "Lucas Pereira-Imagn Images"


def test_tracking_pixel_from_a_feed_is_not_a_picture_and_odd_sizes_are_dropped():
    assert best_picture([Media(url="https://x.example/p.gif", width=1, height=1)]) is None
    picture = best_picture([Media(url="https://x.example/p.jpg", width=800)])
    assert (picture.width, picture.height) == (None, None)  # half a size is no size
    assert best_picture([Media(url="javascript:alert(1)")]) is None
    assert best_picture([Media(url="https://x.example/v.mp4", mime_type="video/mp4")]) is None


def test_picture_fields_lose_the_characters_xml_forbids():
    item = WireItem(title="Harbour reopens", guid="x1", body=BODY,
                    media=[Media(url="https://img.example.org/p.jpg", caption="Wave\x0cs\ufffe",
                                 credit="Jo\x00 Doe", alt="Al\x0bt", rights="\x01(c) Wire")])
    picture = normalize(item, now=NOW).picture
    assert (picture.caption, picture.credit, picture.alt, picture.rights) == (
        "Waves", "Jo Doe", "Alt", "(c) Wire")


# --- JSON Feed -------------------------------------------------------------------------------

def test_json_feed_image_then_attachments_then_banner():
    data = b"""{"version": "https://jsonfeed.org/version/1.1", "title": "J",
      "feed_url": "https://j.example/feed.json", "items": [
      {"id": "1", "title": "A", "content_html": "<p>Body of the first item, long enough.</p>",
       "banner_image": "https://j.example/banner.jpg",
       "attachments": [{"url": "/att.png", "mime_type": "image/png", "title": "Att caption",
                        "size_in_bytes": 2048}]},
      {"id": "2", "title": "B", "content_html": "<p>Body of the second item, long enough.</p>",
       "image": "https://j.example/main.jpg", "banner_image": "https://j.example/b2.jpg"}]}"""
    first, second = (normalize(i, now=NOW).picture for i in parse_bytes(data).items)
    assert (first.url, first.caption, first.length, first.mime_type) == (
        "https://j.example/att.png", "Att caption", 2048, "image/png")
    assert second.url == "https://j.example/main.jpg"


# --- NITF ------------------------------------------------------------------------------------

NITF = b"""<nitf><head><docdata><doc-id id-string="AAP.9"/>
<date.issue norm="20250712T093000+1000"/></docdata></head>
<body><body.head><hedline><hl1>Harbour reopens</hl1></hedline></body.head><body.content>
<p>SYDNEY, July 12 AAP - Sydney Harbour reopened to ferries on Saturday morning.</p>
<media media-type="video"><media-reference source="https://v.example/clip.mp4"/></media>
<media media-type="image">
 <media-reference source="ferry.jpg" mime-type="image/jpeg" alternate-text="A ferry at the wharf"
   width="640" height="427" copyright="AAP 2025"/>
 <media-caption>Ferries return to the harbour.</media-caption>
 <media-producer>AAP Image/Dan Himbrechts</media-producer></media>
</body.content></body></nitf>"""


def test_nitf_media_reference_caption_producer_alt_size_and_rights():
    picture = picture_of(NITF, base_url="https://feeds.aap.example/nitf/item.xml")
    assert picture.url == "https://feeds.aap.example/nitf/ferry.jpg"
    assert (picture.caption, picture.credit, picture.alt) == (
        "Ferries return to the harbour.", "AAP Image/Dan Himbrechts", "A ferry at the wharf")
    assert (picture.width, picture.height, picture.rights) == (640, 427, "AAP 2025")


# --- NewsML-G2 -------------------------------------------------------------------------------

G2_PICTURE = """<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:pic:{guid}"
  version="1" standard="NewsML-G2">
 <rightsInfo><copyrightNotice>(c) Wire Photos 2025</copyrightNotice>
  <usageTerms xml:lang="de">Nur redaktionell</usageTerms>
  <usageTerms xml:lang="en">Editorial use only</usageTerms></rightsInfo>
 <itemMeta><itemClass qcode="ninat:picture"/><pubStatus qcode="stat:usable"/>{links}</itemMeta>
 <contentMeta><headline>Lagarde speaks</headline><creditline>Wire Photos/Jo Doe</creditline>
  <description role="drol:alternativeText">Christine Lagarde at a lectern</description>
  <description role="drol:caption">Christine Lagarde speaks in Frankfurt.</description>
 </contentMeta>
 <contentSet>
  <remoteContent rendition="rnd:thumbnail" href="https://pix.example/t.jpg"
    contenttype="image/jpeg" width="150" height="100" size="5000"/>
  <remoteContent rendition="rnd:viewImage" href="https://pix.example/v.jpg"
    contenttype="image/jpeg" width="1024" height="683" size="170597"/>
 </contentSet>
</newsItem>"""

G2_TEXT = """<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:text:{guid}"
  version="1" standard="NewsML-G2">
 <itemMeta><itemClass qcode="ninat:text"/><pubStatus qcode="stat:usable"/>{links}</itemMeta>
 <contentMeta><headline>ECB holds rates</headline></contentMeta>
 <contentSet><inlineXML contenttype="application/xhtml+xml">
  <html xmlns="http://www.w3.org/1999/xhtml"><body>
  <p>FRANKFURT, July 12 (Wire) - The European Central Bank held its rates on Saturday.</p>
  </body></html></inlineXML></contentSet>
</newsItem>"""


def message(*items: str) -> bytes:
    return ('<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet>'
            + "".join(items) + "</itemSet></newsMessage>").encode()


def g2_picture(guid="1", links=""):
    return G2_PICTURE.format(guid=guid, links=links)


def g2_text(guid="1", links=""):
    return G2_TEXT.format(guid=guid, links=links)


def test_newsml_g2_picture_rendition_size_rights_alt_and_caption():
    item = parse_bytes(g2_picture().encode()).items[0]
    assert item.item_class == "picture"
    picture = normalize(item, now=NOW).picture
    assert picture.url == "https://pix.example/v.jpg"
    assert (picture.width, picture.height, picture.length) == (1024, 683, 170597)
    assert picture.alt == "Christine Lagarde at a lectern"
    assert picture.caption == "Christine Lagarde speaks in Frankfurt."
    assert picture.credit == "Wire Photos/Jo Doe"
    assert picture.rights == "(c) Wire Photos 2025 Editorial use only"


def test_newsml_g2_picture_sent_with_its_one_text_belongs_to_it():
    text, picture = parse_bytes(message(g2_text(), g2_picture())).items
    pair = PictureLink(picture_guid="urn:pic:1", text_guid="urn:text:1")
    assert text.picture_links == [pair] and picture.picture_links == [pair]
    assert normalize(picture, now=NOW).picture_links == [pair]


def test_newsml_g2_loose_pictures_beside_two_texts_belong_to_neither():
    items = parse_bytes(message(g2_text("1"), g2_text("2"), g2_picture())).items
    assert all(item.picture_links == [] for item in items)


def test_newsml_g2_picture_links_itself_to_its_text():
    links = '<link rel="irel:associatedWith" residref="urn:text:9"/>'
    picture = parse_bytes(g2_picture(links=links).encode()).items[0]
    assert picture.picture_links == [PictureLink("urn:pic:1", "urn:text:9")]


def test_newsml_g2_text_links_to_its_picture_and_ignores_other_relations():
    links = ('<link rel="irel:seeAlso" residref="urn:pic:5"><itemClass qcode="ninat:picture"/>'
             '</link><link rel="irel:seeAlso" href="https://example.com/page"/>'
             '<link rel="irel:derivedFrom" residref="urn:pic:6"/>')
    text = parse_bytes(g2_text(links=links).encode()).items[0]
    assert text.picture_links == [PictureLink("urn:pic:5", "urn:text:1")]


def test_newsml_g2_package_group_pairs_its_pictures_with_its_text():
    package = """<packageItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:pkg">
     <itemMeta><itemClass qcode="ninat:composite"/><pubStatus qcode="stat:usable"/>
      <title>ECB package</title></itemMeta>
     <groupSet root="root"><group id="root"><groupRef idref="main"/><groupRef idref="side"/></group>
      <group id="main">
       <itemRef residref="urn:text:1"><itemClass qcode="icls:text"/></itemRef>
       <itemRef residref="urn:pic:1"><itemClass qcode="icls:picture"/></itemRef>
       <itemRef residref="urn:pic:2"><itemClass qcode="icls:picture"/></itemRef></group>
      <group id="side">
       <itemRef residref="urn:text:2"><itemClass qcode="icls:text"/></itemRef>
       <itemRef residref="urn:text:3"><itemClass qcode="icls:text"/></itemRef>
       <itemRef residref="urn:pic:3"><itemClass qcode="icls:picture"/></itemRef></group>
     </groupSet></packageItem>"""
    item = parse_bytes(package.encode()).items[0]
    assert item.picture_links == [PictureLink("urn:pic:1", "urn:text:1"),
                                  PictureLink("urn:pic:2", "urn:text:1")]


def test_newsml_g2_package_in_one_message_pairs_by_the_items_own_classes():
    package = ('<packageItem guid="urn:pkg"><itemRef residref="urn:text:1"/>'
               '<itemRef residref="urn:pic:1"/></packageItem>')
    pkg, text, picture = parse_bytes(message(package, g2_text(), g2_picture())).items
    pair = PictureLink("urn:pic:1", "urn:text:1")
    assert pkg.picture_links == text.picture_links == picture.picture_links == [pair]


def test_newsml_g2_video_file_is_not_a_picture():
    video = g2_picture().replace("ninat:picture", "ninat:video").replace(
        'contenttype="image/jpeg"', "").replace("/v.jpg", "/v.mp4").replace("/t.jpg", "/t.mov")
    assert normalize(parse_bytes(video.encode()).items[0], now=NOW).picture is None


# --- The agencies' own files (../shared/data) ----------------------------------------------------

WIRE = SHARED_DATA / "wire-formats"
_absent = pytest.mark.skipif(not WIRE.is_dir(), reason=f"{WIRE} is absent")


def needs_data(test):
    return pytest.mark.shared_data(_absent(test))


@needs_data
def test_reuters_picture_item_size_and_rights():
    data = (WIRE / "superdesk/newsml-g2/picture.xml").read_bytes()
    picture = normalize(parse_bytes(data).items[0], now=NOW).picture
    assert "VIEWIMAGE" in picture.url and (picture.width, picture.height) == (640, 417)
    assert picture.length == 170597 and picture.rights.startswith("(c) Copyright Thomson Reuters")
    assert picture.alt.startswith("A woman casts her ballot")  # the caption, not the headline


@needs_data
def test_reuters_package_pairs_three_pictures_with_its_main_text():
    data = (WIRE / "superdesk/newsml-g2/tag_reuters.com_2014_newsml_KBN0FL0NM_version_10.xml")
    package = parse_bytes(data.read_bytes()).items[0]
    assert {link.text_guid for link in package.picture_links} == {
        "tag_reuters.com_2014_newsml_KBN0FL0NN"}
    assert len(package.picture_links) == 3


@needs_data
def test_iptc_photo_relative_rendition_is_read_against_the_documents_address():
    data = (WIRE / "iptc-newsml-g2/examples/LISTING_3_Photo_in_NewsML-G2.xml").read_bytes()
    picture = picture_of(data, base_url="https://photos.example/g2/item.xml")
    assert picture.url == "https://photos.example/g2/GYI0062134533.jpg"
    assert (picture.width, picture.height, picture.credit) == (1500, 1001, "Getty Images")


def test_web_bugs_leave_the_copy_pictures_stay():
    body = ('<p>The harbour reopened to ferries on Saturday morning after the storm.</p>'
            '<p><img src="https://t.example.org/a.gif" width="1" height="1"></p>'
            '<img src="https://stats.wordpress.com/b.gif?x=1">'
            '<img src="https://x.example/open.gif" width="2px">'
            '<p>Second paragraph <img src="https://cdn.example.org/pixel.png"> of the copy.</p>'
            '<p><img src="https://cdn.example.org/chart.png" width="600" height="400"></p>')
    clean = normalize(WireItem(title="Harbour reopens", guid="w1", body=body,
                               media=[Media(url="https://img.example.org/feed.jpg")]), now=NOW)
    assert "<img" not in clean.body_html.replace(
        '<img src="https://cdn.example.org/chart.png" width="600" height="400">', "")
    assert "chart.png" in clean.body_html
    assert "<p>Second paragraph  of the copy.</p>" in clean.body_html
    assert "<p></p>" not in clean.body_html
