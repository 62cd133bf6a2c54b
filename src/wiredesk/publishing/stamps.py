"""Read and bump edition stamps (see models.EditionStamp for why they exist)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import F, Min
from django.utils import timezone

from wiredesk.editions.models import Edition, FrontSlot, Placement
from wiredesk.newsroom.runs import batched
from wiredesk.publishing.models import EditionStamp


def bump_editions(edition_ids: Iterable[int], *, embargo_until: datetime | None = None) -> None:
    """A new generation for these editions' pages (their caches are stale), and the
    earliest embargo to lift among theirs. In a batch (``newsroom.runs.batch``: the
    intelligence stage's turn) once for the whole batch, as it ends, in its transaction."""
    ids = sorted(set(edition_ids))
    if not ids:
        return
    pending = batched("publishing.stamps", dict, _bump_pending)
    if pending is not None:
        for edition_id in ids:
            earliest = pending.get(edition_id)
            if edition_id not in pending or (embargo_until is not None and (
                    earliest is None or embargo_until < earliest)):
                pending[edition_id] = embargo_until
        return
    _bump(ids, embargo_until)


def _bump_pending(pending: dict[int, datetime | None]) -> None:
    """A batch's bumps: each edition once, with the earliest embargo it was given."""
    by_embargo: dict[datetime | None, list[int]] = {}
    for edition_id, embargo_until in pending.items():
        by_embargo.setdefault(embargo_until, []).append(edition_id)
    for embargo_until, ids in by_embargo.items():
        _bump(sorted(ids), embargo_until)


def _bump(ids: list[int], embargo_until: datetime | None) -> None:
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


_STAMP_BY_ID = ("SELECT e.id, s.generation, s.changed_at, s.next_embargo_at"
                " FROM editions_edition e LEFT JOIN publishing_editionstamp s"
                " ON s.edition_id = e.id WHERE e.id = %s")
_STAMP_BY_SLUG = _STAMP_BY_ID.replace("e.id = %s", "e.slug = %s")


def stamp_for_request(*, edition_id: int | None = None,
                      slug: str | None = None) -> tuple[int, int, datetime] | None:
    """(edition id, generation, changed_at) in one small query: this runs on every public
    request, cache hits included, so it skips the ORM's query building."""
    from django.db import connection

    with connection.cursor() as cursor:
        if edition_id is not None:
            cursor.execute(_STAMP_BY_ID, (edition_id,))
        else:
            cursor.execute(_STAMP_BY_SLUG, (slug,))
        row = cursor.fetchone()
    if row is None:
        return None
    found_id, generation, changed_at, next_embargo_at = row
    if generation is None or (next_embargo_at is not None
                              and _as_aware(next_embargo_at) <= timezone.now()):
        stamp = current_stamp(found_id)  # creates the row or lifts due embargoes
        return found_id, stamp.generation, stamp.changed_at
    return found_id, generation, _as_aware(changed_at)


# The page layer in front of Django (publishing.fastpath): the host's edition when the host
# is an edition's own, else the edition the path's first segment names, in one query.
_STAMP_BY_HOST_OR_SLUG = (
    "SELECT e.id, h.id IS NOT NULL, s.generation, s.changed_at, s.next_embargo_at"
    " FROM editions_edition e"
    " LEFT JOIN editions_editionhost h ON h.edition_id = e.id AND h.host = %s"
    " LEFT JOIN publishing_editionstamp s ON s.edition_id = e.id"
    " WHERE h.id IS NOT NULL OR e.slug = %s"
    " ORDER BY CASE WHEN h.id IS NULL THEN 1 ELSE 0 END LIMIT 1")


def fresh_stamp_for_host(cursor, host: str, slug: str
                         ) -> tuple[int, bool, int, datetime] | None:
    """(edition id, on its own host, generation, changed_at) for a request, or None when
    no edition matches or the stamp is due a change (missing, an embargo lifting): Django
    then answers and writes it."""
    cursor.execute(_STAMP_BY_HOST_OR_SLUG, (host, slug))
    row = cursor.fetchone()
    if row is None or row[2] is None:
        return None
    found_id, on_host, generation, changed_at, next_embargo_at = row
    if next_embargo_at is not None and _as_aware(next_embargo_at) <= timezone.now():
        return None
    return found_id, bool(on_host), generation, _as_aware(changed_at)


def _as_aware(value) -> datetime:
    # SQLite hands back text or naive datetimes through a raw cursor; stored times are UTC.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        from datetime import UTC

        value = value.replace(tzinfo=UTC)
    return value


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
        # A front slot running out changes the front as an embargo lifting does.
        expiry = (FrontSlot.objects.filter(edition_id=edition_id, expires_at__gt=now)
                  .aggregate(first=Min("expires_at"))["first"])
        upcoming = min((t for t in (upcoming, expiry) if t is not None), default=None)
        EditionStamp.objects.filter(edition_id=edition_id).update(
            generation=F("generation") + 1, changed_at=now, next_embargo_at=upcoming)
        stamp.refresh_from_db()
    return stamp


def bump_all_editions() -> None:
    """After a restore: every edition gets a stamp no cached page was stored under."""
    bump_editions(Edition.objects.values_list("id", flat=True))
