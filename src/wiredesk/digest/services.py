"""Writes for the digest: sign-up, confirmation, preferences, unsubscribe, erase, planning,
the public archive's issues.

Every function takes keyword arguments and does one thing; views, CLI and tasks only
parse input and call one of these. Mail goes out after commit.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext

from wiredesk import mail
from wiredesk.core.taskqueue import dispatch
from wiredesk.digest import tokens
from wiredesk.digest.bounces import suppression_lift_on_confirm
from wiredesk.digest.models import (
    DEFAULT_DELIVERY_TIME,
    ArchiveIssue,
    BounceEvent,
    Delivery,
    Digest,
    Subscriber,
)
from wiredesk.digest.schedule import last_closed_issue, local_date, next_slot
from wiredesk.digest.selectors import digest_articles, has_news
from wiredesk.editions.languages import edition_translation
from wiredesk.editions.links import edition_base_url
from wiredesk.editions.models import Edition
from wiredesk.editions.selectors import edition_sections
from wiredesk.newsroom.models import Section
from wiredesk.publishing.stamps import bump_editions

log = logging.getLogger(__name__)

MAX_LOOKBACK = timedelta(days=7)
FIRST_DIGEST_LOOKBACK = timedelta(days=1)


def subscriber_link(subscriber: Subscriber, purpose: str) -> str:
    return (f"{edition_base_url(subscriber.edition)}/digest/{purpose}/"
            f"{tokens.make_token(subscriber, purpose)}")


def _allowed_sections(edition: Edition, section_ids: Iterable[int] | None) -> list[Section]:
    if not section_ids:
        return []
    offered = {s.pk: s for s in edition_sections(edition)}
    return [offered[pk] for pk in section_ids if pk in offered]


# --- sign-up ---------------------------------------------------------------------------

def _may_mail(subscriber: Subscriber, now: datetime) -> bool:
    """At most one confirmation mail per interval and a few a day to one address,
    however often the form is posted (no mail storm at a victim's address)."""
    last = subscriber.confirmation_sent_at
    if last is None:
        return True
    if now - last < timedelta(seconds=settings.WIREDESK_DIGEST_CONFIRM_INTERVAL):
        return False
    if now - last > timedelta(days=1):
        subscriber.confirmations_sent = 0
    return subscriber.confirmations_sent < settings.WIREDESK_DIGEST_CONFIRM_PER_DAY


def subscriber_subscribe(*, edition: Edition, email: str,
                         section_ids: Iterable[int] | None = None,
                         delivery_time: time | None = None, time_zone: str = "",
                         ip: str | None = None, now: datetime | None = None) -> str:
    """Record a sign-up; returns what happened (for logs and tests, never for the page).

    The page a visitor sees is the same whatever this returns, so the form reveals
    nothing about which addresses are subscribed. A confirmed subscriber's preferences
    are not changed from the public form; they get a notice with their manage link.
    """
    now = now or timezone.now()
    sections = _allowed_sections(edition, section_ids)
    with transaction.atomic():
        subscriber, created = Subscriber.objects.select_for_update().get_or_create(
            edition=edition, email=email,
            defaults={"created_at": now, "signup_ip": ip,
                      "delivery_time": delivery_time or DEFAULT_DELIVERY_TIME,
                      "time_zone": time_zone})
        if subscriber.status == Subscriber.Status.CONFIRMED:
            outcome, notice = "already-confirmed", "already"
        else:
            outcome = "created" if created else f"was-{subscriber.status}"
            notice = "confirm"
            if subscriber.status in (Subscriber.Status.UNSUBSCRIBED,
                                     Subscriber.Status.BOUNCING):
                subscriber.link_key = secrets.token_urlsafe(12)
                subscriber.bounce_count = 0
            subscriber.status = Subscriber.Status.PENDING
            subscriber.delivery_time = delivery_time or DEFAULT_DELIVERY_TIME
            subscriber.time_zone = time_zone
            subscriber.signup_ip = ip
            subscriber.sections.set(sections)
        if not _may_mail(subscriber, now):
            subscriber.save()
            return outcome + ":throttled"
        subscriber.confirmation_sent_at = now
        subscriber.confirmations_sent += 1
        subscriber.save()
        subscriber_id = subscriber.pk
        transaction.on_commit(lambda: _queue_notice(subscriber_id, notice))
    return outcome


def _queue_notice(subscriber_id: int, kind: str) -> None:
    try:
        dispatch("digest.send_notice", subscriber_id, kind)
    except Exception:
        # The visitor's page must not depend on the relay; the log tells the operator.
        log.exception("could not send the %s mail to subscriber %s", kind, subscriber_id)


def notice_send(*, subscriber: Subscriber, kind: str) -> None:
    """Mail the confirmation link ("confirm") or an already-subscribed notice ("already")."""
    edition = subscriber.edition
    context = {"edition": edition, "kind": kind,
               "confirm_url": subscriber_link(subscriber, tokens.CONFIRM),
               "preferences_url": subscriber_link(subscriber, tokens.PREFERENCES),
               "max_age_days": settings.WIREDESK_DIGEST_CONFIRM_MAX_AGE // 86400}
    with edition_translation(edition):
        subject = (gettext("Confirm your %(edition)s daily email") if kind == "confirm"
                   else gettext("You already get the %(edition)s daily email")) % {
            "edition": edition.name}
        message = EmailMultiAlternatives(
            subject=subject, body=render_to_string("digest/notice.txt", context),
            from_email=mail.sender(edition.mail_name, edition.sender_address),
            to=[subscriber.email], reply_to=mail.reply_to(edition.reply_to))
        message.attach_alternative(render_to_string("digest/notice.html", context),
                                   "text/html")
    message.send()


def subscriber_confirm(*, subscriber: Subscriber, now: datetime | None = None) -> str:
    """Pending -> confirmed. Confirming twice is harmless; a cancelled sign-up stays so."""
    now = now or timezone.now()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.status == Subscriber.Status.CONFIRMED:
            return "already-confirmed"
        if subscriber.status != Subscriber.Status.PENDING:
            return "cancelled"
        subscriber.status = Subscriber.Status.CONFIRMED
        subscriber.confirmed_at = now
        suppression_lift_on_confirm(email=subscriber.email)
        subscriber.last_window_end = None
        subscriber.next_due_at = next_slot(now, subscriber.delivery_time, subscriber.zone)
        subscriber.save()
    return "confirmed"


def subscriber_unsubscribe(*, subscriber: Subscriber, now: datetime | None = None) -> str:
    """Stop all mail at once, including deliveries already planned but not yet sent."""
    now = now or timezone.now()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        Delivery.objects.filter(subscriber=subscriber, state=Delivery.State.PENDING).update(
            state=Delivery.State.SKIPPED, last_error="unsubscribed before sending")
        if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
            return "already-unsubscribed"
        subscriber.status = Subscriber.Status.UNSUBSCRIBED
        subscriber.unsubscribed_at = now
        subscriber.next_due_at = None
        subscriber.save()
    return "unsubscribed"


def subscriber_update_preferences(*, subscriber: Subscriber, section_ids: Iterable[int],
                                  delivery_time: time, time_zone: str, paused: bool,
                                  now: datetime | None = None) -> Subscriber:
    now = now or timezone.now()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().select_related("edition").get(
            pk=subscriber.pk)
        subscriber.sections.set(_allowed_sections(subscriber.edition, section_ids))
        subscriber.delivery_time = delivery_time
        subscriber.time_zone = time_zone
        subscriber.paused = paused
        if subscriber.status == Subscriber.Status.CONFIRMED:
            subscriber.next_due_at = next_slot(now, delivery_time, subscriber.zone)
        subscriber.save()
    return subscriber


def subscriber_export(*, subscriber: Subscriber) -> dict:
    """Everything stored about the subscriber, for the preferences page's download."""
    def iso(moment):
        return moment.isoformat() if moment else None

    return {
        "email": subscriber.email,
        "edition": subscriber.edition.name,
        "status": subscriber.status,
        "sections": [s.name for s in subscriber.sections.all()],
        "delivery_time": subscriber.delivery_time.strftime("%H:%M"),
        "time_zone": subscriber.zone,
        "paused": subscriber.paused,
        "subscribed_at": iso(subscriber.created_at),
        "confirmed_at": iso(subscriber.confirmed_at),
        "unsubscribed_at": iso(subscriber.unsubscribed_at),
        "signup_ip": subscriber.signup_ip,
        "bounces": subscriber.bounce_count,
        "deliveries": [
            {"digest": str(d.digest.issue_date), "state": d.state, "sent_at": iso(d.sent_at),
             "message_id": d.message_id}
            for d in subscriber.deliveries.select_related("digest").order_by("pk")],
    }


def subscriber_erase(*, subscriber: Subscriber) -> None:
    """Delete the subscriber and their delivery log, and the bounce reports about the
    address once no other edition has it. A suppression stays: it only says never to
    mail the address (README, "Bounces and complaints")."""
    with transaction.atomic():
        Subscriber.objects.filter(pk=subscriber.pk).delete()
        if not Subscriber.objects.filter(email=subscriber.email).exists():
            BounceEvent.objects.filter(email=subscriber.email).delete()


# --- planning --------------------------------------------------------------------------

@dataclass
class PlanReport:
    planned: int = 0
    nothing_new: int = 0
    already_planned: int = 0
    archived: int = 0


def _message_id(digest: Digest, subscriber_id: int) -> str:
    from wiredesk.digest.render import from_address

    domain = from_address(digest.edition).rpartition("@")[2] or "localhost"
    return f"<digest.{digest.pk}.{subscriber_id}.{secrets.token_hex(6)}@{domain}>"


def digest_plan(*, now: datetime | None = None, edition: Edition | None = None,
                force: bool = False) -> PlanReport:
    """Put one delivery in the ledger for each subscriber whose slot has come.

    With ``force`` every confirmed, unpaused subscriber is due now (``digest send
    --now``). A subscriber gets at most one digest per local calendar day (the ledger's
    unique key), so forcing twice, or forcing before the scheduled slot, never doubles.
    Subscribers with nothing new get no delivery and keep their window for next time.
    """
    now = now or timezone.now()
    report = PlanReport()
    due = Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED, paused=False)
    if edition is not None:
        due = due.filter(edition=edition)
    if not force:
        due = due.filter(next_due_at__lte=now)
    digests: dict[tuple, Digest] = {}
    news: dict[tuple, bool] = {}
    ids = list(due.order_by("pk").values_list("pk", flat=True))
    for offset in range(0, len(ids), 1000):
        chunk = list(Subscriber.objects.filter(pk__in=ids[offset:offset + 1000])
                     .select_related("edition").prefetch_related("sections").order_by("pk"))
        deliveries, advanced = [], []
        for subscriber in chunk:
            slot = now if force or subscriber.next_due_at is None else subscriber.next_due_at
            zone = subscriber.zone
            window_end = slot
            window_start = subscriber.last_window_end or window_end - FIRST_DIGEST_LOOKBACK
            window_start = max(window_start, window_end - MAX_LOOKBACK)
            section_ids = tuple(sorted(s.pk for s in subscriber.sections.all()))
            if not force or subscriber.next_due_at is None or subscriber.next_due_at <= now:
                subscriber.next_due_at = next_slot(max(now, slot), subscriber.delivery_time,
                                                   zone)
                advanced.append(subscriber)
            key = (subscriber.edition_id, window_start, window_end, section_ids)
            if key not in news:
                news[key] = window_start < window_end and has_news(
                    subscriber.edition, start=window_start, end=window_end,
                    section_ids=section_ids)
            if not news[key]:
                report.nothing_new += 1
                continue
            day = local_date(slot, zone)
            if (subscriber.edition_id, day) not in digests:
                digests[(subscriber.edition_id, day)], _ = Digest.objects.get_or_create(
                    edition=subscriber.edition, issue_date=day)
            digest = digests[(subscriber.edition_id, day)]
            deliveries.append(Delivery(
                digest=digest, subscriber=subscriber, edition_id=subscriber.edition_id,
                email=subscriber.email, window_start=window_start, window_end=window_end,
                message_id=_message_id(digest, subscriber.pk), next_attempt_at=now))
        with transaction.atomic():
            existing = set(Delivery.objects.filter(
                subscriber_id__in=[d.subscriber_id for d in deliveries],
                digest_id__in={d.digest_id for d in deliveries}).values_list(
                "digest_id", "subscriber_id"))
            fresh = [d for d in deliveries if (d.digest_id, d.subscriber_id) not in existing]
            report.already_planned += len(deliveries) - len(fresh)
            # ignore_conflicts: a concurrent planner may have inserted the same pair.
            Delivery.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=500)
            report.planned += len(fresh)
            Subscriber.objects.bulk_update(advanced, ["next_due_at"], batch_size=500)
    report.archived = archive_plan(now=now, edition=edition)
    return report


def archive_plan(*, now: datetime | None = None, edition: Edition | None = None) -> int:
    """Store the archive issue of each edition's latest day whose slot has come
    (``models.ArchiveIssue`` says what an issue is); returns how many were stored.

    Editions whose digest goes out (a confirmed reader) get one; an issue is stored
    once and never recomputed. Runs with every plan, so it is one small query when
    nothing is due.
    """
    now = now or timezone.now()
    running = Edition.objects.filter(
        pk__in=Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED)
        .values("edition_id"))
    if edition is not None:
        running = running.filter(pk=edition.pk)
    running = list(running)
    if not running:
        return 0
    due = {each.pk: (each, *last_closed_issue(now, DEFAULT_DELIVERY_TIME, each.time_zone))
           for each in running}
    stored = set(ArchiveIssue.objects.filter(
        edition_id__in=due, issue_date__gte=min(d[1] for d in due.values()))
        .values_list("edition_id", "issue_date"))
    created = 0
    for each, day, start, end in due.values():
        if (each.pk, day) in stored:
            continue
        ids = [a.pk for a in digest_articles(each, start=start, end=end)]
        with transaction.atomic():
            _, fresh = ArchiveIssue.objects.get_or_create(
                edition=each, issue_date=day,
                defaults={"window_start": start, "window_end": end, "article_ids": ids,
                          "story_count": len(ids), "created_at": now})
            if fresh and ids:
                bump_editions([each.pk])  # the archive's cached pages show it at once
                created += 1
    return created
