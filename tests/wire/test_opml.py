"""OPML read and written by wire.opml: nested categories, wiredesk's attributes, refusals."""

import pytest

from wiredesk.wire import opml
from wiredesk.wire.fetch import FetchPolicy
from wiredesk.wire.types import WireError

NESTED = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0" xmlns:wiredesk="urn:wiredesk:opml:1">
  <head><title>Agency feeds</title></head>
  <body>
    <outline text="World">
      <outline text="Asia">
        <outline text="ANI top" type="rss" xmlUrl="https://ani.example/top.xml"
                 htmlUrl="https://ani.example/" wiredesk:agency="ANI"
                 wiredesk:agencyName="Asian News International" wiredesk:every="5m"
                 wiredesk:fullText="true"/>
      </outline>
      <outline title="Xinhua" type="rss" xmlUrl="https://xinhua.example/rss"
               agency="XIN" every="2h" enabled="false"/>
    </outline>
    <outline text="Loose" type="rss" xmlUrl="https://loose.example/feed"/>
    <outline text="no address" type="rss"/>
    <outline text="Bad flags" type="rss" xmlUrl="https://bad.example/f"
             wiredesk:every="often" wiredesk:fullText="perhaps"/>
  </body>
</opml>"""


def test_nested_categories_and_wiredesk_attributes_are_read():
    document = opml.read_opml(NESTED)
    assert document.title == "Agency feeds"
    ani, xinhua, loose, bad = document.outlines
    assert (ani.xml_url, ani.html_url, ani.title) == (
        "https://ani.example/top.xml", "https://ani.example/", "ANI top")
    assert ani.categories == ("World", "Asia")
    assert (ani.agency, ani.agency_name, ani.every_seconds, ani.full_text) == (
        "ANI", "Asian News International", 300, True)
    # Attributes without the namespace are read the same (some tools drop it).
    assert (xinhua.title, xinhua.agency, xinhua.every_seconds, xinhua.enabled) == (
        "Xinhua", "XIN", 7200, False)
    assert xinhua.categories == ("World",)
    assert loose.categories == () and loose.agency == "" and loose.problem == ""
    assert "wiredesk:every is 'often'" in bad.problem and "perhaps" in bad.problem
    assert len(document.problems) == 1 and "without xmlUrl" in document.problems[0]
    assert document.problems[0].startswith("line 16:")


@pytest.mark.parametrize("payload, message", [
    (b"""<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<opml version="2.0"><body><outline text="&c;" xmlUrl="https://a.example/"/></body></opml>""",
     "declares XML entities"),
    (b"""<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<opml version="2.0"><body><outline text="&x;" xmlUrl="https://a.example/"/></body></opml>""",
     "declares XML entities"),
    (b"<opml version='2.0'><body><outline xmlUrl='https://a.example/'></body>", "not well-formed"),
    (b"<rss version='2.0'><channel/></rss>", "root element is <rss>"),
    (b"<opml version='2.0'><head/></opml>", "no <body>"),
    (b"   ", "empty file"),
])
def test_hostile_and_broken_documents_are_refused_with_a_reason(payload, message):
    with pytest.raises(WireError, match=message):
        opml.read_opml(payload)


def test_deep_nesting_is_bounded_by_the_parser():
    deep = b"<opml><body>" + b"<outline text='c'>" * 5000 + b"</outline>" * 5000 + b"</body></opml>"
    with pytest.raises(WireError):
        opml.read_opml(deep)


@pytest.mark.parametrize("url, problem", [
    ("ftp://files.example/feed.xml", "only http and https"),
    ("javascript:alert(1)", "only http and https"),
    ("/etc/passwd", "only http and https"),
    ("feed.xml", "only http and https"),
    ("https://", "no host"),
    ("https://host.example:99999/feed", "not a valid URL"),
    ("https://host.example/a feed", "spaces or control"),
    ("http://10.1.2.3/feed", "private address"),
    ("http://127.1/feed", "loopback address"),
    ("http://2130706433/feed", "loopback address"),
    ("http://0x7f000001/feed", "loopback address"),
    ("http://[::1]/feed", "loopback address"),
    ("http://[::ffff:192.168.0.1]/feed", "private address"),
    ("http://169.254.169.254/latest/meta-data", "link-local address"),
    ("http://localhost:8000/feed", "local name"),
    ("http://printer.local/feed", "local name"),
    ("https://example.org/" + "a" * 1000, "characters long"),
    ("", "no xmlUrl"),
])
def test_feed_urls_that_cannot_be_web_feeds_are_named(url, problem):
    assert problem in opml.feed_url_problem(url, FetchPolicy())


def test_public_feeds_and_what_the_operator_allows_pass():
    assert opml.feed_url_problem("https://feeds.example.org/world.rss?x=1", FetchPolicy()) == ""
    assert opml.feed_url_problem("http://93.184.216.34/feed", FetchPolicy()) == ""
    allowed = FetchPolicy(["10.0.0.0/8", "feeds.intranet", "localhost"])
    assert opml.feed_url_problem("http://10.1.2.3/feed", allowed) == ""
    assert opml.feed_url_problem("http://feeds.intranet/feed", allowed) == ""
    assert opml.feed_url_problem("http://localhost:8000/feed", allowed) == ""


def test_duplicate_keys_fold_case_default_ports_and_fragments_only():
    key = opml.feed_url_key
    assert key("HTTPS://Feeds.Example.org:443/World.rss#top") == key(
        "https://feeds.example.org/World.rss")
    assert key("http://a.example:80") == key("http://a.example/")
    assert key("http://a.example:8080/x") != key("http://a.example/x")
    assert key("https://a.example/World.rss") != key("https://a.example/world.rss")
    assert key("https://a.example/f?a=1") != key("https://a.example/f?a=2")


def test_what_is_written_reads_back_the_same():
    feeds = [
        opml.FeedOutline(xml_url="https://ani.example/top.xml?a=1&b=2", title="ANI <top>",
                         html_url="https://ani.example/", agency="ANI",
                         agency_name="Asian News International", every_seconds=300,
                         full_text=True),
        opml.FeedOutline(xml_url="https://rfe.example/rss", title="RFE\x0b", agency="RFE",
                         every_seconds=90, enabled=False),
    ]
    written = opml.write_opml(feeds, title="wiredesk feeds")
    assert written.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<opml")
    assert b'xmlns:wiredesk="urn:wiredesk:opml:1"' in written
    document = opml.read_opml(written)
    ani, rfe = document.outlines
    assert (ani.xml_url, ani.title, ani.html_url, ani.agency, ani.agency_name,
            ani.every_seconds, ani.full_text, ani.enabled) == (
        "https://ani.example/top.xml?a=1&b=2", "ANI <top>", "https://ani.example/", "ANI",
        "Asian News International", 300, True, None)
    assert ani.categories == ("Asian News International",)
    assert (rfe.title, rfe.every_seconds, rfe.full_text, rfe.enabled) == (
        "RFE", 90, False, False)


@pytest.mark.parametrize("text, seconds", [
    ("90s", 90), ("10m", 600), ("2h", 7200), ("1d", 86400), ("15", 900), (" 5 m ", 300),
    ("soon", None), ("-5m", None), ("", None),
])
def test_intervals(text, seconds):
    assert opml.parse_interval(text) == seconds
    if seconds:
        assert opml.parse_interval(opml.format_interval(seconds)) == seconds
