from datetime import UTC, datetime

from tests.conftest import rss, rss_item
from wiredesk.wire.normalize import normalize
from wiredesk.wire.pipeline import process


def test_script_in_title_and_body_is_neutralized():
    data = rss(rss_item("x1", "Hello &lt;script&gt;alert(1)&lt;/script&gt; world",
                        "<p>Body <script>alert(2)</script><img src=x onerror=alert(3)> ok</p>"))
    item = process(data).items[0]
    assert "<script" not in item.headline.lower() or "&lt;" not in item.headline
    assert "<script" not in item.body_html
    assert "onerror" not in item.body_html
    assert "alert(2)" not in item.body_html


def test_curly_quotes_and_link_spacing_survive():
    data = rss(rss_item("x2", "Russia’s “fleet” grows",
                        '<p>A classified <a href="https://example.org/r">EU report</a> said '
                        "Russia’s fleet grew, and the EU’s envoy agreed with the findings "
                        "today.</p>"))
    item = process(data).items[0]
    assert item.headline == "Russia’s “fleet” grows"
    assert "classified EU report said" in item.lead
    assert "Russia’s" in item.lead and "EU’s" in item.lead
    assert 'rel="nofollow noopener"' in item.body_html


def test_dates_are_utc_and_future_dates_clamped():
    now = datetime(2025, 7, 12, tzinfo=UTC)
    data = rss(rss_item("x3", "Future", date="Mon, 01 Jan 2035 00:00:00 GMT"))
    item = process(data, now=now).items[0]
    assert item.published == now
    assert "future-date-clamped" in item.flags
    ok = process(rss(rss_item("x4", "Past")), now=now).items[0]
    assert ok.published == datetime(2025, 7, 11, 19, 14, tzinfo=UTC)


def test_plain_text_body_gets_paragraphs():
    from wiredesk.wire.types import WireItem

    item = normalize(WireItem(title="T", body="First para line that is long enough.\n\nSecond."))
    assert item.body_html.count("<p>") == 2
