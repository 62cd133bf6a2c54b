"""Celery tasks for editions: thin wrappers that call its services."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="editions.expire_front_slots", ignore_result=True)
def expire_front_slots() -> str:
    from wiredesk.core.taskqueue import Idle
    from wiredesk.editions.curation import expire_front_slots as expire

    removed = expire()
    outcome = f"{removed} front slot(s) expired"
    return outcome if removed else Idle(outcome)
