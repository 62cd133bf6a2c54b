"""The pure figures of wire health: usual rate, usual gap, silent or not."""

from datetime import UTC, datetime, timedelta

import pytest

from wiredesk.ops import idle

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def every(minutes: int, count: int) -> list[datetime]:
    return [T0 + i * minutes * MIN for i in range(count)]


def test_percentile_interpolates_and_refuses_nothing():
    assert idle.percentile([1, 2, 3, 4], 50) == 2.5
    assert idle.percentile([10], 95) == 10
    assert idle.percentile([0, 100], 95) == 95
    with pytest.raises(ValueError):
        idle.percentile([], 50)


def test_usual_daily_rate_is_the_median_and_shrugs_off_one_odd_day():
    assert idle.usual_daily_rate([40, 42, 38, 41, 400, 39, 0]) == 40
    assert idle.usual_daily_rate([]) is None


def test_gaps_count_a_polls_items_once():
    arrivals = [T0, T0, T0 + 10 * MIN, T0 + 30 * MIN]
    assert idle.gaps(arrivals) == [10 * MIN, 20 * MIN]


def test_usual_gap_is_the_95th_percentile_of_gaps():
    # Every 40 minutes, with one night of 8 hours: the night is the outlier above p95.
    arrivals = [*every(40, 100), T0 + 99 * 40 * MIN + 8 * 60 * MIN]
    assert idle.usual_gap(arrivals, poll_interval=5 * MIN) == 40 * MIN


def test_usual_gap_is_never_below_three_polls_nor_the_minimum():
    assert idle.usual_gap(every(1, 50), poll_interval=2 * MIN) == idle.MIN_USUAL_GAP
    assert idle.usual_gap(every(10, 50), poll_interval=20 * MIN) == 60 * MIN


def test_too_little_history_has_no_usual_gap():
    assert idle.usual_gap(every(60, 3), poll_interval=MIN) is None
    assert idle.usual_gap(every(60, 4), poll_interval=MIN) == 60 * MIN


def test_silent_only_past_the_usual_gap_and_only_when_judged():
    gap = 60 * MIN
    assert idle.silent(T0, gap, T0 + 61 * MIN) is True
    assert idle.silent(T0, gap, T0 + 60 * MIN) is False
    assert idle.silent(T0, None, T0 + 1000 * MIN) is None
    assert idle.silent(None, gap, T0) is None


@pytest.mark.parametrize(("span", "shown"), [
    (timedelta(hours=5, minutes=12), "5h12m"),
    (40 * MIN, "40m"),
    (timedelta(hours=2), "2h"),
    (timedelta(days=3, hours=4, minutes=59), "3d4h"),
    (timedelta(seconds=-5), "0m"),
])
def test_shown_duration(span, shown):
    assert idle.shown_duration(span) == shown
