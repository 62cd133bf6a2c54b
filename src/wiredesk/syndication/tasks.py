"""Celery tasks for pushes to partners and WebSub: take ids, call services.

With a broker, beat runs ``syndication.push_due`` every few seconds: it plans every
partner's deliveries and queues one ``syndication.push_partner`` per partner with
deliveries due, so partners are pushed side by side on any number of workers (claims
never overlap). Without one, ``wiredesk serve``'s scheduler runs ``push_due`` in-process,
where each partner gets its own thread.
"""

from __future__ import annotations

from celery import shared_task

# A queued partner push gives the next one its turn after this long at most.
PARTNER_BUDGET = 120.0


@shared_task(name="syndication.push_partner", acks_late=True, ignore_result=True)
def push_partner(partner_id: int) -> str:
    from wiredesk.syndication.sending import push_partner as push

    return push(partner_id, budget=PARTNER_BUDGET).summary()


@shared_task(name="syndication.push_due", ignore_result=True)
def push_due() -> str:
    from django.utils import timezone

    from wiredesk.core.taskqueue import Idle, broker_configured
    from wiredesk.syndication.models import Delivery, Partner
    from wiredesk.syndication.sending import PushReport, recover_stale_claims
    from wiredesk.syndication.sending import push_due as push
    from wiredesk.syndication.services import plan_partner

    if not broker_configured():
        report = push(budget=PARTNER_BUDGET)
        return Idle(report.summary()) if report.nothing_done else report.summary()
    report = PushReport(recovered=recover_stale_claims())
    for partner in Partner.objects.filter(active=True):
        report.planned += plan_partner(partner).planned
    due = set(Delivery.objects.filter(partner__active=True, state=Delivery.State.PENDING,
                                      next_attempt_at__lte=timezone.now())
              .values_list("partner_id", flat=True))
    for partner_id in due:
        push_partner.delay(partner_id)
    outcome = f"planned {report.planned}; queued {len(due)} partner push(es)"
    return Idle(outcome) if not (report.planned or due) else outcome


@shared_task(name="syndication.websub_due", ignore_result=True)
def websub_due() -> str:
    from wiredesk.core.taskqueue import Idle
    from wiredesk.syndication.websub import websub_run

    report = websub_run()
    return Idle(report.summary()) if report.nothing_done else report.summary()


@shared_task(name="syndication.websub_verify", ignore_result=True)
def websub_verify(subscription_id: int) -> str:
    from wiredesk.syndication.websub import verify_intent

    return verify_intent(subscription_id)
