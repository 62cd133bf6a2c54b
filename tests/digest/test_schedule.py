"""Local-time scheduling: two zones, daylight-saving changes, gaps and repeated hours."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from wiredesk.digest.schedule import last_closed_issue, local_date, next_slot, slot_on


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_six_in_the_morning_in_two_zones_across_their_dst_changes():
    six = time(6, 0)
    # Paris springs forward on 30 March 2025: 06:00 is 05:00 UTC before, 04:00 UTC after.
    assert slot_on(date(2025, 3, 29), six, "Europe/Paris") == utc(2025, 3, 29, 5)
    assert slot_on(date(2025, 3, 30), six, "Europe/Paris") == utc(2025, 3, 30, 4)
    # Sydney springs forward on 5 October 2025: 06:00 AEST is 20:00 UTC the day before,
    # 06:00 AEDT is 19:00 UTC the day before.
    assert slot_on(date(2025, 10, 4), six, "Australia/Sydney") == utc(2025, 10, 3, 20)
    assert slot_on(date(2025, 10, 5), six, "Australia/Sydney") == utc(2025, 10, 4, 19)
    # ...and falls back on 6 April 2025.
    assert slot_on(date(2025, 4, 6), six, "Australia/Sydney") == utc(2025, 4, 5, 20)
    assert slot_on(date(2025, 4, 5), six, "Australia/Sydney") == utc(2025, 4, 4, 19)


def test_a_time_in_the_spring_gap_is_sent_when_the_clocks_jump():
    assert slot_on(date(2025, 3, 30), time(2, 30), "Europe/Paris") == utc(2025, 3, 30, 1)


def test_a_repeated_hour_is_sent_once_at_its_first_occurrence():
    first = slot_on(date(2025, 10, 26), time(2, 30), "Europe/Paris")
    assert first == utc(2025, 10, 26, 0, 30)
    after = next_slot(first, time(2, 30), "Europe/Paris")
    assert after == utc(2025, 10, 27, 1, 30)  # the next day, not the second 02:30


def test_next_slot_walks_one_per_local_day_through_a_change():
    moment = utc(2025, 3, 27, 12)
    slots = []
    for _ in range(5):
        moment = next_slot(moment, time(6, 0), "Europe/Paris")
        slots.append(moment)
    assert [local_date(s, "Europe/Paris") for s in slots] == [
        date(2025, 3, 28), date(2025, 3, 29), date(2025, 3, 30), date(2025, 3, 31),
        date(2025, 4, 1)]
    assert [s.hour for s in slots] == [5, 5, 4, 4, 4]
    assert slots[3] - slots[2] == timedelta(days=1)
    assert slots[2] - slots[1] == timedelta(hours=23)


def test_the_archive_issue_of_a_day_closes_at_six_in_the_editions_zone():
    six = time(6, 0)
    # Sydney on 5 October 2025 (clocks sprang forward at 02:00): 06:00 is 19:00 UTC on
    # the 4th; a minute before, the latest closed issue is still the 4th's.
    assert last_closed_issue(utc(2025, 10, 4, 18, 59), six, "Australia/Sydney") == (
        date(2025, 10, 4), utc(2025, 10, 2, 20), utc(2025, 10, 3, 20))
    day, start, end = last_closed_issue(utc(2025, 10, 4, 19), six, "Australia/Sydney")
    assert (day, start, end) == (date(2025, 10, 5), utc(2025, 10, 3, 20),
                                 utc(2025, 10, 4, 19))
    assert end - start == timedelta(hours=23)  # the short day is a short issue


@pytest.mark.django_db
def test_the_planner_follows_each_subscribers_local_clock(site):
    """Step an hour at a time over a DST change: each subscriber comes due once a local
    day, at 06:00 their time, in two zones at once."""
    from tests.digest.conftest import make_confirmed
    from wiredesk.digest.models import Subscriber
    from wiredesk.digest.services import digest_plan, subscriber_confirm

    chile, euro = site
    paris = make_confirmed(euro, "paris@example.org")
    sydney = make_confirmed(chile, "sydney@example.org")
    start = utc(2025, 3, 28, 0)
    for subscriber in (paris, sydney):
        Subscriber.objects.filter(pk=subscriber.pk).update(status="pending")
        subscriber_confirm(subscriber=subscriber, now=start)
    seen = {paris.pk: [], sydney.pk: []}
    for hour in range(24 * 4):
        now = start + timedelta(hours=hour)
        before = dict(Subscriber.objects.values_list("pk", "next_due_at"))
        digest_plan(now=now)
        after = dict(Subscriber.objects.values_list("pk", "next_due_at"))
        for pk in seen:
            if before[pk] != after[pk]:
                assert before[pk] <= now  # never advanced before its slot
                seen[pk].append(before[pk])
    assert seen[paris.pk] == [utc(2025, 3, 28, 5), utc(2025, 3, 29, 5), utc(2025, 3, 30, 4),
                              utc(2025, 3, 31, 4)]
    # Sydney (no change that week, +11): 06:00 local is 19:00 UTC the evening before.
    assert seen[sydney.pk] == [utc(2025, 3, 28, 19), utc(2025, 3, 29, 19),
                               utc(2025, 3, 30, 19), utc(2025, 3, 31, 19)]
