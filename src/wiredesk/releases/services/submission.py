"""The submitter's side: a release comes in, its address is confirmed; and the images
that abandoned forms leave behind are cleared away."""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from wiredesk.editions.models import Edition
from wiredesk.releases.content import one_line
from wiredesk.releases.images import StoredImage
from wiredesk.releases.models import Release, ReleaseEvent
from wiredesk.releases.services.history import Actor, ReleaseError, mail_after_commit, record

log = logging.getLogger("wiredesk.releases")

_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U


@dataclass(slots=True)
class Submission:
    organisation: str
    contact_name: str
    email: str
    headline: str
    body: str
    category: str
    editions: list[Edition]
    submitted_via: Edition
    phone: str = ""
    image: StoredImage | None = None
    image_caption: str = ""
    image_credit: str = ""
    requested_release_at: datetime | None = None
    ip: str = ""


def _new_reference() -> str:
    for _attempt in range(20):
        reference = "NR-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
        if not Release.objects.filter(reference=reference).exists():
            return reference
    raise ReleaseError("could not allocate a reference number")  # 32**8: never in practice


def release_submit(*, submission: Submission) -> Release:
    """Store a release waiting for its email to be confirmed, and send the link."""
    if not submission.editions:
        raise ReleaseError("a release needs at least one edition")
    with transaction.atomic():
        release = Release.objects.create(
            reference=_new_reference(), link_key=secrets.token_urlsafe(24),
            organisation=one_line(submission.organisation),
            contact_name=one_line(submission.contact_name),
            email=submission.email.strip(), phone=one_line(submission.phone),
            headline=one_line(submission.headline), body=submission.body.strip(),
            category=submission.category, submitted_via=submission.submitted_via,
            image=submission.image.name if submission.image else "",
            image_width=submission.image.width if submission.image else None,
            image_height=submission.image.height if submission.image else None,
            image_caption=one_line(submission.image_caption),
            image_credit=one_line(submission.image_credit),
            requested_release_at=submission.requested_release_at,
            submitted_ip=submission.ip or None)
        release.editions.set(submission.editions)
        record(release, ReleaseEvent.Action.SUBMITTED,
               note=f"from {submission.ip or 'unknown address'}")
        mail_after_commit(release.pk, "verify", log_as_notification=False)
    log.info("release %s submitted by %s for %s", release.reference, release.email,
             ", ".join(e.slug for e in submission.editions))
    return release


def release_verify(*, release: Release) -> Release:
    """The submitter confirmed the address: the release enters moderation (once)."""
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        if release.status != Release.Status.UNVERIFIED:
            return release  # a second click changes nothing
        release.status = Release.Status.PENDING
        release.verified_at = timezone.now()
        release.save(update_fields=["status", "verified_at"])
        record(release, ReleaseEvent.Action.VERIFIED, Actor(label=release.email))
        mail_after_commit(release.pk, "receipt")
    log.info("release %s confirmed by its submitter", release.reference)
    return release


def release_images_prune(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete stored images no release refers to (a form abandoned after an error).

    Only files older than ``older_than`` go, so a submitter in the middle of
    correcting a form keeps the image they already chose.
    """
    folder = Path(settings.MEDIA_ROOT) / "releases"
    if not folder.is_dir():
        return 0
    cutoff = time.time() - older_than.total_seconds()
    used = set(Release.objects.exclude(image="").values_list("image", flat=True))
    removed = 0
    for path in folder.iterdir():
        name = f"releases/{path.name}"
        if path.is_file() and name not in used and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    if removed:
        log.info("removed %d release image(s) no release refers to", removed)
    return removed


def delete_image_file(name: str) -> None:
    """Remove an image file no release refers to (e.g. a refused attempt's)."""
    if name and not Release.objects.filter(image=name).exists():
        path = Path(settings.MEDIA_ROOT) / name
        path.unlink(missing_ok=True)
