"""Credits, bylines, datelines, leads and dates pulled out by normalize."""

from datetime import UTC, datetime, timedelta

from wiredesk.wire.normalize import normalize
from wiredesk.wire.types import Media, WireItem

NOW = datetime(2025, 7, 12, 12, 0, tzinfo=UTC)


def clean(body, **kw):
    return normalize(WireItem(title="Headline", body=body, **kw), now=NOW)


def test_photo_credit_at_the_start_becomes_the_picture_credit():
    item = clean("<p>(Photo credit: Raymond Carlin III-Imagn Images) The Mets won again on "
                 "Friday night at home.</p><p>More.</p>",
                 media=[Media(url="https://e.org/p.jpg")])
    assert item.image_credit == "Raymond Carlin III-Imagn Images"
    assert item.credit == "Raymond Carlin III-Imagn Images"
    assert "Photo credit" not in item.body_html
    assert item.lead == "The Mets won again on Friday night at home."


def test_credit_in_its_own_paragraph_and_byline_line():
    item = clean("<p>(Photo credit: Jo Doe/Wire)</p><p>By Jane Smith</p>"
                 "<p>WASHINGTON (AP) — The Senate voted on Friday to pass the bill.</p>")
    assert item.credit == "Jo Doe/Wire" and item.byline == "Jane Smith"
    assert item.body_html.startswith("<p>WASHINGTON (AP)")
    assert item.lead == "The Senate voted on Friday to pass the bill."
    assert item.teaser.startswith("WASHINGTON (AP) — The Senate")  # teasers keep datelines
    assert item.dateline == "WASHINGTON (AP)" and item.dateline_agencies == ["AP"]


def test_a_by_sentence_in_the_story_is_not_a_byline():
    item = clean("<p>By the end of the day the markets had recovered most of their losses.</p>")
    assert item.byline == "" and "By the end" in item.body_html


def test_lead_is_the_first_real_paragraph():
    item = clean("<p>Advertisement</p><p>EXCLUSIVE</p><p>New Delhi [India], July 12 (ANI): "
                 "India and the UAE signed a trade pact on Saturday in New Delhi.</p>")
    assert item.lead == "India and the UAE signed a trade pact on Saturday in New Delhi."
    assert item.dateline_place == "New Delhi [India]"
    assert item.dateline_agencies == ["ANI"]


def test_unknown_dateline_leaves_the_lead_whole():
    item = clean("<p>Officials said on Saturday (Reuters) - that the talks would resume.</p>")
    assert item.lead.startswith("Officials said on Saturday")
    assert item.dateline == ""


def test_future_dates_are_clamped_and_flagged():
    item = clean("<p>x</p>", published=NOW + timedelta(days=3), updated=NOW + timedelta(days=4))
    assert item.published == NOW and item.updated == NOW
    assert "future-date-clamped" in item.flags and "future-update-clamped" in item.flags
    near = clean("<p>x</p>", published=NOW + timedelta(minutes=5))
    assert near.published == NOW + timedelta(minutes=5) and not near.flags


def test_zone_less_times_read_in_the_agency_zone_and_flagged():
    item = normalize(WireItem(title="T", body="<p>x</p>", published=datetime(2025, 7, 12, 9),
                              naive_dates=True), zone="Asia/Kolkata", now=NOW)
    assert item.published == datetime(2025, 7, 12, 3, 30, tzinfo=UTC)
    assert "zone-less-date-read-in-agency-zone" in item.flags


def test_embargo_without_zone_is_read_in_agency_zone():
    item = normalize(WireItem(title="T", body="<p>x</p>",
                              embargo_until=datetime(2025, 7, 13, 6)), zone="Europe/Paris",
                     now=NOW)
    assert item.embargo_until == datetime(2025, 7, 13, 4, tzinfo=UTC)


def test_unknown_zone_falls_back_to_utc_without_crashing():
    item = normalize(WireItem(title="T", body="<p>x</p>", published=datetime(2025, 7, 12, 9)),
                     zone="Not/AZone", now=NOW)
    assert item.published == datetime(2025, 7, 12, 9, tzinfo=UTC)


def test_lower_case_by_phrase_is_not_a_byline():
    item = clean("<p>by the way</p><p>The talks resumed on Saturday in the capital city.</p>")
    assert item.byline == "" and "by the way" in item.body_html
