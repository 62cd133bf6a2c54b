"""editions.formatting: times, days and counts in an edition's language and zone, CLDR's
patterns through Babel (one shape in every language), English unchanged."""

from datetime import UTC, date, datetime

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from wiredesk.editions.formatting import babel_locale, local_day, local_number, local_time

SANTIAGO = "America/Santiago"
MOMENT = datetime(2025, 7, 12, 9, 14, tzinfo=UTC)  # 05:14 in Santiago's winter (GMT-4)


def test_a_spanish_edition_in_santiago_reads_the_issues_own_example():
    assert local_time(MOMENT, SANTIAGO, "es") == "12 jul 2025, 05:14 GMT-4"
    assert local_time(MOMENT, SANTIAGO, "es-CL") == "12 jul 2025, 05:14 GMT-4"


def test_santiagos_daylight_saving_edges_change_the_offset_and_the_clock():
    # 2025: winter time from 6 April 00:00 (clocks back to 23:00 on the 5th), summer
    # time from 7 September 00:00 (clocks on to 01:00).
    assert local_time(datetime(2025, 4, 6, 2, 59, tzinfo=UTC), SANTIAGO, "es") == \
        "5 abr 2025, 23:59 GMT-3"
    assert local_time(datetime(2025, 4, 6, 3, 0, tzinfo=UTC), SANTIAGO, "es") == \
        "5 abr 2025, 23:00 GMT-4"  # the same wall time again, an hour later
    assert local_time(datetime(2025, 9, 7, 3, 59, tzinfo=UTC), SANTIAGO, "es") == \
        "6 sept 2025, 23:59 GMT-4"
    assert local_time(datetime(2025, 9, 7, 4, 0, tzinfo=UTC), SANTIAGO, "es") == \
        "7 sept 2025, 01:00 GMT-3"  # midnight never happens that night


def test_arabic_names_its_months_and_joins_with_its_own_comma():
    shown = local_time(MOMENT, "Asia/Riyadh", "ar")
    assert "يوليو" in shown  # July
    assert shown.startswith("12 يوليو 2025، ")  # the Arabic comma, not ","
    assert shown.endswith("غرينتش+3")
    assert local_time(datetime(2025, 12, 1, 9, 0, tzinfo=UTC), "Asia/Riyadh", "ar") \
        .startswith("1 ديسمبر 2025")
    assert local_day(date(2025, 7, 12), "ar") == "السبت، 12 يوليو 2025"


def test_german_and_french_follow_their_own_cldr_patterns():
    assert local_time(MOMENT, "Europe/Berlin", "de") == "12. Juli 2025, 11:14 GMT+2"
    assert local_time(datetime(2025, 12, 3, 7, 5, tzinfo=UTC), "Europe/Berlin", "de") == \
        "3. Dez. 2025, 08:05 GMT+1"
    # French names the offset UTC, and abbreviates with a full stop.
    assert local_time(MOMENT, "Europe/Paris", "fr") == "12 juil. 2025, 11:14 UTC+2"
    assert local_time(MOMENT, "UTC", "fr") == "12 juil. 2025, 09:14 UTC"
    assert local_day(date(2025, 7, 12), "fr") == "samedi 12 juillet 2025"
    assert local_day(date(2025, 7, 12), "de") == "Samstag, 12. Juli 2025"


def test_english_keeps_the_house_shape_and_us_english_its_own():
    assert local_time(MOMENT, "Australia/Sydney", "en") == "12 Jul 2025, 19:14 GMT+10"
    assert local_time(MOMENT, "Asia/Kolkata") == "12 Jul 2025, 14:44 GMT+5:30"
    assert local_time(MOMENT, "UTC", "") == "12 Jul 2025, 09:14 GMT"
    assert local_time(MOMENT, SANTIAGO, "en-US") == "Jul 12, 2025, 5:14\u202fAM GMT-4"
    assert local_day(date(2025, 7, 12), "en") == "Saturday, 12 July 2025"
    assert local_time(None, SANTIAGO, "es") == ""
    # A naive time is UTC, as the database stores it.
    assert local_time(MOMENT.replace(tzinfo=None), SANTIAGO, "es") == \
        "12 jul 2025, 05:14 GMT-4"


@pytest.mark.parametrize("tag, expected", [("pt-BR", "pt_BR"), ("es-419", "es_419"),
                                           ("zz", "en_GB"), ("", "en_GB"),
                                           ("de-XX", "de"), ("en-us", "en_US")])
def test_a_tag_babel_does_not_know_falls_back_to_its_language_then_to_english(tag, expected):
    assert str(babel_locale(tag)) == expected


def test_counts_are_grouped_as_each_language_groups_them():
    assert local_number(12345, "en") == "12,345"
    assert local_number(12345, "es-CL") == "12.345"
    assert local_number(12345, "de") == "12.345"
    assert local_number(12345, "fr") == "12\u202f345"


def test_the_template_filters_read_the_active_zone_and_language():
    template = Template("{% load editions %}{{ m|edition_time }} | {{ n|edition_number }}")
    context = Context({"m": MOMENT, "n": 1234567})
    with timezone.override(SANTIAGO), translation.override("es"):
        assert template.render(context) == "12 jul 2025, 05:14 GMT-4 | 1.234.567"
    with timezone.override("Europe/Paris"), translation.override("en"):
        assert template.render(context) == "12 Jul 2025, 11:14 GMT+2 | 1,234,567"
