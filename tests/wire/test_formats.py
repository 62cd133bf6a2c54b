"""One test group per adapter, on documents written for these tests."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from wiredesk.wire.formats import detect_format, parse_bytes
from wiredesk.wire.normalize import normalize
from wiredesk.wire.pipeline import process
from wiredesk.wire.types import WireError

# --- RSS / Atom -------------------------------------------------------------------------

RSS_MEDIA = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Wire</title><link>https://wire.example.org/</link><description>d</description>
<item><title>Storm hits coast</title><guid isPermaLink="false">s1</guid>
<link>/news/storm</link>
<dc:creator>Ana Lima</dc:creator>
<category>World</category><category>Weather</category>
<pubDate>Sat, 12 Jul 2025 09:00:00</pubDate>
<description>&lt;p&gt;A storm hit the coast on Saturday, officials said, closing roads.&lt;/p&gt;</description>
<media:content url="https://img.example.org/storm.jpg" medium="image" type="image/jpeg">
  <media:description>Waves over the sea wall</media:description>
  <media:credit>Jo Bloggs/Wire Photos</media:credit>
</media:content>
<enclosure url="https://img.example.org/storm2.jpg" type="image/jpeg" length="1"/>
<enclosure url="https://audio.example.org/storm.mp3" type="audio/mpeg" length="1"/>
</item></channel></rss>"""


def test_rss_media_enclosures_authors_categories():
    result = parse_bytes(RSS_MEDIA, base_url="https://wire.example.org/feed.xml")
    item = result.items[0]
    assert result.format == "rss20"
    assert item.authors == ["Ana Lima"]
    assert item.categories == ["World", "Weather"]
    assert [m.url for m in item.media] == ["https://img.example.org/storm.jpg",
                                           "https://img.example.org/storm2.jpg"]
    assert item.media[0].credit == "Jo Bloggs/Wire Photos"
    assert item.media[0].caption == "Waves over the sea wall"
    assert item.link == "https://wire.example.org/news/storm"  # relative link resolved


def test_rss_date_without_zone_is_read_in_the_agency_zone():
    item = parse_bytes(RSS_MEDIA).items[0]
    assert item.naive_dates is True
    assert item.published == datetime(2025, 7, 12, 9, 0)  # wall clock, no zone
    clean = normalize(item, zone="Australia/Sydney", now=datetime(2026, 1, 1, tzinfo=UTC))
    assert clean.published == datetime(2025, 7, 11, 23, 0, tzinfo=UTC)
    with_zone = RSS_MEDIA.replace(b"09:00:00</pubDate>", b"09:00:00 GMT</pubDate>")
    item = parse_bytes(with_zone).items[0]
    assert item.naive_dates is False
    assert normalize(item, zone="Australia/Sydney").published == datetime(
        2025, 7, 12, 9, 0, tzinfo=UTC)


def test_gmt_plus_offsets_are_understood():
    data = RSS_MEDIA.replace(b"Sat, 12 Jul 2025 09:00:00", b"12 Jul 2025, 05:14 GMT+10")
    item = parse_bytes(data).items[0]
    clean = normalize(item, zone="Europe/Paris", now=datetime(2026, 1, 1, tzinfo=UTC))
    assert clean.published == datetime(2025, 7, 11, 19, 14, tzinfo=UTC)


ATOM_BASE = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://agency.example.com/en/">
<title>Atom wire</title><id>urn:x</id><updated>2025-07-12T10:00:00Z</updated>
<entry xml:base="stories/">
 <title type="html">Markets &lt;em&gt;rally&lt;/em&gt;</title>
 <id>tag:agency.example.com,2025:1</id>
 <link rel="alternate" href="rally.html"/>
 <link rel="enclosure" type="image/png" href="/pics/rally.png"/>
 <author><name>Kim Park</name></author><author><name>Lee Cho</name></author>
 <category term="Business"/>
 <published>2025-07-12T08:00:00+02:00</published>
 <updated>2025-07-12T09:30:00+02:00</updated>
 <content type="html">&lt;p&gt;Shares rose &lt;a href="../more.html"&gt;sharply&lt;/a&gt; today in
 early trading across the region.&lt;/p&gt;</content>
</entry></feed>"""


def test_atom_xml_base_authors_and_dates():
    item = parse_bytes(ATOM_BASE).items[0]
    assert item.link == "https://agency.example.com/en/stories/rally.html"
    assert item.media[0].url == "https://agency.example.com/pics/rally.png"
    assert item.authors == ["Kim Park", "Lee Cho"]
    assert item.categories == ["Business"]
    assert 'href="https://agency.example.com/en/more.html"' in item.body
    assert item.published == datetime(2025, 7, 12, 6, 0, tzinfo=UTC)
    assert item.updated == datetime(2025, 7, 12, 7, 30, tzinfo=UTC)
    clean = normalize(item, now=datetime(2026, 1, 1, tzinfo=UTC))
    assert clean.headline == "Markets rally"
    assert clean.byline == "Kim Park, Lee Cho"


def test_atom03_and_rss1_are_read():
    atom03 = (b'<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>t</title>'
              b"<entry><title>Old atom</title><id>a1</id><issued>2004-01-01T00:00:00Z</issued>"
              b"<content>Body text</content></entry></feed>")
    assert parse_bytes(atom03).items[0].title == "Old atom"
    rdf = (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
           b'xmlns="http://purl.org/rss/1.0/"><channel rdf:about="x"><title>c</title></channel>'
           b'<item rdf:about="https://e.org/1"><title>RSS one</title>'
           b"<link>https://e.org/1</link></item></rdf:RDF>")
    assert parse_bytes(rdf).items[0].title == "RSS one"


# --- JSON Feed ---------------------------------------------------------------------------

def test_json_feed_1_1_and_1_0():
    v11 = b"""{"version": "https://jsonfeed.org/version/1.1", "title": "J",
      "authors": [{"name": "Desk"}], "language": "en",
      "items": [{"id": 7, "url": "https://j.example/7", "title": "Seven",
        "content_html": "<p>Seven things happened today and all were reported.</p>",
        "date_published": "2025-07-12T10:00:00+01:00", "tags": ["World"],
        "image": "https://j.example/7.jpg"}]}"""
    result = parse_bytes(v11)
    item = result.items[0]
    assert (result.format, item.guid, item.authors, item.language) == (
        "jsonfeed11", "7", ["Desk"], "en")
    assert item.published == datetime(2025, 7, 12, 10, tzinfo=timezone(timedelta(hours=1)))
    assert item.media[0].url == "https://j.example/7.jpg"
    v10 = b"""{"version": "https://jsonfeed.org/version/1", "title": "J",
      "items": [{"id": "a", "content_text": "Plain text body.\\n\\nSecond paragraph.",
        "author": {"name": "Solo"}, "date_published": "2025-07-12T10:00:00"}]}"""
    item = parse_bytes(v10).items[0]
    assert item.authors == ["Solo"] and item.naive_dates
    assert normalize(item).body_html.count("<p>") == 2


def test_json_that_is_not_a_feed_is_a_clear_error():
    with pytest.raises(WireError, match="JSON"):
        parse_bytes(b'{"version": "https://jsonfeed.org/version/1", "items": 3}')


# --- NewsML-G2 ---------------------------------------------------------------------------

G2 = """<?xml version="1.0" encoding="UTF-8"?>
<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><header><sent>2025-07-12T10:00:00Z</sent></header>
<itemSet>
<newsItem guid="urn:newsml:wire.example:20250712:rates" version="{version}" standard="NewsML-G2" xml:lang="en">
 <itemMeta><itemClass qcode="ninat:text"/><provider qcode="nprov:WIRE"/>
  <versionCreated>2025-07-12T09:30:00Z</versionCreated>
  <firstCreated>2025-07-12T08:00:00Z</firstCreated>
  {embargo}
  <pubStatus qcode="stat:{status}"/>
  <signal qcode="sig:{signal}"/>
 </itemMeta>
 <contentMeta>
  <urgency>3</urgency>
  <located><name>Frankfurt</name></located>
  <subject qcode="medtop:04000000"><name>economy, business and finance</name></subject>
  <by>Hans Weber</by>
  <slugline>ECB-RATES</slugline>
  <headline>ECB holds rates</headline>
  <dateline>FRANKFURT, July 12 (Wire) -</dateline>
 </contentMeta>
 <contentSet><inlineXML contenttype="application/xhtml+xml">
  <html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title></head><body>
   <p>FRANKFURT, July 12 (Wire) - The European Central Bank held its rates on Saturday.</p>
   <p>Second paragraph of the story.</p></body></html>
 </inlineXML></contentSet>
</newsItem>
<newsItem guid="urn:newsml:wire.example:20250712:pic" version="1" standard="NewsML-G2">
 <itemMeta><itemClass qcode="ninat:picture"/><pubStatus qcode="stat:usable"/></itemMeta>
 <contentMeta><headline>Lagarde speaks</headline><creditline>Wire Photos/Jo Doe</creditline>
  <description role="drol:caption">Christine Lagarde speaks in Frankfurt.</description></contentMeta>
 <contentSet>
  <remoteContent rendition="rnd:thumbnail" href="https://pix.example/t.jpg" contenttype="image/jpeg"/>
  <remoteContent rendition="rnd:viewImage" href="https://pix.example/v.jpg" contenttype="image/jpeg"/>
 </contentSet>
</newsItem>
</itemSet></newsMessage>"""


def g2(version=1, status="usable", signal="update", embargo=""):
    return G2.format(version=version, status=status, signal=signal, embargo=embargo).encode()


def test_a_feed_that_breaks_the_feed_parser_is_a_clear_error():
    # feedparser's GeoRSS handler raises KeyError on a GML position outside georss:where
    # (found by tests/wire/test_fuzz_corpus.py from feedparser's own test feed).
    feed = (b'<feed xmlns="http://www.w3.org/2005/Atom" xmlns:gml="http://www.opengis.net/gml"'
            b' xmlns:georss="http://www.georss.org/georss"><entry><title>Quake</title>'
            b"<georss:where><gml:Point><gml:pos>36.9 31.1</gml:pos></gml:Point></georss:where>"
            b"</entry><entry><title>Aftershock</title><gml:pos>1 2</gml:pos></entry></feed>")
    with pytest.raises(WireError, match=r"feed parser failed.*KeyError"):
        parse_bytes(feed)


def test_newsml_g2_text_item():
    assert detect_format(g2()) == "newsml_g2"
    result = parse_bytes(g2(version=4))
    text, _picture = result.items
    assert (text.title, text.byline, text.slugline, text.version, text.urgency) == (
        "ECB holds rates", "Hans Weber", "ECB-RATES", 4, 3)
    assert text.signal == "update"
    assert text.categories == ["economy, business and finance"]
    assert text.published == datetime(2025, 7, 12, 8, tzinfo=UTC)
    assert text.updated == datetime(2025, 7, 12, 9, 30, tzinfo=UTC)
    clean = normalize(text, now=datetime(2026, 1, 1, tzinfo=UTC))
    assert clean.lead == "The European Central Bank held its rates on Saturday."
    assert clean.dateline_place == "FRANKFURT"
    assert "<title>" not in clean.body_html and "x" not in clean.body_html.split("<p>")[0]


def test_newsml_g2_picture_rendition_and_credit():
    picture = parse_bytes(g2()).items[1]
    assert picture.media[0].url == "https://pix.example/v.jpg"
    assert picture.media[0].credit == "Wire Photos/Jo Doe"
    clean = normalize(picture)
    assert clean.body_html == "<p>Christine Lagarde speaks in Frankfurt.</p>"
    assert clean.image_credit == "Wire Photos/Jo Doe"


def test_newsml_g2_canceled_correction_and_embargo():
    assert parse_bytes(g2(status="canceled")).items[0].status == "canceled"
    assert parse_bytes(g2(signal="correction")).items[0].signal == "correction"
    item = parse_bytes(g2(embargo="<embargoed>2025-07-13T06:00:00Z</embargoed>")).items[0]
    assert item.embargo_until == datetime(2025, 7, 13, 6, tzinfo=UTC)


def test_newsml_g2_package_lists_its_items():
    package = b"""<packageItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:p1" version="2">
      <itemMeta><itemClass qcode="ninat:composite"/><pubStatus qcode="stat:usable"/>
        <title>Top news</title></itemMeta>
      <groupSet root="G1"><group id="G1">
        <itemRef residref="urn:a"><title>First story</title><description>About one</description></itemRef>
        <itemRef residref="urn:b"><title>Second story</title></itemRef>
      </group></groupSet></packageItem>"""
    item = parse_bytes(package).items[0]
    assert item.title == "Top news" and item.version == 2
    assert "First story: About one" in item.body and "Second story" in item.body


def test_newsml_g2_inline_nitf_body():
    data = b"""<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:n" version="1">
      <itemMeta><pubStatus qcode="stat:usable"/></itemMeta><contentMeta/>
      <contentSet><inlineXML contenttype="application/nitf+xml">
      <nitf xmlns="http://iptc.org/std/NITF/2006-10-18/"><body><body.head>
      <hedline><hl1>Inline NITF headline</hl1></hedline><byline>By Sam Roe</byline></body.head>
      <body.content><p>PARIS (AFP) - Paragraph one of the inline story is here.</p></body.content>
      </body></nitf></inlineXML></contentSet></newsItem>"""
    item = parse_bytes(data).items[0]
    clean = normalize(item)
    assert clean.headline == "Inline NITF headline"
    assert clean.byline == "Sam Roe"
    assert clean.dateline_agencies == ["AFP"]


# --- NITF --------------------------------------------------------------------------------

NITF = b"""<?xml version="1.0" encoding="iso-8859-1"?>
<!DOCTYPE nitf SYSTEM "nitf-3-4.dtd">
<nitf version="-//IPTC//DTD NITF 3.4//EN">
<head><title>Harbour reopens</title>
<tobject><tobject.subject tobject.subject.matter="Transport"/></tobject>
<docdata management-status="%(status)s">
 <doc-id id-string="AAP.1234"/><urgency ed-urg="2"/>
 <date.issue norm="20250712T093000+1000"/>
 <date.release norm="%(release)s"/>
 <du-key version="3"/>
</docdata></head>
<body><body.head><hedline><hl1>Harbour reopens after storm</hl1></hedline>
<byline>By <person>Mia Chen</person><byttl>Transport Reporter</byttl></byline>
<dateline><location>SYDNEY</location><story.date norm="20250712T0930">July 12</story.date></dateline>
</body.head>
<body.content><p>SYDNEY, July 12 AAP - Sydney Harbour reopened to ferries on Saturday morning.</p>
<p>Caf\xe9 owners welcomed the news.</p>
<media media-type="image"><media-reference source="https://pix.example/h.jpg" mime-type="image/jpeg"/>
<media-caption>Ferries return</media-caption><media-producer>AAP Image</media-producer></media>
</body.content></body></nitf>"""


def nitf(status="usable", release="20250712T093000+1000"):
    return NITF % {b"status": status.encode(), b"release": release.encode()}


def test_nitf_fields():
    assert detect_format(nitf()) == "nitf"
    item = parse_bytes(nitf()).items[0]
    assert (item.title, item.guid, item.urgency, item.version) == (
        "Harbour reopens after storm", "AAP.1234", 2, 3)
    assert item.byline == "Mia Chen" and item.dateline == "SYDNEY"
    assert item.categories == ["Transport"]
    assert item.published == datetime(2025, 7, 11, 23, 30, tzinfo=UTC)
    assert item.media[0].credit == "AAP Image"
    clean = normalize(item, now=datetime(2026, 1, 1, tzinfo=UTC))
    assert "Café owners" in clean.body_html  # iso-8859-1 decoded as declared
    assert clean.lead == "Sydney Harbour reopened to ferries on Saturday morning."
    assert clean.dateline_agencies == ["AAP"]


def test_nitf_management_status_and_embargo():
    assert parse_bytes(nitf(status="canceled")).items[0].status == "canceled"
    embargoed = parse_bytes(nitf(status="embargoed", release="20250713T060000Z")).items[0]
    assert embargoed.embargo_until == datetime(2025, 7, 13, 6, tzinfo=UTC)
    assert embargoed.status == "usable"


# --- HTML pages --------------------------------------------------------------------------

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Bridge opens to traffic | City Paper</title>
<meta property="og:title" content="Bridge opens to traffic">
<meta name="author" content="Rosa Diaz">
<meta property="article:published_time" content="2025-07-12T08:00:00+00:00">
</head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Bridge opens to traffic</h1>
<p>The new bridge over the river opened to traffic on Saturday after four years of
building work, the city’s mayor said at a ceremony attended by hundreds.</p>
<p>Drivers queued from dawn to be among the first to cross, and the mayor called the
bridge “a promise kept” to the people of the eastern districts.</p>
<p>Engineers said the structure was built to last a hundred years and would carry more
than forty thousand vehicles a day once the approach roads are finished.</p>
</article><aside>Subscribe to our newsletter for the best deals!</aside>
<footer>Copyright City Paper</footer></body></html>"""


def test_html_page_body_and_metadata():
    data = PAGE.encode()
    assert detect_format(data) == "html_page"
    item = parse_bytes(data, base_url="https://city.example/bridge").items[0]
    assert item.title == "Bridge opens to traffic"
    assert item.authors == ["Rosa Diaz"]
    assert item.published.date().isoformat() == "2025-07-12"
    clean = normalize(item, now=datetime(2026, 1, 1, tzinfo=UTC))
    assert "“a promise kept”" in clean.body_html
    assert "city’s mayor" in clean.lead
    assert "newsletter" not in clean.body_html and "Home" not in clean.body_html


def test_html_without_article_is_an_error():
    with pytest.raises(WireError):
        parse_bytes(b"<html><body><p>Login</p></body></html>")


def test_feed_poll_of_html_page_reads_it_but_rss_wins_when_both_match():
    assert detect_format(b"<?xml version='1.0'?><rss version='2.0'><channel/></rss>") == "rss_atom"
    assert detect_format(b"<!-- c --><html><body></body></html>") == "html_page"


def test_pipeline_counts_items_and_errors():
    result = process(nitf())
    assert result.format == "nitf" and len(result.items) == 1 and not result.errors
