"""Background work at scale: one Celery app, used only when a broker is configured.

Tasks take ids and call services; they are idempotent and safe to retry. Without a
broker (the embedded default) the same services run from ``wiredesk serve``'s
in-process scheduler (jobs.py) and ``dispatch`` runs a task inline.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiredesk.settings")

app = Celery("wiredesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["wiredesk.newsroom", "wiredesk.digest"])


def broker_configured() -> bool:
    from django.conf import settings

    return bool(settings.CELERY_BROKER_URL)


def dispatch(task, *args, **kwargs):
    """Queue a task when a broker is configured, else run it here and now."""
    if broker_configured():
        return task.delay(*args, **kwargs)
    return task.run(*args, **kwargs)
