"""Scheduling (issue 14, item 5): an editor's local time read in the edition's zone, the
services that schedule and cancel, and the job that carries out what is due exactly once."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from wiredesk.core.audit import AuditEntry
from wiredesk.core.taskqueue import PERIODIC, Idle, task_named
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article, Schedule
from wiredesk.newsroom.schedule_times import ScheduleTimeError, local_to_utc
from wiredesk.newsroom.services import scheduling

BEFORE = datetime(2026, 1, 1, tzinfo=UTC)  # "now" for the parsing tests
SANTIAGO = "America/Santiago"


# --- reading a local time ---------------------------------------------------------------

def test_a_local_time_is_read_in_the_zone_given():
    assert local_to_utc("2026-12-24 08:00", "Australia/Sydney", now=BEFORE) == \
        datetime(2026, 12, 23, 21, 0, tzinfo=UTC)
    # An HTML datetime-local field's value, and the same in Santiago's summer (UTC-3).
    assert local_to_utc("2026-12-24T08:00", SANTIAGO, now=BEFORE) == \
        datetime(2026, 12, 24, 11, 0, tzinfo=UTC)


def test_a_time_the_clocks_jump_over_is_refused_naming_the_zone():
    # Santiago's clocks went from 00:00 (UTC-4) to 01:00 (UTC-3) on 6 September 2026.
    with pytest.raises(ScheduleTimeError) as refused:
        local_to_utc("2026-09-06 00:30", SANTIAGO, now=BEFORE)
    message = str(refused.value)
    assert "does not exist in America/Santiago" in message
    assert "from 00:00 to 01:00" in message and "UTC-04:00 to UTC-03:00" in message
    # Either side of the jump is fine.
    assert local_to_utc("2026-09-06 01:00", SANTIAGO, now=BEFORE) == \
        datetime(2026, 9, 6, 4, 0, tzinfo=UTC)
    assert local_to_utc("2026-09-05 23:59", SANTIAGO, now=BEFORE) == \
        datetime(2026, 9, 6, 3, 59, tzinfo=UTC)


def test_a_half_hour_gap_is_found_too():
    with pytest.raises(ScheduleTimeError, match="from 02:00 to 02:30"):
        local_to_utc("2026-10-04 02:15", "Australia/Lord_Howe", now=BEFORE)


def test_a_time_that_happens_twice_names_both_instants_and_an_offset_chooses():
    # On 4 April 2026 Santiago's clocks went back from 24:00 (UTC-3) to 23:00 (UTC-4).
    with pytest.raises(ScheduleTimeError) as refused:
        local_to_utc("2026-04-04 23:30", SANTIAGO, now=BEFORE)
    message = str(refused.value)
    assert "happens twice in America/Santiago" in message
    assert "02:30 UTC (UTC-03:00)" in message and "03:30 UTC (UTC-04:00)" in message
    assert local_to_utc("2026-04-04 23:30 -03:00", SANTIAGO, now=BEFORE) == \
        datetime(2026, 4, 5, 2, 30, tzinfo=UTC)
    assert local_to_utc("2026-04-04 23:30 -0400", SANTIAGO, now=BEFORE) == \
        datetime(2026, 4, 5, 3, 30, tzinfo=UTC)
    with pytest.raises(ScheduleTimeError, match="is UTC-03:00 or UTC-04:00, not UTC\\+01:00"):
        local_to_utc("2026-04-04 23:30 +01:00", SANTIAGO, now=BEFORE)
    # UTC itself is always one instant.
    assert local_to_utc("2026-04-04 23:30Z", SANTIAGO, now=BEFORE) == \
        datetime(2026, 4, 4, 23, 30, tzinfo=UTC)


def test_a_past_time_is_refused_with_the_time_there_now():
    now = datetime(2026, 12, 24, 12, 0, tzinfo=UTC)
    with pytest.raises(ScheduleTimeError) as refused:
        local_to_utc("2026-12-24 08:00", SANTIAGO, now=now)
    assert "is in the past" in str(refused.value)
    assert "2026-12-24 09:00 there now" in str(refused.value)
    with pytest.raises(ScheduleTimeError, match="in the past"):
        local_to_utc("2026-12-24 09:00", SANTIAGO, now=now)  # exactly now
    assert local_to_utc("2026-12-24 09:01", SANTIAGO, now=now) > now


@pytest.mark.parametrize("text", ["", "tomorrow", "2026-02-30 10:00", "2026-12-24",
                                  "2026-12-24 25:00", "2026-12-24 08:00 +25:00"])
def test_what_is_not_a_time_is_refused(text):
    with pytest.raises(ScheduleTimeError):
        local_to_utc(text, SANTIAGO, now=BEFORE)


def test_an_unknown_zone_is_refused():
    with pytest.raises(ScheduleTimeError, match="unknown time zone 'Mars/Base'"):
        local_to_utc("2026-12-24 08:00", "Mars/Base", now=BEFORE)


# --- services and the job ---------------------------------------------------------------

def make_article(number: int, status=Article.Status.HELD, **fields) -> Article:
    defaults = {"agency": services.agency_ensure(code="AFP"), "identity": f"id-{number}",
                "fingerprint": "f", "headline": f"Story number {number}",
                "published_at": timezone.now() - timedelta(hours=1), "status": status}
    return Article.objects.create(**(defaults | fields))


def last_schedule_entry() -> AuditEntry:
    return AuditEntry.objects.filter(action="article.schedule").order_by("id").last()


def status_of(article: Article) -> str:
    return Article.objects.values_list("status", flat=True).get(pk=article.pk)


@pytest.mark.django_db
def test_a_held_article_is_published_when_due_and_not_before():
    article = make_article(1)
    now = timezone.now()
    at = now + timedelta(hours=2)
    services.schedule_publish(article=article, at=at, actor="cli", time_zone=SANTIAGO,
                              edition="chile-sun", now=now)
    assert status_of(article) == Article.Status.HELD
    entry = AuditEntry.objects.get(action="article.schedule")
    assert entry.details == {"publish": at.isoformat(), "time_zone": SANTIAGO}
    assert entry.edition_slug == "chile-sun"

    early = services.publish_scheduled(now=at - timedelta(seconds=1))
    assert not early.done and status_of(article) == Article.Status.HELD

    report = services.publish_scheduled(now=at)
    assert report.published == [article.pk]
    assert status_of(article) == Article.Status.PUBLISHED
    assert not Schedule.objects.exists()
    done = AuditEntry.objects.get(action="article.publish")
    assert done.actor_label == scheduling.JOB_ACTOR and done.target_id == str(article.pk)
    # Exactly once: the next turns find nothing.
    assert not services.publish_scheduled(now=at + timedelta(minutes=5)).done
    assert AuditEntry.objects.filter(action="article.publish").count() == 1


@pytest.mark.django_db
def test_a_public_article_is_unpublished_as_scheduled():
    article = make_article(2, status=Article.Status.PUBLISHED)
    now = timezone.now()
    services.schedule_unpublish(article=article, at=now + timedelta(minutes=30), actor="cli",
                                now=now)
    report = services.publish_scheduled(now=now + timedelta(hours=1))
    assert report.unpublished == [article.pk]
    article.refresh_from_db()
    assert article.status == Article.Status.HELD
    assert article.status_reason == "unpublished as scheduled"
    assert AuditEntry.objects.filter(action="article.unpublish",
                                     actor_label="job:publish-scheduled").count() == 1


@pytest.mark.django_db
def test_publish_then_unpublish_in_order_even_when_both_are_overdue():
    article = make_article(3)
    now = timezone.now()
    services.schedule_publish(article=article, at=now + timedelta(hours=1), actor="cli",
                              now=now)
    services.schedule_unpublish(article=article, at=now + timedelta(hours=2), actor="cli",
                                now=now)
    report = services.publish_scheduled(now=now + timedelta(hours=3))
    assert report.published == [article.pk] and report.unpublished == [article.pk]
    assert status_of(article) == Article.Status.HELD


@pytest.mark.django_db
def test_a_killed_article_is_never_published_and_a_kill_cancels_its_schedule():
    article = make_article(4)
    now = timezone.now()
    services.schedule_publish(article=article, at=now + timedelta(hours=1), actor="cli",
                              now=now)
    services.article_kill(article=article, reason="legal")
    assert not Schedule.objects.exists()
    assert not services.publish_scheduled(now=now + timedelta(hours=2)).done
    assert status_of(article) == Article.Status.KILLED
    with pytest.raises(services.ServiceError, match="killed"):
        services.schedule_publish(article=article, at=now + timedelta(hours=1), actor="cli",
                                  now=now)


@pytest.mark.django_db
def test_the_job_skips_a_killed_article_whose_row_is_still_there():
    # Killed behind the services' back (a bulk update): the job checks the status itself.
    article = make_article(5)
    now = timezone.now()
    services.schedule_publish(article=article, at=now + timedelta(hours=1), actor="cli",
                              now=now)
    Article.objects.filter(pk=article.pk).update(status=Article.Status.KILLED)
    report = services.publish_scheduled(now=now + timedelta(hours=2))
    assert report.published == [] and report.skipped
    assert status_of(article) == Article.Status.KILLED


@pytest.mark.django_db
def test_refusals():
    now = timezone.now()
    public = make_article(6, status=Article.Status.PUBLISHED)
    held = make_article(7)
    with pytest.raises(ScheduleTimeError, match="in the past"):
        services.schedule_publish(article=held, at=now - timedelta(minutes=1), actor="cli",
                                  now=now)
    with pytest.raises(ScheduleTimeError, match="published already"):
        services.schedule_publish(article=public, at=now + timedelta(hours=1), actor="cli",
                                  now=now)
    with pytest.raises(ScheduleTimeError, match="nothing to unpublish"):
        services.schedule_unpublish(article=held, at=now + timedelta(hours=1), actor="cli",
                                    now=now)
    services.schedule_publish(article=held, at=now + timedelta(hours=2), actor="cli", now=now)
    with pytest.raises(ScheduleTimeError, match="unpublish it after that"):
        services.schedule_unpublish(article=held, at=now + timedelta(hours=1), actor="cli",
                                    now=now)
    assert not Schedule.objects.filter(action="unpublish").exists()


@pytest.mark.django_db
def test_rescheduling_moves_the_time_and_cancel_removes_it():
    article = make_article(8)
    now = timezone.now()
    services.schedule_publish(article=article, at=now + timedelta(hours=1), actor="cli",
                              now=now)
    services.schedule_publish(article=article, at=now + timedelta(hours=3), actor="cli",
                              now=now)
    assert Schedule.objects.get().due_at == now + timedelta(hours=3)
    assert "replaces" in last_schedule_entry().details
    assert services.schedule_cancel(article=article, actor="cli") == 1
    assert services.schedule_cancel(article=article, actor="cli") == 0
    assert "cancelled" in last_schedule_entry().details
    assert not services.publish_scheduled(now=now + timedelta(hours=4)).done
    assert status_of(article) == Article.Status.HELD


@pytest.mark.django_db
def test_publishing_as_scheduled_is_a_change_partners_and_pages_hear_of():
    from wiredesk.editions.services import edition_save, place_in_editions
    from wiredesk.publishing.models import Change
    from wiredesk.publishing.stamps import current_stamp

    edition = edition_save(name="Chile Sun", time_zone=SANTIAGO)
    article = make_article(9)
    place_in_editions(article, [edition.pk])
    now = timezone.now()
    generation = current_stamp(edition.pk).generation
    last_change = Change.objects.filter(article_id=article.pk).order_by("-id").first().pk
    services.schedule_publish(article=article, at=now + timedelta(minutes=1), actor="cli",
                              now=now)
    # Scheduling itself changes nothing anybody reads.
    assert current_stamp(edition.pk).generation == generation
    assert Change.objects.filter(article_id=article.pk).order_by("-id").first().pk == \
        last_change
    services.publish_scheduled(now=now + timedelta(minutes=2))
    assert current_stamp(edition.pk).generation > generation
    assert Change.objects.filter(article_id=article.pk).order_by("-id").first().pk > \
        last_change


@pytest.mark.django_db
def test_a_row_another_worker_claimed_is_left_alone():
    article = make_article(10)
    now = timezone.now()
    services.schedule_publish(article=article, at=now + timedelta(minutes=1), actor="cli",
                              now=now)
    pk = Schedule.objects.get().pk
    Schedule.objects.filter(pk=pk).delete()  # the other worker's claim
    report = scheduling.ScheduleReport()
    scheduling._carry_out(pk, now + timedelta(minutes=2), report)
    assert not report.done and status_of(article) == Article.Status.HELD


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_publish_each_article_once():
    if connection.vendor != "postgresql":
        pytest.skip("row locks between connections: the PostgreSQL pass")
    now = timezone.now()
    articles = [make_article(100 + n) for n in range(12)]
    for article in articles:
        services.schedule_publish(article=article, at=now + timedelta(minutes=1),
                                  actor="cli", now=now)
    reports, start = [], threading.Barrier(2)

    def worker():
        try:
            start.wait()
            reports.append(services.publish_scheduled(now=now + timedelta(minutes=2)))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    published = sorted(pk for report in reports for pk in report.published)
    assert published == sorted(a.pk for a in articles)
    assert AuditEntry.objects.filter(action="article.publish").count() == len(articles)


@pytest.mark.django_db
def test_the_job_is_listed_every_minute_and_idle_when_nothing_is_due():
    assert any(p.name == "publish-scheduled" and p.task == "newsroom.publish_scheduled"
               and p.every == 60.0 for p in PERIODIC)
    assert isinstance(task_named("newsroom.publish_scheduled").run(), Idle)
    article = make_article(11)
    Schedule.objects.create(article=article, action="publish",
                            due_at=timezone.now() - timedelta(seconds=1))
    assert task_named("newsroom.publish_scheduled").run() == "1 published, 0 unpublished " \
                                                             "as scheduled"


@pytest.mark.django_db
@pytest.mark.parametrize("changed_copy", [False, True])
def test_the_source_withholding_an_item_cancels_its_scheduled_publication(changed_copy):
    from wiredesk.wire.normalize import normalize
    from wiredesk.wire.types import WireItem

    agency = services.agency_ensure(code="AFP")

    def arrive(status: str, body: str = "<p>Port workers end their strike.</p>"):
        item = WireItem(title="Port strike ends", guid="afp-1", body=body, status=status,
                        published=timezone.now() - timedelta(hours=1))
        return services.store_item(normalize(item, zone="UTC"), agency=agency).article

    article = arrive("usable")
    services.article_hold(article=article, reason="checking")
    now = timezone.now()
    services.schedule_publish(article=article, at=now + timedelta(hours=1), actor="cli",
                              now=now)
    arrive("withheld", body="<p>Port workers end their strike, for now.</p>"
           if changed_copy else "<p>Port workers end their strike.</p>")
    assert not Schedule.objects.exists()
    assert last_schedule_entry().actor_label == "agency:AFP"
    assert not services.publish_scheduled(now=now + timedelta(hours=2)).done
    assert status_of(article) == Article.Status.HELD
