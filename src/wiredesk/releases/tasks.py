"""Celery tasks for news releases: thin wrappers that call services."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="releases.prune_images", ignore_result=True)
def prune_images() -> str:
    from wiredesk.core.taskqueue import Idle
    from wiredesk.releases.services import release_images_prune

    removed = release_images_prune()
    outcome = f"{removed} unused release images deleted"
    return outcome if removed else Idle(outcome)
