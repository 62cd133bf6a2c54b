"""Background work: one Celery app, and the one list of periodic jobs.

Tasks take ids and call services; they are idempotent and safe to retry. With a broker
(``REDIS_URL`` or ``WIREDESK_BROKER_URL``) Celery beat queues the periodic jobs and
workers run them; without one, ``wiredesk serve``'s in-process scheduler (``jobs.py``)
runs the same tasks from the same list, and ``dispatch`` runs a task inline.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiredesk.settings")


@dataclass(frozen=True, slots=True)
class Periodic:
    name: str
    task: str  # a registered Celery task name; the task takes no arguments
    every: float  # seconds
    # The job runs only where this setting is set (e.g. a mailbox to read), or, written
    # "SETTING=value", has that value.
    needs: str = ""

    def enabled(self) -> bool:
        from django.conf import settings

        name, _, value = self.needs.partition("=")
        if not name:
            return True
        if value:
            return getattr(settings, name, None) == value
        return bool(getattr(settings, name, None))


# The periodic work of an instance. Jobs named here by task, not imported: the plumbing
# knows no app. Feeds are each due at their own next_poll_at: "poll-feeds" only looks.
PERIODIC = (
    Periodic("poll-feeds", "newsroom.poll_due_feeds", 10.0),
    # Agency pictures recorded by ingest, fetched and stored a few at a time.
    # Story intelligence as its own stage: what ingest stored and did not enrich.
    Periodic("enrich-articles", "newsroom.enrich_due", 5.0,
             needs="WIREDESK_INTELLIGENCE=deferred"),
    Periodic("fetch-pictures", "newsroom.fetch_pictures", 15.0),
    # What the desk scheduled to be published or unpublished, when it is due.
    Periodic("publish-scheduled", "newsroom.publish_scheduled", 60.0),
    Periodic("retrain-sections", "newsroom.retrain_sections", 24 * 3600.0),
    Periodic("prune-release-images", "releases.prune_images", 3600.0),
    Periodic("send-digests", "digest.send_due", 60.0),
    # The change stream: an embargo passing is a change nobody writes.
    Periodic("log-embargo-lifts", "publishing.log_embargo_lifts", 60.0),
    Periodic("prune-changes", "publishing.prune_changes", 24 * 3600.0),
    # The desk's pinned stories whose time is up leave their front (and the page cache).
    Periodic("expire-front-slots", "editions.expire_front_slots", 60.0),
    # Feeds silent for longer than their usual gap: one log line as each goes silent or
    # recovers (the wire-health page and /metrics show it at any time).
    Periodic("watch-feeds", "ops.watch_feeds", 300.0),
    # Bounces and complaints from the bounce mailbox, when there is one.
    Periodic("fetch-bounces", "digest.fetch_bounces", 300.0, needs="WIREDESK_BOUNCE_MAILBOX"),
    # Partners' deliveries from the change stream (kills first), and WebSub pings.
    Periodic("push-partners", "syndication.push_due", 5.0),
    Periodic("websub", "syndication.websub_due", 10.0),
    # Static mode: editions whose pages changed, published again (kills go at once).
    Periodic("publish-static", "staticsite.publish_changed", 5.0, needs="WIREDESK_STATIC_DIR"),
)

app = Celery("wiredesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Lazily: whether a job is enabled depends on the settings, read when beat starts.
app.add_defaults(lambda: {"beat_schedule": {
    job.name: {"task": job.task, "schedule": job.every}
    for job in PERIODIC if job.enabled()}})
app.autodiscover_tasks()  # the tasks module of every installed app


class Idle(str):
    """What a periodic task returns when its turn found nothing to do ("planned 0; 0
    sent"): the in-process scheduler logs it at debug level, so a quiet instance's log is
    not one such line a minute."""


def broker_configured() -> bool:
    from django.conf import settings

    return bool(settings.CELERY_BROKER_URL)


def task_named(name: str):
    """The registered task ``name``, once every app's tasks module is imported."""
    app.loader.import_default_modules()
    return app.tasks[name]


def dispatch(task, *args, **kwargs):
    """Queue a task (or the task of that name) when a broker is configured, else run it
    here and now. By name, a service queues its app's task without importing it."""
    if isinstance(task, str):
        task = task_named(task)
    if broker_configured():
        return task.delay(*args, **kwargs)
    return task.run(*args, **kwargs)
