"""Celery tasks for operations: thin wrappers that call ``ops.wire_health``."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="ops.watch_feeds", ignore_result=True)
def watch_feeds() -> str:
    from wiredesk.core.taskqueue import Idle
    from wiredesk.ops.wire_health import watch_feeds as watch

    outcome = watch()
    return str(outcome) if outcome.went_silent or outcome.recovered else Idle(str(outcome))
