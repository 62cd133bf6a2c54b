"""Read and bump edition stamps (see models.EditionStamp for why they exist)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import F, Min
from django.utils import timezone

from wiredesk.editions.models import Placement
from wiredesk.publishing.models import EditionStamp


def bump_editions(edition_ids: Iterable[int], *, embargo_until: datetime | None = None) -> None:
    ids = sorted(set(edition_ids))
    if not ids:
        return
    now = timezone.now()
    existing = set(EditionStamp.objects.filter(edition_id__in=ids)
                   .values_list("edition_id", flat=True))
    missing = [i for i in ids if i not in existing]
    if missing:
        EditionStamp.objects.bulk_create(
            [EditionStamp(edition_id=i, changed_at=now) for i in missing], ignore_conflicts=True)
    EditionStamp.objects.filter(edition_id__in=ids).update(
        generation=F("generation") + 1, changed_at=now)
    if embargo_until is not None and embargo_until > now:
        EditionStamp.objects.filter(edition_id__in=ids, next_embargo_at__isnull=True) \
            .update(next_embargo_at=embargo_until)
        EditionStamp.objects.filter(edition_id__in=ids, next_embargo_at__gt=embargo_until) \
            .update(next_embargo_at=embargo_until)


def current_stamp(edition_id: int) -> EditionStamp:
    """The edition's stamp, lifting due embargoes first (one indexed read when none is due)."""
    stamp = EditionStamp.objects.filter(edition_id=edition_id).first()
    if stamp is None:
        bump_editions([edition_id])
        return EditionStamp.objects.get(edition_id=edition_id)
    now = timezone.now()
    if stamp.next_embargo_at is not None and stamp.next_embargo_at <= now:
        upcoming = (Placement.objects.filter(edition_id=edition_id,
                                             article__embargo_until__gt=now)
                    .aggregate(first=Min("article__embargo_until"))["first"])
        EditionStamp.objects.filter(edition_id=edition_id).update(
            generation=F("generation") + 1, changed_at=now, next_embargo_at=upcoming)
        stamp.refresh_from_db()
    return stamp
