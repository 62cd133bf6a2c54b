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
    assert {"retrain-sections", "prune-release-images"} <= set(beat)

