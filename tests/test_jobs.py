"""The periodic jobs: one list, run by the embedded scheduler or by Celery beat."""

import pytest


@pytest.fixture
def broker(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/6"


def test_the_beat_schedule_has_every_job_the_embedded_scheduler_runs(broker):
    from wiredesk import jobs
    from wiredesk.core.taskqueue import app

    beat = app.conf.beat_schedule
    embedded = {job.name: job.every for job in jobs.default_jobs()}
    missing = set(embedded) - set(beat)
    assert not missing, f"Celery beat never runs: {sorted(missing)}"
    for name, every in embedded.items():
        assert beat[name]["schedule"] == every, name
        assert beat[name]["task"] in app.tasks, f"no worker knows {beat[name]['task']}"
    assert {"retrain-sections", "prune-release-images", "fetch-pictures"} <= set(beat)



@pytest.mark.django_db
def test_a_turn_with_nothing_done_is_logged_at_debug_level(caplog):
    import logging

    from wiredesk import jobs
    from wiredesk.core.taskqueue import Idle

    quiet = jobs.PeriodicJob("send-digests", 60, lambda: Idle("planned 0; 0 sent"))
    busy = jobs.PeriodicJob("send-digests", 60, lambda: "planned 2; 2 sent")
    with caplog.at_level(logging.DEBUG, logger="wiredesk.jobs"):
        assert jobs.run_job(quiet) and jobs.run_job(busy)
    levels = {r.getMessage(): r.levelno for r in caplog.records if r.name == "wiredesk.jobs"}
    assert levels == {"send-digests: planned 0; 0 sent": logging.DEBUG,
                      "send-digests: planned 2; 2 sent": logging.INFO}


@pytest.mark.django_db
def test_the_periodic_tasks_say_when_they_found_nothing_to_do(tmp_path):
    from tests.conftest import rss, rss_item
    from wiredesk.core.taskqueue import Idle
    from wiredesk.digest.tasks import send_due
    from wiredesk.newsroom import services
    from wiredesk.newsroom.tasks import poll_due_feeds
    from wiredesk.releases.tasks import prune_images

    assert isinstance(send_due.run(), Idle)
    assert isinstance(prune_images.run(), Idle)
    feed_file = tmp_path / "a.rss"
    feed_file.write_bytes(rss(rss_item("g1", "Harbour story")))
    services.feed_add(source=str(feed_file), agency=services.agency_ensure(code="RFE"))
    first = poll_due_feeds.run()
    assert first == 1 and not isinstance(first, Idle)  # one new article: said at INFO
    from django.utils import timezone

    from wiredesk.newsroom.models import Feed

    Feed.objects.update(next_poll_at=timezone.now())
    again = poll_due_feeds.run()
    assert isinstance(again, Idle) and "nothing new" in again
