"""The push and WebSub jobs: in the embedded scheduler, and as Celery tasks."""

from __future__ import annotations

import pytest

from tests.syndication.helpers import ingest
from wiredesk import jobs
from wiredesk.core.taskqueue import PERIODIC, Idle, app, task_named
from wiredesk.editions.services import edition_save
from wiredesk.syndication.models import Delivery
from wiredesk.syndication.services import partner_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager_celery():
    """Tasks queued with .delay() run at once, in this process (no worker needed)."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def test_the_jobs_are_in_the_one_periodic_list():
    names = {p.name: p.task for p in PERIODIC}
    assert names["push-partners"] == "syndication.push_due"
    assert names["websub"] == "syndication.websub_due"
    assert {"push-partners", "websub"} <= {job.name for job in jobs.default_jobs()}


def test_the_embedded_scheduler_pushes(tmp_path, hook, settings):
    settings.CELERY_BROKER_URL = ""
    edition_save(name="Chile Sun", time_zone="UTC")
    partner_add(name="alpha", url=hook.url, format="json", secret="partner-secret")
    assert isinstance(task_named("syndication.push_due").run(), Idle)
    ingest(tmp_path, "One")
    job = next(j for j in jobs.default_jobs() if j.name == "push-partners")
    # What the scheduler's thread calls (run_job around it only checks connections, which
    # would end this test's own transaction on PostgreSQL).
    assert "acked 1" in job.run()
    assert len(hook.received) == 1 and Delivery.objects.get().state == "acked"


def test_with_a_broker_each_partner_is_a_task_of_its_own(tmp_path, hook, second_hook,
                                                         settings, eager_celery):
    settings.CELERY_BROKER_URL = "memory://"
    edition_save(name="Chile Sun", time_zone="UTC")
    partner_add(name="alpha", url=hook.url, format="json", secret="partner-secret")
    partner_add(name="beta", url=second_hook.url, format="json", secret="second-secret")
    ingest(tmp_path, "One")
    outcome = task_named("syndication.push_due").run()
    assert outcome == "planned 2; queued 2 partner push(es)"
    assert len(hook.received) == 1 and len(second_hook.received) == 1
    assert set(Delivery.objects.values_list("state", flat=True)) == {"acked"}
