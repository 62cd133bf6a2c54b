"""Partners and their deliveries: add, rotate a secret, resend a dead letter, and plan.

Planning reads the change stream (``publishing.changes``) from the partner's own
position and makes one delivery per article state the partner has not been sent yet, in
the same transaction that moves the position on: a worker killed halfway leaves either
both or neither, so no state is ever owed twice or lost.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from wiredesk.core.locks import single_flight
from wiredesk.editions.models import Edition, Placement
from wiredesk.errors import WiredeskError
from wiredesk.newsroom.models import Article
from wiredesk.publishing import changes
from wiredesk.publishing.changes import ChangesGone, Position
from wiredesk.syndication.models import Delivery, Partner, new_secret
from wiredesk.syndication.transports import transport_for_url
from wiredesk.wire import sources
from wiredesk.wire.types import WireError

log = logging.getLogger(__name__)

PLAN_PAGE = 500


class PartnerError(WiredeskError):
    pass


# --- partners --------------------------------------------------------------------------

def check_url(url: str) -> str:
    """The transport ``url`` names; refuses one that names none (or no host, or address)."""
    url = (url or "").strip()
    transport = transport_for_url(url)
    parts = urlsplit(url)
    if not transport:
        raise PartnerError(f"not a partner URL: {url[:200]!r} (use https://…, "
                           "ftp(s)://user:password@host/folder, "
                           "sftp://user:password@host/folder?hostkey=SHA256:… "
                           "or mailto:address)")
    if transport == "email":
        if "@" not in parts.path or any(c in parts.path for c in "\r\n ,<>"):
            raise PartnerError(f"not one email address: {url[:200]!r}")
    elif not parts.hostname:
        raise PartnerError(f"the URL names no host: {url[:200]!r}")
    elif transport in ("ftp", "sftp"):
        try:
            sources.parse_source(url)
        except WireError as exc:
            raise PartnerError(str(exc)) from exc
    return transport


def partner_add(*, name: str, url: str, format: str = Partner.Format.JSON,
                edition: Edition | None = None, secret: str = "",
                timeout: float | None = None) -> Partner:
    """A new partner, pushed to from now on (what was published before it is not sent:
    a partner takes its back catalogue from the API or a feed)."""
    name = " ".join((name or "").split())
    if not name:
        raise PartnerError("a partner needs a name")
    if format not in Partner.Format.values:
        raise PartnerError(f"format must be one of {', '.join(Partner.Format.values)}")
    transport = check_url(url)
    if Partner.objects.filter(name=name).exists():
        raise PartnerError(f"there is a partner named {name!r} already")
    with transaction.atomic():
        state = changes.log_state()
        head = changes.head()
        return Partner.objects.create(
            name=name, url=url.strip(), format=format, transport=transport, edition=edition,
            secret=secret or new_secret(), timeout=timeout, cursor_txid=head.txid,
            cursor_id=head.id, cursor_epoch=state.epoch, cursor_prunes=state.prunes)


def partner_rotate_secret(*, partner: Partner, secret: str = "",
                          grace: timedelta | None = None) -> Partner:
    """A new signing secret. For ``grace`` (``WIREDESK_PUSH_SECRET_GRACE_HOURS``) every
    push, pending ones included, is signed with the new and the previous secret, so the
    partner can switch its receiver over whenever it likes within that time."""
    grace = grace if grace is not None else timedelta(
        hours=settings.WIREDESK_PUSH_SECRET_GRACE_HOURS)
    with transaction.atomic():
        partner = Partner.objects.select_for_update().get(pk=partner.pk)
        partner.previous_secret = partner.secret
        partner.previous_secret_until = timezone.now() + grace
        partner.secret = secret or new_secret()
        partner.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
    return partner


def deliveries_resend(*, deliveries) -> int:
    """Send dead letters (or any finished deliveries) again, from now, with their own keys."""
    now = timezone.now()
    return deliveries.exclude(state__in=[Delivery.State.PENDING, Delivery.State.SENDING]) \
        .update(state=Delivery.State.PENDING, attempts=0, next_attempt_at=now, started_at=now,
                claim_token="", claimed_at=None, acked_at=None)


# --- planning --------------------------------------------------------------------------

def action_for(reason: str, article: Article | None) -> str:
    """The /api/changes action of a state."""
    if reason in ("killed", "deleted"):
        return Delivery.Action.KILL
    if reason:
        return Delivery.Action.UNPUBLISH
    return Delivery.Action.UPDATE if article.version > 1 else Delivery.Action.PUBLISH


def priority_for(action: str, article: Article | None) -> int:
    if action in (Delivery.Action.KILL, Delivery.Action.UNPUBLISH):
        return Delivery.PRIORITY_WITHDRAWAL
    if article is not None and "correct" in (article.signal or "").lower():
        return Delivery.PRIORITY_CORRECTION
    return Delivery.PRIORITY_NORMAL


def articles_with_placements(ids) -> dict[int, Article]:
    return (Article.objects.select_related("agency", "section")
            .prefetch_related(Prefetch("placements",
                                       queryset=Placement.objects.select_related("edition")
                                       .order_by("edition__position", "edition__name")))
            .in_bulk(list(ids)))


def current_state(partner: Partner, article_id: int, article: Article | None,
                  fallback_version: int = 0, *, carried: set[int] | None = None
                  ) -> tuple[int, str, str]:
    """(version, action, reason) of ``article`` as ``partner`` is to see it now (the
    editions carrying it read from its prefetched placements unless ``carried`` says)."""
    if carried is None:
        carried = {p.edition_id for p in article.placements.all()} if article else set()
    reason = changes.withdrawn_reason(article, carried, partner.edition_id)
    version = article.version if article is not None else fallback_version
    return version, action_for(reason, article), reason


@dataclass
class PlanReport:
    planned: int = 0
    skipped_to_head: bool = False


def plan_partner(partner: Partner, *, page: int = PLAN_PAGE) -> PlanReport:
    """Make the deliveries ``partner`` is owed since its position in the change stream."""
    report = PlanReport()
    with single_flight(f"syndication-plan:{partner.pk}", ttl=600) as mine:
        if not mine:
            return report
        while True:
            made, more = _plan_page(partner.pk, page, report)
            report.planned += made
            if not more:
                return report


def _plan_page(partner_id: int, page: int, report: PlanReport) -> tuple[int, bool]:
    with transaction.atomic():
        partner = Partner.objects.select_for_update().get(pk=partner_id)
        position = Position(partner.cursor_txid, partner.cursor_id)
        try:
            if partner.cursor_epoch:
                changes.check_position(position, partner.cursor_epoch, partner.cursor_prunes)
            found = changes.changes_after(position, limit=page, edition_id=partner.edition_id)
        except ChangesGone as exc:
            # Gone for longer than the log keeps: what it missed is in the API, not here.
            head, state = changes.head(), changes.log_state()
            partner.cursor_txid, partner.cursor_id = head.txid, head.id
            partner.cursor_epoch, partner.cursor_prunes = state.epoch, state.prunes
            partner.last_error = (f"changes missed ({exc}); pushing from now on: the partner "
                                  "should sync from /api/changes once")
            partner.last_error_at = timezone.now()
            partner.save()
            report.skipped_to_head = True
            log.error("partner %s: %s", partner.name, partner.last_error)
            return 0, False
        state = changes.log_state()
        ids = [c.article_id for c in found.changed]
        # Only what decides the state: the copy itself is read when it is pushed.
        articles = Article.objects.only("status", "embargo_until", "version", "signal",
                                        "first_seen_at").in_bulk(ids)
        carried: dict[int, set[int]] = {}
        for article_id, edition_id in Placement.objects.filter(
                article_id__in=ids).values_list("article_id", "edition_id"):
            carried.setdefault(article_id, set()).add(edition_id)
        earlier: dict[int, list[tuple[str, int, str, str]]] = {}
        for article_id, key, version, action, reason in (
                Delivery.objects.filter(partner=partner, article_id__in=ids).order_by("pk")
                .values_list("article_id", "key", "version", "action", "reason")):
            earlier.setdefault(article_id, []).append((key, version, action, reason))
        now = timezone.now()
        new = []
        for change in found.changed:
            article = articles.get(change.article_id)
            version, action, reason = current_state(
                partner, change.article_id, article, change.version,
                carried=carried.get(change.article_id, set()))
            sent = earlier.get(change.article_id, [])
            if sent and sent[-1][1:] == (version, action, reason):
                continue  # nothing the partner can see changed (a picture stored, ...)
            if not sent and reason and article is not None \
                    and article.first_seen_at >= partner.created_at:
                continue  # withdrawn before this partner was ever told of it
            base = f"{change.article_id}-v{version}-{action}"
            again = sum(1 for key, *_ in sent if key == base or key.startswith(base + "-r"))
            new.append(Delivery(
                partner=partner, article_id=change.article_id, version=version, action=action,
                reason=reason, key=base if not again else f"{base}-r{again}",
                priority=priority_for(action, article), next_attempt_at=now, created_at=now,
                started_at=now))
        Delivery.objects.bulk_create(new)
        partner.cursor_txid, partner.cursor_id = found.end.txid, found.end.id
        partner.cursor_epoch, partner.cursor_prunes = state.epoch, state.prunes
        partner.save(update_fields=["cursor_txid", "cursor_id", "cursor_epoch",
                                    "cursor_prunes"])
        return len(new), found.more
