"""The publish-static job (core.taskqueue.PERIODIC, when WIREDESK_STATIC_DIR is set)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="staticsite.publish_changed", ignore_result=True)
def publish_changed() -> str:
    from wiredesk.core.taskqueue import Idle
    from wiredesk.staticsite.mirror import publish_changed as run

    reports = run()
    outcome = "; ".join(r.summary() for r in reports) or "static copy current"
    return outcome if reports else Idle(outcome)
