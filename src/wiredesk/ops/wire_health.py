"""The operator's view of the wire: each feed's arrivals against its usual rate and gap,
for the wire-health page, ``/metrics`` and the ``watch-feeds`` job's log line.

Two queries whatever the number of feeds: the feeds, and their new items of the last
``idle.WINDOW_DAYS + 1`` days grouped by feed and arrival minute (a poll's items arrive
together, so a feed yields at most one row per poll). The figures are ``ops.idle``'s.

An *item* here is a new article from the feed (its ``first_seen_at``); an agency's update
of an item already stored is not an arrival.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.db.models.functions import TruncMinute
from django.utils import timezone

from wiredesk.newsroom.models import Article, Feed
from wiredesk.ops import idle
from wiredesk.ops.models import FeedSilence

log = logging.getLogger("wiredesk.ops.wire_health")

DAY = timedelta(days=1)


@dataclass
class FeedHealth:
    feed: Feed
    items_24h: int
    usual_per_day: float | None  # median of the previous days' counts
    usual_gap: timedelta | None
    last_arrival: datetime | None  # within the window; None: none for that long
    silent: bool | None  # None: not judged (disabled, or too little history)
    now: datetime

    @property
    def name(self) -> str:
        """The feed's name on one line: its title comes from the feed itself, and a line
        break in it must not forge a log line of its own."""
        return " ".join(str(self.feed).split()) or f"feed {self.feed.pk}"

    @property
    def quiet_for(self) -> timedelta | None:
        return self.now - self.last_arrival if self.last_arrival else None

    @property
    def quiet_for_shown(self) -> str:
        return idle.shown_duration(self.quiet_for) if self.quiet_for else ""

    @property
    def usual_gap_shown(self) -> str:
        return idle.shown_duration(self.usual_gap) if self.usual_gap else ""

    @property
    def failing(self) -> bool:
        return self.feed.enabled and self.feed.error_count > 0

    @property
    def rate_ratio(self) -> float | None:
        if not self.usual_per_day:
            return None
        return self.items_24h / self.usual_per_day

    def silence_line(self) -> str:
        quiet = (idle.shown_duration(self.quiet_for) if self.quiet_for
                 else f"over {idle.WINDOW_DAYS + 1}d")
        return (f"feed silent: {self.name} no item for {quiet} "
                f"(usual gap {idle.shown_duration(self.usual_gap)})")


def _arrivals(since: datetime) -> dict[int, list[tuple[datetime, int]]]:
    rows = (Article.objects.filter(feed__isnull=False, first_seen_at__gte=since)
            .annotate(minute=TruncMinute("first_seen_at", tzinfo=UTC))
            .values("feed_id", "minute").annotate(n=Count("pk"))
            .order_by("feed_id", "minute"))
    by_feed: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for row in rows:
        by_feed[row["feed_id"]].append((row["minute"], row["n"]))
    return by_feed


def _daily_counts(arrivals: list[tuple[datetime, int]], feed: Feed,
                  now: datetime) -> tuple[int, list[int]]:
    """Items in the last 24 h, and in each earlier whole 24 h window the feed existed for
    (up to ``idle.WINDOW_DAYS`` of them)."""
    counts = [0] * (idle.WINDOW_DAYS + 1)
    for minute, n in arrivals:
        day = int((now - minute) // DAY)
        if 0 <= day <= idle.WINDOW_DAYS:
            counts[day] += n
    lived = [day for day in range(1, idle.WINDOW_DAYS + 1)
             if now - (day + 1) * DAY >= feed.created_at - timedelta(minutes=1)]
    return counts[0], [counts[day] for day in lived]


def _announced(feed: Feed) -> bool:
    try:
        return feed.silence is not None
    except FeedSilence.DoesNotExist:
        return False


def feed_health(now: datetime | None = None) -> list[FeedHealth]:
    """Every feed's health: silent ones first, then failing ones, then by name."""
    now = now or timezone.now()
    by_feed = _arrivals(now - (idle.WINDOW_DAYS + 1) * DAY)
    report = []
    for feed in Feed.objects.select_related("agency", "silence"):
        arrivals = by_feed.get(feed.pk, [])
        items_24h, previous_days = _daily_counts(arrivals, feed, now)
        times = [minute for minute, _ in arrivals]
        gap = idle.usual_gap(times, feed.poll_interval)
        last = max(times) if times else None
        judged = idle.silent(last, gap, now) if feed.enabled else None
        if judged is None and feed.enabled and _announced(feed):
            judged = True  # announced, and nothing since: its history ran out of the window
        report.append(FeedHealth(feed=feed, items_24h=items_24h,
                                 usual_per_day=idle.usual_daily_rate(previous_days),
                                 usual_gap=gap, last_arrival=last, silent=judged, now=now))
    report.sort(key=lambda h: (not h.silent, not h.failing, h.name.lower()))
    return report


@dataclass
class Watch:
    went_silent: list[str]
    recovered: list[str]

    def __str__(self) -> str:
        return f"{len(self.went_silent)} feed(s) went silent, {len(self.recovered)} recovered"


def watch_feeds(now: datetime | None = None) -> Watch:
    """Log one WARNING when a feed goes silent and one when it recovers, never on every
    run: the announced silences are remembered as ``FeedSilence`` rows. A feed that can
    no longer be judged (too little history left, or disabled) keeps its state."""
    report = feed_health(now)
    announced = {s.feed_id: s for s in FeedSilence.objects.all()}
    watch = Watch([], [])
    for health in report:
        feed_id = health.feed.pk
        if health.silent and feed_id not in announced:
            try:
                with transaction.atomic():
                    FeedSilence.objects.create(feed_id=feed_id,
                                               last_arrival=health.last_arrival,
                                               announced_at=health.now)
            except IntegrityError:
                continue  # another watcher announced it
            log.warning("%s", health.silence_line(), extra={
                "event": "feed_silent", "feed_id": feed_id,
                "usual_gap_seconds": health.usual_gap and health.usual_gap.total_seconds()})
            watch.went_silent.append(health.name)
        elif health.silent is False and feed_id in announced:
            silence = announced[feed_id]
            deleted, _ = FeedSilence.objects.filter(pk=silence.pk).delete()
            if not deleted:
                continue  # another watcher announced the recovery
            after = (f" after {idle.shown_duration(health.last_arrival - silence.last_arrival)}"
                     if silence.last_arrival and health.last_arrival else "")
            log.warning("feed recovered: %s new item%s (usual gap %s)", health.name, after,
                        idle.shown_duration(health.usual_gap),
                        extra={"event": "feed_recovered", "feed_id": feed_id})
            watch.recovered.append(health.name)
    return watch
