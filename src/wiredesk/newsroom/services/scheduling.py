"""Scheduling: an article made public, or held again, at a time the desk chose.

A schedule is a ``Schedule`` row (one per article and action), never a change to the
article: a held item or a desk draft stays out of every public read until the
``publish-scheduled`` job releases it through ``article_release``, the one way an article
becomes public, so the change stream, the page cache's stamps and search hear of it as
of any release. Unpublishing is a hold ("unpublished as scheduled") the same way.

Times are UTC instants here; reading an editor's local time in an edition's zone is
``newsroom.schedule_times.local_to_utc``'s work, before these are called.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from wiredesk.core.audit import actor_label, record
from wiredesk.newsroom.models import Article, Schedule
from wiredesk.newsroom.schedule_times import ScheduleTimeError
from wiredesk.newsroom.services.editorial import article_hold, article_release

log = logging.getLogger("wiredesk.scheduling")

JOB_ACTOR = "job:publish-scheduled"
UNPUBLISHED_REASON = "unpublished as scheduled"

__all__ = ["JOB_ACTOR", "UNPUBLISHED_REASON", "ScheduleReport", "publish_scheduled",
           "schedule_cancel", "schedule_publish", "schedule_unpublish"]


def _slug(edition) -> str:
    return (edition if isinstance(edition, str) else getattr(edition, "slug", "") or "")[:100]


def _check_future(at: datetime, now: datetime) -> None:
    if timezone.is_naive(at):
        raise ValueError("a schedule's time must be aware (UTC)")
    if at <= now:
        raise ScheduleTimeError(f"{at:%Y-%m-%d %H:%M} UTC is in the past: it is "
                                f"{now:%Y-%m-%d %H:%M} UTC now")


def _locked(article: Article) -> Article:
    return Article.objects.select_for_update().get(pk=article.pk)


def _save(article: Article, action: str, at: datetime, actor, time_zone: str,
          edition) -> Schedule:
    previous = Schedule.objects.filter(article=article, action=action).first()
    schedule, _ = Schedule.objects.update_or_create(
        article=article, action=action,
        defaults={"due_at": at, "time_zone": time_zone or "UTC", "edition_slug": _slug(edition),
                  "scheduled_by": actor_label(actor)})
    details = {action: at.isoformat(), "time_zone": schedule.time_zone}
    if previous is not None:
        details["replaces"] = previous.due_at.isoformat()
    record(actor, "article.schedule", article, edition=edition or None, **details)
    return schedule


def schedule_publish(*, article: Article, at: datetime, actor, time_zone: str = "UTC",
                     edition=None, now: datetime | None = None) -> Schedule:
    """Make a held article (an agency item held back, a desk draft) public at ``at``.

    It stays out of every public read until then. Scheduling again moves the time."""
    now = now or timezone.now()
    _check_future(at, now)
    with transaction.atomic():
        article = _locked(article)
        if article.status == Article.Status.KILLED:
            raise ScheduleTimeError(f"article {article.pk} is killed: it is never published "
                                    "again")
        if article.status == Article.Status.PUBLISHED:
            raise ScheduleTimeError(f"article {article.pk} is published already: hold it "
                                    "first to publish it later, or schedule it to be "
                                    "unpublished")
        later = Schedule.objects.filter(article=article, action=Schedule.Action.UNPUBLISH,
                                        due_at__lte=at).first()
        if later is not None:
            raise ScheduleTimeError(
                f"article {article.pk} is to be unpublished at "
                f"{later.due_at:%Y-%m-%d %H:%M} UTC, before this publication: move or "
                "cancel that first")
        return _save(article, Schedule.Action.PUBLISH, at, actor, time_zone, edition)


def schedule_unpublish(*, article: Article, at: datetime, actor, time_zone: str = "UTC",
                       edition=None, now: datetime | None = None) -> Schedule:
    """Hold a public article (or one scheduled to be public before then) at ``at``."""
    now = now or timezone.now()
    _check_future(at, now)
    with transaction.atomic():
        article = _locked(article)
        if article.status == Article.Status.KILLED:
            raise ScheduleTimeError(f"article {article.pk} is killed already")
        if article.status != Article.Status.PUBLISHED:
            publish = Schedule.objects.filter(article=article,
                                              action=Schedule.Action.PUBLISH).first()
            if publish is None:
                raise ScheduleTimeError(f"article {article.pk} is not published, nor "
                                        "scheduled to be: there is nothing to unpublish")
            if publish.due_at >= at:
                raise ScheduleTimeError(
                    f"article {article.pk} is to be published at "
                    f"{publish.due_at:%Y-%m-%d %H:%M} UTC: unpublish it after that")
        return _save(article, Schedule.Action.UNPUBLISH, at, actor, time_zone, edition)


def schedule_cancel(*, article: Article, actor, action: str | None = None) -> int:
    """Cancel the article's scheduled publishing, unpublishing, or (no action) both.
    Returns how many were cancelled; cancelling nothing is not an error (the job may have
    just carried it out)."""
    with transaction.atomic():
        article = _locked(article)
        rows = Schedule.objects.filter(article=article)
        if action:
            rows = rows.filter(action=action)
        cancelled = list(rows.order_by("due_at"))
        if not cancelled:
            return 0
        Schedule.objects.filter(pk__in=[s.pk for s in cancelled]).delete()
        record(actor, "article.schedule", article,
               edition=cancelled[0].edition_slug or None,
               cancelled={s.action: s.due_at.isoformat() for s in cancelled})
    return len(cancelled)


def cancel_publishing_withheld(article: Article, source: str) -> None:
    """The source withheld the article: what the desk scheduled to publish is off (the
    desk may schedule it again once the source releases it). In the ingest transaction."""
    cancelled = list(Schedule.objects.filter(article=article,
                                             action=Schedule.Action.PUBLISH))
    if not cancelled:
        return
    Schedule.objects.filter(pk__in=[s.pk for s in cancelled]).delete()
    record(source, "article.schedule", article, edition=cancelled[0].edition_slug or None,
           cancelled={"publish": cancelled[0].due_at.isoformat()},
           reason="withheld by the source")
    log.warning("article %s: its scheduled publication is cancelled, the source withheld it",
                article.pk)


@dataclass
class ScheduleReport:
    published: list[int] = field(default_factory=list)
    unpublished: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return bool(self.published or self.unpublished or self.skipped)

    def summary(self) -> str:
        return (f"{len(self.published)} published, {len(self.unpublished)} unpublished as "
                f"scheduled" + (f", {len(self.skipped)} skipped" if self.skipped else ""))


def publish_scheduled(*, now: datetime | None = None, limit: int = 500) -> ScheduleReport:
    """Carry out every schedule that is due, each exactly once, oldest first.

    Safe with several workers at once: a schedule is claimed by deleting its row in the
    transaction that acts on it (on PostgreSQL a second worker skips the locked row, or
    finds it gone once the first commits; SQLite takes one writer at a time), so its
    change happens once, or, if acting fails, not at all and the row is there for the
    next turn."""
    now = now or timezone.now()
    report = ScheduleReport()
    due = list(Schedule.objects.filter(due_at__lte=now).order_by("due_at", "id")
               .values_list("pk", flat=True)[:limit])
    for pk in due:
        try:
            _carry_out(pk, now, report)
        except Exception:  # one bad row never stops the others; it is tried again
            log.exception("schedule %s could not be carried out", pk)
    return report


def _carry_out(pk: int, now: datetime, report: ScheduleReport) -> None:
    with transaction.atomic():
        schedule = (Schedule.objects.select_for_update(skip_locked=True)
                    .filter(pk=pk, due_at__lte=now).first())
        if schedule is None:
            return  # another worker has it, or it was cancelled or moved meanwhile
        claimed, _ = Schedule.objects.filter(pk=pk, due_at=schedule.due_at).delete()
        if not claimed:
            return
        article = Article.objects.select_for_update().get(pk=schedule.article_id)
        due = schedule.due_at.isoformat()
        edition = schedule.edition_slug or None
        if schedule.action == Schedule.Action.PUBLISH:
            if article.status == Article.Status.KILLED:
                report.skipped.append(f"article {article.pk} is killed")
                log.warning("article %s not published as scheduled: it is killed", article.pk)
                return
            if article.status == Article.Status.PUBLISHED:
                report.skipped.append(f"article {article.pk} is published already")
                log.info("article %s was published already (scheduled for %s)",
                         article.pk, due)
                return
            # Held, or any other state short of public (a desk draft): released.
            article_release(article=article, actor=JOB_ACTOR)
            record(JOB_ACTOR, "article.publish", article, edition=edition, scheduled_for=due)
            report.published.append(article.pk)
            log.info("article %s published as scheduled for %s: %s", article.pk, due,
                     article.headline,
                     extra={"event": "article_published_scheduled", "article_id": article.pk})
        else:
            if article.status != Article.Status.PUBLISHED:
                report.skipped.append(f"article {article.pk} is not public")
                log.info("article %s was not public when due to be unpublished (%s)",
                         article.pk, due)
                return
            article_hold(article=article, reason=UNPUBLISHED_REASON, actor=JOB_ACTOR)
            record(JOB_ACTOR, "article.unpublish", article, edition=edition,
                   scheduled_for=due)
            report.unpublished.append(article.pk)
            log.info("article %s unpublished as scheduled for %s: %s", article.pk, due,
                     article.headline,
                     extra={"event": "article_unpublished_scheduled",
                            "article_id": article.pk})
