"""Celery tasks for the digest: take ids, call services; safe to retry or run twice.

With a broker, beat runs ``digest.send_due`` every minute: it plans the deliveries whose
slot has come and queues senders; several workers may send one edition at once, since
claims never overlap. Without a broker, ``wiredesk serve``'s scheduler calls
``send_due.run()`` and everything happens in that process. Tasks call services; services
queue a task by its name (``taskqueue.dispatch``), never by importing this module.
"""

from __future__ import annotations

import logging

from celery import shared_task

from wiredesk.core.locks import single_flight

log = logging.getLogger(__name__)

SENDERS_PER_EDITION = 4
MESSAGES_PER_SENDER = 500


@shared_task(name="digest.send_notice", acks_late=True, ignore_result=True)
def send_notice(subscriber_id: int, kind: str) -> str:
    from wiredesk.digest.models import Subscriber
    from wiredesk.digest.services import notice_send

    subscriber = Subscriber.objects.select_related("edition").filter(pk=subscriber_id).first()
    if subscriber is None:
        return "no such subscriber"
    notice_send(subscriber=subscriber, kind=kind)
    return "sent"


@shared_task(name="digest.send_edition", acks_late=True, ignore_result=True)
def send_edition(edition_id: int) -> str:
    from wiredesk.digest.sending import send_pending
    from wiredesk.editions.models import Edition

    edition = Edition.objects.filter(pk=edition_id).first()
    if edition is None:
        return "no such edition"
    return send_pending(edition=edition).summary()


@shared_task(name="digest.send_due", ignore_result=True)
def send_due() -> str:
    from django.db.models import Count

    from wiredesk.core.taskqueue import Idle, broker_configured
    from wiredesk.digest.models import Delivery
    from wiredesk.digest.sending import send_pending
    from wiredesk.digest.services import digest_plan

    with single_flight("digest-plan", ttl=600) as acquired:
        plan = digest_plan() if acquired else None
    waiting = (Delivery.objects.filter(state=Delivery.State.PENDING)
               .values("edition_id").annotate(n=Count("id")))
    if not broker_configured():
        report = send_pending()
        outcome = f"planned {plan.planned if plan else 0}; {report.summary()}"
        return Idle(outcome) if not (plan and plan.planned) and report.nothing_done else outcome
    queued = 0
    for row in waiting:
        senders = min(SENDERS_PER_EDITION, 1 + row["n"] // MESSAGES_PER_SENDER)
        for _ in range(senders):
            send_edition.delay(row["edition_id"])
            queued += 1
    return f"planned {plan.planned if plan else 0}; queued {queued} senders"


@shared_task(name="digest.fetch_bounces", ignore_result=True)
def fetch_bounces() -> str:
    """Read the bounce mailbox once (the ``fetch-bounces`` job)."""
    from wiredesk.core.taskqueue import Idle
    from wiredesk.digest.bounces import bounces_fetch
    from wiredesk.inbox import MailboxError

    with single_flight("fetch-bounces", ttl=900) as acquired:
        if not acquired:
            return Idle("another run is reading the bounce mailbox")
        try:
            report = bounces_fetch()
        except MailboxError as exc:
            # The mailbox's server down or the password changed: one clear line a turn,
            # not a traceback; nothing is lost, the mail waits there.
            log.warning("bounce mailbox not read: %s", exc)
            return f"bounce mailbox not read: {exc}"
    return report.summary() if report.read else Idle(report.summary())
