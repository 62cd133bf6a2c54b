"""Celery tasks for publishing: thin wrappers that call the change stream's services."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="publishing.log_embargo_lifts", ignore_result=True)
def log_embargo_lifts() -> str:
    from wiredesk.core.taskqueue import Idle
    from wiredesk.publishing.changes import lift_due_embargoes

    lifted = lift_due_embargoes()
    outcome = f"{lifted} embargo lift(s) logged"
    return outcome if lifted else Idle(outcome)


@shared_task(name="publishing.prune_changes", ignore_result=True)
def prune_changes() -> str:
    from wiredesk.core.taskqueue import Idle
    from wiredesk.publishing.changes import prune_changes as prune

    pruned = prune()
    outcome = f"{pruned} change(s) of withdrawn articles pruned"
    return outcome if pruned else Idle(outcome)
