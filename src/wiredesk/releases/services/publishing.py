"""Approving a release: it goes through the wire pipeline like any agency item, into the
editions its submitter and editor chose, and the submitter is told where it is."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from wiredesk.editions import services as edition_services
from wiredesk.editions.models import Edition
from wiredesk.newsroom import services as newsroom
from wiredesk.newsroom.models import Agency, Article, Section
from wiredesk.releases.content import body_to_html
from wiredesk.releases.models import Release, ReleaseEvent
from wiredesk.releases.services.history import (
    Actor,
    ReleaseError,
    audit,
    mail_after_commit,
    record,
)
from wiredesk.releases.services.links import image_url
from wiredesk.releases.services.moderation import check_decidable, release_edit, section_by_slug
from wiredesk.wire.images import PictureRejected
from wiredesk.wire.normalize import normalize
from wiredesk.wire.types import Media, WireItem

log = logging.getLogger("wiredesk.releases")

AGENCY_CODE = "RELEASE"
AGENCY_NAME = "Press releases"
# Sections a category suggests when the editor picks none.
CATEGORY_SECTIONS = {"business": "business", "sports": "sport", "community": "community",
                     "appointments": "business", "events": "community"}


def release_agency() -> Agency:
    return newsroom.agency_ensure(code=AGENCY_CODE, name=AGENCY_NAME)


def wire_item(release: Release) -> WireItem:
    """The release as the wire pipeline's input, like any agency item."""
    section_slug = release.section.slug if release.section else ""
    categories = [section_slug] if section_slug else []
    categories.append(release.get_category_display())
    media = []
    if release.image:
        media.append(Media(url=image_url(release), caption=release.image_caption,
                           credit=release.image_credit or release.organisation))
    return WireItem(title=release.headline, guid=f"wiredesk-release:{release.reference}",
                    body=body_to_html(release.body), byline=release.organisation,
                    categories=categories, published=release_date(release),
                    embargo_until=release.requested_release_at, media=media,
                    source_format="news-release")


def release_date(release: Release) -> datetime:
    """When the release was released: the time its submitter asked for, else the time
    they sent it to the editors (confirmed it).

    Like an agency item, which is dated by the agency, not by when the desk read it, a
    release takes its place in the edition's latest news at its own date; the time an
    editor got round to approving it says nothing to a reader, and dating it so would
    put it above copy that came in after it while it waited in the queue.
    """
    return release.requested_release_at or release.verified_at or release.created_at


def _settle_section(release: Release, actor: Actor, section: str) -> None:
    """The section the editor named, else the one the category suggests (if it exists)."""
    if section:
        release_edit(release=release, actor=actor, section=section_by_slug(section))
        release.refresh_from_db()
    elif release.section is None:
        suggested = CATEGORY_SECTIONS.get(release.category, "")
        found = Section.objects.filter(slug=suggested).first() if suggested else None
        if found is not None:
            release_edit(release=release, actor=actor, section=found)
            release.refresh_from_db()


def _provide_picture(release: Release) -> None:
    """Pages show a picture's renditions, made by a job that fetches agency pictures.
    A release's picture is our own upload, so its renditions are made here from the
    stored file: shown at once, never fetched back from our own site."""
    if not release.image:
        return
    try:
        data = (Path(settings.MEDIA_ROOT) / str(release.image)).read_bytes()
        newsroom.picture_provide(image_url(release), data)
    except (OSError, PictureRejected) as exc:
        # Published without it, as an agency item whose picture failed; said where
        # an operator looks (the log), the release itself is unharmed.
        log.warning("release %s: its picture could not be shown: %s", release.reference, exc)


def publication_edition(release: Release, editions=None) -> Edition | None:
    """The edition on whose clock an editor gives the release's publication time: the one
    it was sent through, when it is among those chosen, else the first chosen."""
    chosen = list(editions if editions is not None else release.editions.all())
    if release.submitted_via_id and any(e.pk == release.submitted_via_id for e in chosen):
        return next(e for e in chosen if e.pk == release.submitted_via_id)
    return min(chosen, key=lambda e: (e.position, e.name), default=None)


def _schedule(article: Article, release: Release, actor: Actor, publish_at: datetime) -> None:
    """Hold the new article and have the publish-scheduled job make it public then."""
    edition = publication_edition(release)
    newsroom.article_hold(article=article, reason="scheduled for publication")
    try:
        newsroom.schedule_publish(article=article, at=publish_at,
                                  actor=actor.user if actor.user is not None else actor.name,
                                  time_zone=edition.time_zone if edition else "UTC",
                                  edition=edition)
    except newsroom.ServiceError as exc:
        raise ReleaseError(str(exc)) from exc


def release_approve(*, release: Release, actor: Actor, section: str = "",
                    publish_at: datetime | None = None) -> Release:
    """Publish through the wire pipeline into the chosen editions; notify the submitter.

    With ``publish_at`` (UTC) the article is stored held and made public at that time by
    the ``publish-scheduled`` job (``newsroom.services.scheduling``)."""
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        check_decidable(release, "approve")
        _settle_section(release, actor, section)
        duplicate = (Release.objects.filter(status=Release.Status.APPROVED,
                                            organisation__iexact=release.organisation,
                                            headline__iexact=release.headline)
                     .exclude(pk=release.pk).first())
        if duplicate is not None:
            raise ReleaseError(f"{duplicate.reference} from the same organisation with the "
                               "same headline is already published")
        # Read at the release time, a future release is "published" then, not clamped.
        now = max(timezone.now(), release.requested_release_at or timezone.now())
        clean = normalize(wire_item(release), zone="UTC", now=now, agency_prefixes=False)
        if not clean.body_html:
            raise ReleaseError("nothing of the body is left after sanitizing")
        agency = release_agency()
        stored = newsroom.store_item(clean, agency=agency, kind=Article.Kind.PRESS_RELEASE)
        if stored.outcome == "skipped":
            raise ReleaseError("the article of this release was killed; it stays withdrawn")
        if stored.article is None:
            raise ReleaseError("this release is being published by another request")
        # A news release goes where its submitter and editor chose, whatever the
        # editions' rules say (their receiver leaves press releases alone).
        edition_services.place_in_editions(
            stored.article, release.editions.values_list("pk", flat=True))
        _provide_picture(release)
        if publish_at is not None:
            _schedule(stored.article, release, actor, publish_at)
        release.article = stored.article
        release.status = Release.Status.APPROVED
        release.decided_at = timezone.now()
        release.decision_reason = ""
        release.save(update_fields=["article", "status", "decided_at", "decision_reason"])
        record(release, ReleaseEvent.Action.APPROVED, actor,
               note=f"published as article {release.article.pk}"
                    + (f", not before {release.requested_release_at.isoformat()}"
                       if release.requested_release_at else "")
                    + (f", scheduled for {publish_at.isoformat()}" if publish_at else ""))
        audit(release, "release.approve", actor, article=release.article.pk)
        mail_after_commit(release.pk, "approved")
    log.info("release %s approved by %s as article %s", release.reference, actor.name,
             release.article.pk)
    return release
