"""Scheduling as the desk sees it: an editor's local times in an edition's zone, made into
the newsroom's schedules, and what is scheduled, day by day, on the edition's clock.

Shared by the desk's pages and ``wiredesk article schedule``; the newsroom below knows
UTC instants only, the editions above it know the zones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from wiredesk.editions.models import Edition
from wiredesk.newsroom.models import Article, Schedule
from wiredesk.newsroom.schedule_times import ScheduleTimeError, local_to_utc, offset_text
from wiredesk.newsroom.services import schedule_publish, schedule_unpublish


def article_editions(article: Article) -> list[Edition]:
    return list(Edition.objects.filter(placements__article=article)
                .order_by("position", "name"))


def zone_label(zone: str, *, at: datetime | None = None) -> str:
    """``America/Santiago (UTC-03:00)``: the zone's name and its offset at ``at`` (now)."""
    moment = (at or timezone.now()).astimezone(ZoneInfo(zone))
    return f"{zone} (UTC{offset_text(moment.utcoffset())})"


def zone_now(zone: str) -> str:
    """``America/Santiago (UTC-03:00 now)``: said "now" where the time itself is not yet
    known, since the offset may differ on the day (daylight saving)."""
    return zone_label(zone)[:-1] + " now)"


def site_zone() -> str:
    return settings.TIME_ZONE or "UTC"


def edition_for(article: Article, slug: str = "") -> Edition | None:
    """The edition whose clock the editor's times are read on: the one named, else the
    article's only edition; None (the site's zone) when it is in none. Refused when the
    article is in several and none is named, since the same words are other instants."""
    if slug:
        edition = Edition.objects.filter(slug=slug).first()
        if edition is None:
            raise ScheduleTimeError(f"no edition {slug!r}")
        return edition
    editions = article_editions(article)
    if len(editions) > 1:
        names = ", ".join(e.slug for e in editions)
        raise ScheduleTimeError(f"article {article.pk} is in several editions ({names}): "
                                "say whose local time this is")
    return editions[0] if editions else None


@dataclass(frozen=True)
class Scheduled:
    publish_at: datetime | None
    unpublish_at: datetime | None
    zone: str


def schedule_from_local(*, article: Article, actor, edition: Edition | None,
                        publish_at: str = "", unpublish_at: str = "",
                        now: datetime | None = None) -> Scheduled:
    """Read the editor's local times on the edition's clock and schedule them, both or
    neither (one transaction): a publication, an unpublication, or both."""
    now = now or timezone.now()
    zone = edition.time_zone if edition is not None else site_zone()
    publish = local_to_utc(publish_at, zone, now=now) if publish_at.strip() else None
    unpublish = local_to_utc(unpublish_at, zone, now=now) if unpublish_at.strip() else None
    if publish is None and unpublish is None:
        raise ScheduleTimeError("give a time to publish or to unpublish at")
    with transaction.atomic():
        if publish is not None:
            schedule_publish(article=article, at=publish, actor=actor, time_zone=zone,
                             edition=edition, now=now)
        if unpublish is not None:
            schedule_unpublish(article=article, at=unpublish, actor=actor, time_zone=zone,
                               edition=edition, now=now)
    return Scheduled(publish, unpublish, zone)


@dataclass(frozen=True)
class Row:
    schedule: Schedule
    local: datetime
    zone: str

    @property
    def clock(self) -> str:
        # Formatted here: a template's date filter would show the active zone's time.
        return f"{self.local:%H:%M}"

    @property
    def offset(self) -> str:
        return "UTC" + offset_text(self.local.utcoffset())


@dataclass(frozen=True)
class Day:
    day: date
    rows: list[Row]


def scheduled_days(schedules: Iterable[Schedule], *, zone: str = "") -> list[Day]:
    """What is scheduled grouped by local day: each on the clock it was given in (its
    edition's), or all on ``zone``'s."""
    days: dict[date, list[Row]] = {}
    for schedule in schedules:
        shown_zone = zone or schedule.time_zone or "UTC"
        local = schedule.due_at.astimezone(ZoneInfo(shown_zone))
        days.setdefault(local.date(), []).append(Row(schedule, local, shown_zone))
    return [Day(day, sorted(rows, key=lambda r: r.schedule.due_at))
            for day, rows in sorted(days.items())]


def upcoming(edition: Edition | None = None, limit: int = 1000):
    """What is scheduled, soonest first; of one edition's articles (or given in its
    zone) when one is chosen."""
    rows = Schedule.objects.select_related("article").order_by("due_at", "id")
    if edition is not None:
        carried = Article.objects.filter(placements__edition=edition).values("pk")
        rows = rows.filter(Q(article__in=carried) | Q(edition_slug=edition.slug))
    return list(rows[:limit])
