"""Pushing deliveries: claim, render, sign, send, record; at least once, in order of need.

State machine of a delivery::

    pending --claim--> sending(claim_token, claimed_at) --> acked
                                                      \\--> pending (no 2xx: backoff)
                                                      \\--> dead (refused address, or
                                                      \\          attempts/age used up)
                                                      \\--> superseded (a newer state is owed)

Claiming is one conditional UPDATE (``WHERE state = 'pending'``) of rows picked with
``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL (a plain select on SQLite, where the
condition alone keeps claims apart), so two workers never hold the same delivery. A
worker sends its claim strictly in order (kills and withdrawals first, then corrections,
then the rest; oldest first) and commits the outcomes, with their ledger rows, at most
``RECORD_EVERY`` acknowledged pushes (or half a second) apart, and a failure at once.
When a worker dies, of the rows it still holds only the first ``RECORD_EVERY`` can have
been on the wire: they go back to ``pending`` with a ledger row saying the outcome is
unknown, and are sent again with the same ``Idempotency-Key``; the others were never
tried and simply go back. A partner that applies each key once gets each state exactly
once; the ledger holds exactly one acknowledged attempt per delivery (an acknowledgement
the dead worker never recorded is not in it; the one of the second push is).

Each partner is pushed by its own thread (at most ``WIREDESK_PUSH_CONCURRENCY`` at once),
with its own time limit per delivery, and a partner that fails one delivery is left
alone until the next run: a slow or dead partner costs its own queue, never another's.
Retries wait a random time between 0 and ``WIREDESK_PUSH_RETRY_BASE * 2**(attempt - 1)``
seconds, capped at ``WIREDESK_PUSH_RETRY_CAP`` ("full jitter": partners coming back from
an outage are not hit by every sender at the same instant); a ``Retry-After`` is
honoured up to the cap. After ``WIREDESK_PUSH_MAX_ATTEMPTS`` attempts or
``WIREDESK_PUSH_MAX_AGE_HOURS`` hours, or at once for an address the fetch policy
refuses, a delivery is a dead letter: kept, listed in the admin and by
``wiredesk partner deliveries NAME --dead``, and sent again by the admin action or
``wiredesk partner resend``.
"""

from __future__ import annotations

import logging
import random
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, connection, connections, transaction
from django.db.models import F
from django.utils import timezone

from wiredesk.publishing import changes
from wiredesk.syndication import formats, signing, transports
from wiredesk.syndication.models import Attempt, Delivery, Partner
from wiredesk.syndication.services import articles_with_placements, current_state, plan_partner

log = logging.getLogger(__name__)

# Acknowledged pushes whose outcomes are committed together: one transaction per push
# costs more than the push itself, and a dead worker's claim says how many may be unknown.
RECORD_EVERY = 20
RECORD_SECONDS = 0.5


@dataclass
class PushReport:
    planned: int = 0
    acked: int = 0
    retry: int = 0
    dead: int = 0
    superseded: int = 0
    recovered: int = 0
    partners: dict[str, str] = field(default_factory=dict)  # name: why it stopped early

    def add(self, other: PushReport) -> None:
        for name in ("planned", "acked", "retry", "dead", "superseded", "recovered"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.partners.update(other.partners)

    @property
    def nothing_done(self) -> bool:
        return not (self.planned or self.acked or self.retry or self.dead or self.superseded
                    or self.recovered)

    def summary(self) -> str:
        text = (f"planned {self.planned}; acked {self.acked}, retry {self.retry}, "
                f"dead {self.dead}, superseded {self.superseded}")
        if self.recovered:
            text += f"; {self.recovered} recovered from a stopped worker"
        return text


# --- claims ----------------------------------------------------------------------------

def claim(partner_id: int, *, size: int, now: datetime | None = None
          ) -> tuple[str, list[Delivery]]:
    """Claim up to ``size`` due deliveries of one partner, in the order they go out."""
    now = now or timezone.now()
    token = secrets.token_hex(16)
    with transaction.atomic():
        due = Delivery.objects.filter(partner_id=partner_id, state=Delivery.State.PENDING,
                                      next_attempt_at__lte=now)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.order_by("priority", "pk").values_list("pk", flat=True)[:size])
        if ids:
            # The state condition keeps claims apart even where rows are not locked.
            Delivery.objects.filter(pk__in=ids, state=Delivery.State.PENDING).update(
                state=Delivery.State.SENDING, claim_token=token, claimed_at=now)
    if not ids:
        return token, []
    claimed = list(Delivery.objects.filter(claim_token=token, state=Delivery.State.SENDING)
                   .order_by("priority", "pk"))
    return token, claimed


def release(token: str, ids: list[int]) -> int:
    """Hand back claimed deliveries that were never tried."""
    return Delivery.objects.filter(pk__in=ids, claim_token=token,
                                   state=Delivery.State.SENDING).update(
        state=Delivery.State.PENDING, claim_token="", claimed_at=None)


def recover_stale_claims(*, now: datetime | None = None) -> int:
    """Free the claims of workers that died (see the module docstring for the rule)."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.WIREDESK_PUSH_CLAIM_TIMEOUT)
    recovered = 0
    tokens = set(Delivery.objects.filter(state=Delivery.State.SENDING, claimed_at__lt=cutoff)
                 .values_list("claim_token", flat=True))
    for token in tokens:
        with transaction.atomic():
            held = list(Delivery.objects.select_for_update()
                        .filter(state=Delivery.State.SENDING, claim_token=token,
                                claimed_at__lt=cutoff).order_by("priority", "pk"))
            if not held:
                continue
            maybe_sent, never_tried = held[:RECORD_EVERY], held[RECORD_EVERY:]
            release(token, [d.pk for d in never_tried])
            note = ("outcome unknown: the worker pushing it stopped (claimed "
                    f"{held[0].claimed_at:%Y-%m-%d %H:%M:%S} UTC); sent again with the same "
                    "Idempotency-Key")
            Delivery.objects.filter(pk__in=[d.pk for d in maybe_sent], claim_token=token).update(
                state=Delivery.State.PENDING, claim_token="", claimed_at=None,
                attempts=F("attempts") + 1, next_attempt_at=now, last_error=note)
            Attempt.objects.bulk_create([
                Attempt(delivery=d, partner_id=d.partner_id, number=d.attempts + 1, at=now,
                        error=note) for d in maybe_sent])
            recovered += len(held)
    if recovered:
        log.warning("recovered %d delivery claim(s) of stopped workers", recovered)
    return recovered


# --- one delivery ----------------------------------------------------------------------

def backoff(attempts: int, retry_after: float | None = None) -> float:
    """Seconds until the next try: full jitter on a capped exponential, at least what the
    partner asked for (within the cap)."""
    cap = settings.WIREDESK_PUSH_RETRY_CAP
    ceiling = min(cap, settings.WIREDESK_PUSH_RETRY_BASE * 2 ** max(attempts - 1, 0))
    delay = random.uniform(0, ceiling)
    if retry_after:
        delay = max(delay, min(retry_after, cap))
    return delay


def _document(partner: Partner, delivery: Delivery, item: formats.ItemState
              ) -> transports.Document:
    body, content_type = formats.render_for_partner(item, partner.format)
    return transports.Document(
        body=body, content_type=content_type, key=delivery.key, action=delivery.action,
        attempt=delivery.attempts + 1, signature=signing.sign(body, partner.signing_secrets()),
        filename=f"{delivery.key}.{formats.EXTENSIONS.get(partner.format, 'dat')}")


def _record(partner: Partner, delivery: Delivery, token: str, outcome: transports.Outcome,
            now: datetime) -> str:
    """Commit one outcome and its ledger row; what became of the delivery."""
    attempt = delivery.attempts + 1
    mine = Delivery.objects.filter(pk=delivery.pk, claim_token=token,
                                   state=Delivery.State.SENDING)
    fields: dict = {"attempts": attempt, "claim_token": "", "last_status": outcome.status}
    if outcome.acked:
        fields.update(state=Delivery.State.ACKED, acked_at=now, last_error="")
        became = "acked"
    else:
        age = now - delivery.started_at
        too_old = age > timedelta(hours=settings.WIREDESK_PUSH_MAX_AGE_HOURS)
        if outcome.permanent or attempt >= settings.WIREDESK_PUSH_MAX_ATTEMPTS or too_old:
            why = ("refused for good" if outcome.permanent else
                   f"gave up after {attempt} attempts" if not too_old else
                   f"gave up after {age.total_seconds() / 3600:.0f} hours")
            fields.update(state=Delivery.State.DEAD, last_error=f"{why}: {outcome.error}")
            became = "dead"
        else:
            fields.update(state=Delivery.State.PENDING, claimed_at=None,
                          last_error=outcome.error,
                          next_attempt_at=now + timedelta(
                              seconds=backoff(attempt, outcome.retry_after)))
            became = "retry"
    with transaction.atomic():
        if not mine.update(**fields):
            # A stopped-worker recovery took the claim meanwhile: it is that push's now.
            log.error("delivery %s to %s finished after its claim was taken over",
                      delivery.key, partner.name)
            return "lost"
        Attempt.objects.create(delivery_id=delivery.pk, partner_id=partner.pk, number=attempt,
                               at=now, duration_ms=int(outcome.seconds * 1000),
                               status_code=outcome.status, acked=outcome.acked,
                               error=outcome.error)
    return became


def _record_acks(partner: Partner, token: str,
                 acks: list[tuple[Delivery, transports.Outcome, datetime]]) -> int:
    """Commit acknowledged pushes together, each with its ledger row; how many were ours."""
    if not acks:
        return 0
    with transaction.atomic():
        mine = Delivery.objects.filter(pk__in=[d.pk for d, _, _ in acks], claim_token=token,
                                       state=Delivery.State.SENDING)
        if connection.features.has_select_for_update:
            mine = mine.select_for_update()
        held = set(mine.values_list("pk", flat=True))
        lost = [d.key for d, _, _ in acks if d.pk not in held]
        if lost:
            # A stopped-worker recovery took the claim meanwhile: those pushes are its now.
            log.error("deliveries %s to %s finished after their claim was taken over",
                      ", ".join(lost), partner.name)
        kept = [(d, o, at) for d, o, at in acks if d.pk in held]
        by_status: dict[int | None, list[int]] = {}
        for delivery, outcome, _at in kept:
            by_status.setdefault(outcome.status, []).append(delivery.pk)
        acked_at = kept[-1][2] if kept else timezone.now()
        for status, ids in by_status.items():
            Delivery.objects.filter(pk__in=ids).update(
                state=Delivery.State.ACKED, attempts=F("attempts") + 1, claim_token="",
                acked_at=acked_at, last_status=status, last_error="")
        Attempt.objects.bulk_create([
            Attempt(delivery_id=d.pk, partner_id=partner.pk, number=d.attempts + 1, at=at,
                    duration_ms=int(o.seconds * 1000), status_code=o.status, acked=True)
            for d, o, at in kept])
    return len(kept)


def _supersede(delivery: Delivery, token: str) -> None:
    Delivery.objects.filter(pk=delivery.pk, claim_token=token,
                            state=Delivery.State.SENDING).update(
        state=Delivery.State.SUPERSEDED, claim_token="",
        last_error="the article changed again: its newer state is owed instead")


# --- one partner -----------------------------------------------------------------------

def push_partner(partner_id: int, *, budget: float | None = None) -> PushReport:
    """Push one partner's due deliveries until none are due, one fails, or ``budget``
    seconds have passed."""
    report = PushReport()
    partner = Partner.objects.filter(pk=partner_id, active=True).first()
    if partner is None:
        return report
    connection_kept = transports.session() if partner.transport == "webhook" else None
    try:
        return _push_queue(partner, report, budget, connection_kept)
    finally:
        if connection_kept is not None:
            connection_kept.close()


def _push_queue(partner: Partner, report: PushReport, budget: float | None,
                connection_kept) -> PushReport:
    send = transports.SENDERS[partner.transport]
    timeout = partner.timeout or settings.WIREDESK_PUSH_TIMEOUT
    lease = settings.WIREDESK_PUSH_CLAIM_TIMEOUT
    started = time.monotonic()
    while budget is None or time.monotonic() - started < budget:
        token, batch = claim(partner.pk, size=settings.WIREDESK_PUSH_BATCH)
        if not batch:
            return report
        claimed_at = acks_since = time.monotonic()
        acks: list[tuple[Delivery, transports.Outcome, datetime]] = []
        articles = articles_with_placements({d.article_id for d in batch})
        for index, delivery in enumerate(batch):
            over_budget = budget is not None and time.monotonic() - started >= budget
            if over_budget or time.monotonic() - claimed_at > lease / 2:
                # Handed back unstarted, so no live claim ever looks like a dead worker's.
                report.acked += _record_acks(partner, token, acks)
                acks = []
                release(token, [d.pk for d in batch[index:]])
                break
            article = articles.get(delivery.article_id)
            now_state = current_state(partner, delivery.article_id, article, delivery.version)
            if now_state != (delivery.version, delivery.action, delivery.reason):
                _supersede(delivery, token)
                report.superseded += 1
                continue
            item = formats.ItemState(
                article_id=delivery.article_id, version=delivery.version,
                action=delivery.action, reason=delivery.reason, article=article,
                edition=partner.edition, key=delivery.key)
            try:
                outcome = send(partner.url, _document(partner, delivery, item),
                               timeout=timeout, session=connection_kept)
            except formats.FormatUnavailable as exc:
                outcome = transports.Outcome(False, error=str(exc))
            if outcome.acked:
                acks.append((delivery, outcome, timezone.now()))
                if len(acks) >= RECORD_EVERY or time.monotonic() - acks_since > RECORD_SECONDS:
                    report.acked += _record_acks(partner, token, acks)
                    acks, acks_since = [], time.monotonic()
                continue
            report.acked += _record_acks(partner, token, acks)
            acks = []
            became = _record(partner, delivery, token, outcome, timezone.now())
            if became in ("retry", "dead"):
                setattr(report, became, getattr(report, became) + 1)
                _note_error(partner, outcome.error)
            # A partner that did not take one is left alone until the next run.
            release(token, [d.pk for d in batch[index + 1:]])
            report.partners[partner.name] = outcome.error
            return report
        report.acked += _record_acks(partner, token, acks)
        acks = []
        if report.acked:
            Partner.objects.filter(pk=partner.pk).update(last_acked_at=timezone.now())
    return report


def _note_error(partner: Partner, error: str) -> None:
    Partner.objects.filter(pk=partner.pk).update(last_error=error[:2000],
                                                 last_error_at=timezone.now())


def _in_thread(partner_id: int, budget: float | None) -> PushReport:
    close_old_connections()
    try:
        return push_partner(partner_id, budget=budget)
    except Exception:
        log.exception("pushing to partner %s failed", partner_id)
        return PushReport()
    finally:
        connections.close_all()  # this thread's own


# --- a run -----------------------------------------------------------------------------

def push_due(*, partner_ids: list[int] | None = None, budget: float | None = None,
             concurrency: int | None = None) -> PushReport:
    """One run: free dead workers' claims, plan every active partner, push each partner's
    due deliveries (partners side by side, each in its own thread)."""
    report = PushReport(recovered=recover_stale_claims())
    if changes.lifts_due():
        changes.lift_due_embargoes()
    partners = Partner.objects.filter(active=True)
    if partner_ids is not None:
        partners = partners.filter(pk__in=partner_ids)
    for partner in partners:
        report.planned += plan_partner(partner).planned
    due = list(Delivery.objects.filter(partner__in=partners, state=Delivery.State.PENDING,
                                       next_attempt_at__lte=timezone.now())
               .values_list("partner_id", flat=True).distinct())
    workers = min(concurrency or settings.WIREDESK_PUSH_CONCURRENCY, len(due))
    if workers <= 1 or _in_memory():
        for partner_id in due:
            report.add(push_partner(partner_id, budget=budget))
        return report
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="push") as pool:
        for each in pool.map(lambda pid: _in_thread(pid, budget), due):
            report.add(each)
    return report


def _in_memory() -> bool:
    # An in-memory SQLite database (tests) is not the one other threads' connections see.
    name = str(connection.settings_dict.get("NAME"))
    return connection.vendor == "sqlite" and (":memory:" in name or "mode=memory" in name)
