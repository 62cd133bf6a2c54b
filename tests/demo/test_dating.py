"""The demo's sample copy dated relative to now (demo/dating.py)."""

from datetime import UTC, datetime, timedelta

from wiredesk.demo import FEEDS, FEEDS_DIR
from wiredesk.demo.dating import (
    NEWEST_AGO,
    WINDOW,
    dates_in,
    format_like,
    parse_date,
    redate_feeds,
)

NOW = datetime(2026, 3, 4, 9, 30, 41, tzinfo=UTC)


def sample() -> dict[str, str]:
    return {name: (FEEDS_DIR / name).read_text(encoding="utf-8") for name, _code in FEEDS}


def all_dates(texts: dict[str, str]) -> list[datetime]:
    return [d for name in sorted(texts) for d in dates_in(texts[name])]


def test_every_sample_date_is_read():
    texts = sample()
    for name, text in texts.items():
        written = text.count("<pubDate>") + text.count("<lastBuildDate>") + \
            text.count("<published>") + text.count("<updated>")
        assert len(dates_in(text)) == written, name
    assert min(all_dates(texts)).year == 2025


def test_every_date_falls_in_the_last_two_days_newest_just_before_now():
    moved = all_dates(redate_feeds(sample(), now=NOW))
    assert max(moved) == (NOW - NEWEST_AGO).replace(second=0)
    assert all(NOW - timedelta(days=2) < d < NOW for d in moved)
    assert max(moved) - min(moved) <= WINDOW


def test_order_and_proportions_are_kept_across_every_feed():
    before = all_dates(sample())
    after = all_dates(redate_feeds(sample(), now=NOW))
    assert sorted(range(len(before)), key=lambda i: (before[i], i)) == \
        sorted(range(len(after)), key=lambda i: (after[i], i))
    span_before = max(before) - min(before)
    span_after = max(after) - min(after)
    assert span_before > WINDOW  # the sample spans ~63 hours: compressed
    scale = span_after / span_before
    for old, new in zip(before, after, strict=True):
        expected = (max(before) - old) * scale
        assert abs((max(after) - new) - expected) <= timedelta(minutes=1)


def test_the_story_two_agencies_sent_keeps_its_first_sender():
    """ANI sent the desalination story before WAM: the canonical copy stays ANI's."""
    moved = redate_feeds(sample(), now=NOW)
    ani = parse_date(moved["ani.atom"].split("<published>", 1)[1].split("<", 1)[0])
    wam = dates_in(moved["wam.rss"])
    assert ani < min(wam)


def test_each_date_keeps_its_form_and_offset():
    moved = redate_feeds(sample(), now=NOW)
    assert "GMT</pubDate>" in moved["rfe.rss"]
    assert "+0800</pubDate>" in moved["xinhua.rss"]
    assert "+05:30</published>" in moved["ani.atom"]
    assert "-07:00</published>" in moved["imagn.atom"]
    assert "2025" not in "".join(d.isoformat() for d in all_dates(moved))
    # The copy itself is not touched: only the date elements.
    original = sample()["rfe.rss"]
    assert moved["rfe.rss"].count("\n") == original.count("\n")
    assert "urn:wiredesk-demo:rfe:2025-0711-001" in moved["rfe.rss"]


def test_it_depends_on_now_alone_to_the_minute():
    assert redate_feeds(sample(), now=NOW) == redate_feeds(sample(), now=NOW.replace(second=3))
    later = all_dates(redate_feeds(sample(), now=NOW + timedelta(days=1)))
    earlier = all_dates(redate_feeds(sample(), now=NOW))
    assert [b - a for a, b in zip(earlier, later, strict=True)] == [timedelta(days=1)] * len(later)


def test_a_short_sample_is_moved_not_compressed():
    texts = {"a.rss": "<pubDate>Fri, 11 Jul 2025 19:14:00 GMT</pubDate>"
                      "<pubDate>Fri, 11 Jul 2025 13:14:00 GMT</pubDate>"}
    first, second = dates_in(redate_feeds(texts, now=NOW)["a.rss"])
    assert first - second == timedelta(hours=6)


def test_dates_that_cannot_be_read_are_left_alone():
    texts = {"a.atom": "<updated>yesterday</updated><updated>2025-07-12T21:15:00Z</updated>"}
    moved = redate_feeds(texts, now=NOW)["a.atom"]
    assert "<updated>yesterday</updated>" in moved
    assert "<updated>2026-03-04T09:10:00Z</updated>" in moved
    assert redate_feeds({"b.rss": "no dates"}, now=NOW) == {"b.rss": "no dates"}


def test_format_like():
    moment = datetime(2026, 3, 4, 1, 2, tzinfo=UTC)
    assert format_like("Fri, 11 Jul 2025 19:14:00 GMT", moment) == "Wed, 04 Mar 2026 01:02:00 GMT"
    assert format_like("Sat, 12 Jul 2025 21:50:00 +0800", moment) == \
        "Wed, 04 Mar 2026 09:02:00 +0800"
    assert format_like("2025-07-12T21:15:00+05:30", moment) == "2026-03-04T06:32:00+05:30"
