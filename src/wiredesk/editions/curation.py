"""Writes for curated fronts: the desk's top story, featured row and pinned items.

Each service runs in one transaction, writes the audit log in it and sends
``fronts_changed`` (the page cache's stamps follow, so cached and static pages are
rebuilt like after any other change). Curation never blocks the wire: it only chooses
among what a front may show (``selectors.edition_front`` skips a slot whose article is
no longer public there), and new copy keeps flowing into the latest list.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Min
from django.utils import timezone

from wiredesk.core.audit import record
from wiredesk.editions.models import Edition, FrontSlot
from wiredesk.editions.selectors import SECONDARY_COUNT, edition_articles
from wiredesk.editions.signals import fronts_changed
from wiredesk.errors import WiredeskError
from wiredesk.newsroom.models import Article, Section

MAX_FEATURED = SECONDARY_COUNT  # the secondary row's width: every featured story shows
MAX_PINNED = 5
EXPIRY_JOB = "job:expire-front-slots"


class CurationError(WiredeskError):
    """A curation request that cannot be carried out; the message says why."""


def front_label(edition: Edition, section: Section | None) -> str:
    return f"{edition.name} home" if section is None else f"{edition.name} {section.name}"


def expiry_in_zone(edition: Edition, value: str | datetime | None, *,
                   now: datetime | None = None) -> datetime | None:
    """An expiry the desk typed, read in the edition's time zone (``2026-12-01T18:30``, a
    datetime-local field's value). A wall time the clocks skip or show twice, and a time
    already past, are refused with a message that says so."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise CurationError(f"{value.strip()!r} is not a date and time "
                                "(YYYY-MM-DD HH:MM)") from None
    zone = ZoneInfo(edition.time_zone)
    if value.tzinfo is None:
        early, late = value.replace(tzinfo=zone, fold=0), value.replace(tzinfo=zone, fold=1)
        if early.utcoffset() != late.utcoffset():
            shown = value.strftime("%Y-%m-%d %H:%M")
            back = early.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
            if back != value:
                raise CurationError(f"{shown} does not exist in {edition.time_zone} (the "
                                    "clocks skip it): choose another time")
            raise CurationError(f"{shown} happens twice in {edition.time_zone} (the clocks "
                                "go back): choose a time outside that hour")
        value = early
    now = now or timezone.now()
    if value <= now:
        raise CurationError(f"{value.astimezone(zone):%Y-%m-%d %H:%M} ({edition.time_zone}) "
                            "is already past: an expiry is in the future")
    return value.astimezone(UTC)


def _front(edition: Edition, section: Section | None):
    return FrontSlot.objects.filter(edition=edition, section=section)


def _check_shown(edition: Edition, section: Section | None, article: Article) -> None:
    if not edition_articles(edition, section=section).filter(pk=article.pk).exists():
        raise CurationError(f"article {article.pk} is not public on the "
                            f"{front_label(edition, section)} front (not carried, held, "
                            "killed, embargoed or of another section)")


def _changed(edition: Edition) -> None:
    upcoming = (FrontSlot.objects.filter(edition=edition, expires_at__gt=timezone.now())
                .aggregate(first=Min("expires_at"))["first"])
    fronts_changed.send(sender=FrontSlot, edition_ids=[edition.pk], next_expiry=upcoming)


def _place(*, actor, edition: Edition, section: Section | None, article: Article, kind: str,
           expires_at: datetime | None, action: str, **details) -> FrontSlot:
    _check_shown(edition, section, article)
    slots = list(_front(edition, section).select_for_update().order_by("kind", "position"))
    existing = next((s for s in slots if s.article_id == article.pk), None)
    same_kind = [s for s in slots if s.kind == kind and s is not existing]
    if kind == FrontSlot.Kind.FEATURED and len(same_kind) >= MAX_FEATURED:
        raise CurationError(f"the featured row holds {MAX_FEATURED} stories: remove one "
                            "first")
    if kind == FrontSlot.Kind.PINNED and len(same_kind) >= MAX_PINNED:
        raise CurationError(f"at most {MAX_PINNED} stories are pinned: unpin one first")
    if kind == FrontSlot.Kind.TOP and same_kind:
        details["replaced"] = same_kind[0].article_id
        same_kind[0].delete()
    position = max((s.position for s in same_kind), default=-1) + 1
    if existing is not None and existing.kind == kind:
        position = existing.position  # a new expiry keeps its place
    slot = existing or FrontSlot(edition=edition, section=section, article=article)
    slot.kind, slot.position, slot.expires_at = kind, position, expires_at
    slot.created_by = actor if getattr(actor, "is_authenticated", False) else None
    try:
        slot.save()
    except IntegrityError:  # another editor's change to this front won the race
        raise CurationError("this front changed meanwhile: reload the page and try "
                            "again") from None
    record(actor, action, article, edition=edition,
           front=section.slug if section else "home", kind=kind,
           expires_at=expires_at.isoformat() if expires_at else None, **details)
    _changed(edition)
    return slot


@transaction.atomic
def front_feature(*, actor, edition: Edition, article: Article,
                  section: Section | None = None, top: bool = False) -> FrontSlot:
    """Make the article the front's top story (the one it replaces leaves the front's
    slots) or add it to the end of the featured row."""
    kind = FrontSlot.Kind.TOP if top else FrontSlot.Kind.FEATURED
    return _place(actor=actor, edition=edition, section=section, article=article, kind=kind,
                  expires_at=None, action="front.feature")


@transaction.atomic
def front_pin(*, actor, edition: Edition, article: Article, section: Section | None = None,
              expires: str | datetime | None = None) -> FrontSlot:
    """Pin the article at the head of the front's latest list, until ``expires`` (a wall
    time in the edition's zone, or an aware datetime) when given."""
    expires_at = expiry_in_zone(edition, expires)
    return _place(actor=actor, edition=edition, section=section, article=article,
                  kind=FrontSlot.Kind.PINNED, expires_at=expires_at, action="front.pin")


@transaction.atomic
def front_remove(*, actor, slot: FrontSlot) -> None:
    """Take a slot off its front (unpin, unfeature): the automatic choice fills the gap."""
    edition = slot.edition
    record(actor, "front.remove", slot.article, edition=edition,
           front=slot.section.slug if slot.section_id else "home", kind=slot.kind)
    slot.delete()
    _changed(edition)


def _renumber(ordered: Sequence[FrontSlot]) -> None:
    by_kind: dict[str, int] = {}
    changed = []
    for slot in ordered:
        position = by_kind.get(slot.kind, 0)
        by_kind[slot.kind] = position + 1
        if slot.position != position:
            slot.position = position
            changed.append(slot)
    FrontSlot.objects.bulk_update(changed, ["position"])


@transaction.atomic
def front_reorder(*, actor, edition: Edition, section: Section | None = None,
                  slot_ids: Sequence[int]) -> list[FrontSlot]:
    """Put the front's slots in the order of ``slot_ids`` (each kind keeps its own order:
    the featured row, the pinned list); slots not named keep their order after those
    named. An id that is not a slot of this front is refused."""
    ids = [int(i) for i in slot_ids]
    if len(set(ids)) != len(ids):
        raise CurationError("a slot is named twice in the new order")
    slots = list(_front(edition, section).select_for_update().order_by("kind", "position",
                                                                       "pk"))
    by_id = {s.pk: s for s in slots}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise CurationError(f"slot {unknown[0]} is not on the "
                            f"{front_label(edition, section)} front (reload the page)")
    ordered = [by_id[i] for i in ids] + [s for s in slots if s.pk not in set(ids)]
    ordered.sort(key=lambda s: s.kind)  # stable: each kind keeps the order given
    _renumber(ordered)
    record(actor, "front.reorder", edition, edition=edition,
           front=section.slug if section else "home",
           order=[s.article_id for s in ordered])
    _changed(edition)
    return ordered


def front_move(*, actor, slot: FrontSlot, offset: int) -> list[FrontSlot]:
    """Move a slot one place up (-1) or down (+1) among the slots of its kind."""
    siblings = list(_front(slot.edition, slot.section).filter(kind=slot.kind)
                    .order_by("position", "pk").values_list("pk", flat=True))
    index = siblings.index(slot.pk)
    target = min(max(index + offset, 0), len(siblings) - 1)
    siblings.insert(target, siblings.pop(index))
    return front_reorder(actor=actor, edition=slot.edition, section=slot.section,
                         slot_ids=siblings)


@transaction.atomic
def front_clear(*, actor, edition: Edition, section: Section | None = None) -> int:
    """Remove every slot of the front: it is chosen automatically again."""
    removed, _ = _front(edition, section).delete()
    record(actor, "front.clear", edition, edition=edition,
           front=section.slug if section else "home", removed=removed)
    _changed(edition)
    return removed


def expire_front_slots(*, now: datetime | None = None) -> int:
    """Remove the slots whose time is up, each edition in its own transaction, so cached
    and static pages learn of it (the ``expire-front-slots`` job)."""
    now = now or timezone.now()
    removed = 0
    due = (FrontSlot.objects.filter(expires_at__lte=now)
           .values_list("edition_id", flat=True).distinct())
    for edition in Edition.objects.filter(pk__in=list(due)):
        with transaction.atomic():
            slots = list(FrontSlot.objects.select_related("article", "section")
                         .filter(edition=edition, expires_at__lte=now))
            for slot in slots:
                record(EXPIRY_JOB, "front.expire", slot.article, edition=edition,
                       front=slot.section.slug if slot.section else "home",
                       kind=slot.kind)
            FrontSlot.objects.filter(pk__in=[s.pk for s in slots]).delete()
            removed += len(slots)
            _changed(edition)
    return removed
