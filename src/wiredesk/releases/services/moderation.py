"""The editor's side: edits before a decision, and the decisions that publish nothing
(reject, spam). Approval, which publishes, is in ``publishing``."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from wiredesk.editions.models import Edition
from wiredesk.newsroom.models import Section
from wiredesk.releases.content import one_line
from wiredesk.releases.models import MAX_REASON, Release, ReleaseEvent
from wiredesk.releases.services.history import (
    Actor,
    ReleaseError,
    audit,
    mail_after_commit,
    record,
)

log = logging.getLogger("wiredesk.releases")


def _describe(value) -> object:
    if isinstance(value, Section):
        return value.slug
    if isinstance(value, list):
        return sorted(str(v) for v in value)
    return value


def release_edit(*, release: Release, actor: Actor, headline: str | None = None,
                 body: str | None = None, section: Section | str | None = "",
                 image_caption: str | None = None, image_credit: str | None = None,
                 editions: list[Edition] | None = None) -> dict:
    """Change what an editor may change; returns (and records) what changed.

    ``section`` "" means "leave as it is"; None clears it.
    """
    if release.status in (Release.Status.APPROVED, Release.Status.SPAM):
        raise ReleaseError(f"release {release.reference} is {release.status}; "
                           "edit the published article instead")
    wanted = {"headline": headline, "body": body, "image_caption": image_caption,
              "image_credit": image_credit}
    changes: dict[str, list] = {}
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        for name, value in wanted.items():
            if value is None:
                continue
            value = value.strip() if name == "body" else one_line(value)
            if name == "headline" and not value:
                raise ReleaseError("a release needs a headline")
            if getattr(release, name) != value:
                changes[name] = [getattr(release, name), value]
                setattr(release, name, value)
        if section != "" and release.section != section:
            changes["section"] = [_describe(release.section), _describe(section)]
            release.section = section
        if editions is not None:
            if not editions:
                raise ReleaseError("a release needs at least one edition")
            before = sorted(e.slug for e in release.editions.all())
            after = sorted(e.slug for e in editions)
            if before != after:
                changes["editions"] = [before, after]
                release.editions.set(editions)
        if changes:
            release.save()
            record(release, ReleaseEvent.Action.EDITED, actor, changes=changes)
    return changes


def section_by_slug(slug: str) -> Section:
    section = Section.objects.filter(slug=slug.strip().lower()).first()
    if section is None:
        known = ", ".join(Section.objects.values_list("slug", flat=True)) or "none yet"
        raise ReleaseError(f"unknown section {slug!r} (known: {known})")
    return section


def check_decidable(release: Release, decision: str) -> None:
    if release.status == Release.Status.UNVERIFIED and decision != "spam":
        raise ReleaseError(f"release {release.reference} is waiting for its submitter to "
                           "confirm the email address")
    if release.status in (Release.Status.APPROVED, Release.Status.REJECTED,
                          Release.Status.SPAM):
        raise ReleaseError(f"release {release.reference} is already {release.status}")


def release_reject(*, release: Release, actor: Actor, reason: str) -> Release:
    reason = (reason or "").strip()[:MAX_REASON]
    if not reason:
        raise ReleaseError("say why the release is rejected; the submitter is told")
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        check_decidable(release, "reject")
        release.status = Release.Status.REJECTED
        release.decided_at = timezone.now()
        release.decision_reason = reason
        release.save(update_fields=["status", "decided_at", "decision_reason"])
        record(release, ReleaseEvent.Action.REJECTED, actor, note=reason)
        audit(release, "release.reject", actor, reason=reason)
        mail_after_commit(release.pk, "rejected")
    log.info("release %s rejected by %s", release.reference, actor.name)
    return release


def release_mark_spam(*, release: Release, actor: Actor) -> Release:
    """Spam gets no mail: answering it would only confirm the address to a spammer."""
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        check_decidable(release, "spam")
        release.status = Release.Status.SPAM
        release.decided_at = timezone.now()
        release.save(update_fields=["status", "decided_at"])
        record(release, ReleaseEvent.Action.SPAM, actor)
        audit(release, "release.spam", actor)
    log.info("release %s marked as spam by %s", release.reference, actor.name)
    return release
