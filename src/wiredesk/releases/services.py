"""Writes for news releases: submit, verify, edit, approve, reject, mark as spam.

The admin, the public views and the CLI all call these, so a decision taken in
the terminal does exactly what the same decision in the admin does, mail included.
Mail goes out after the transaction commits; what it did is added to the history.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from wiredesk import mail
from wiredesk.editions import services as edition_services
from wiredesk.editions.formatting import edition_time
from wiredesk.editions.links import article_url, edition_base_url
from wiredesk.editions.models import Edition
from wiredesk.errors import WiredeskError
from wiredesk.newsroom import services as newsroom
from wiredesk.newsroom.models import Agency, Article, Section
from wiredesk.releases.content import body_to_html, one_line
from wiredesk.releases.images import StoredImage
from wiredesk.releases.models import MAX_REASON, Release, ReleaseEvent
from wiredesk.wire.normalize import normalize
from wiredesk.wire.types import Media, WireItem

log = logging.getLogger("wiredesk.releases")

AGENCY_CODE = "RELEASE"
AGENCY_NAME = "Press releases"
_VERIFY_SALT = "wiredesk.releases.verify"
_STATUS_SALT = "wiredesk.releases.status"
_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
# Sections a category suggests when the editor picks none.
CATEGORY_SECTIONS = {"business": "business", "sports": "sport", "community": "community",
                     "appointments": "business", "events": "community"}


class ReleaseError(WiredeskError):
    """A decision that cannot be taken on this release; the message says why."""


@dataclass(frozen=True, slots=True)
class Actor:
    """Who takes a decision: an admin user, or a label such as ``cli:alice``."""

    user: object | None = None
    label: str = ""

    @property
    def name(self) -> str:
        if self.label:
            return self.label
        return getattr(self.user, "get_username", lambda: "")() or "system"


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


# --- links -----------------------------------------------------------------------------

def _edition_base(edition: Edition | None) -> str:
    # The edition's canonical address, as feeds and the digest give it; the site's own
    # base for a release that came in through no edition.
    return edition_base_url(edition) if edition else settings.BASE_URL


def verify_token(release: Release) -> str:
    return signing.dumps({"r": release.reference, "k": release.link_key}, salt=_VERIFY_SALT)


def status_token(release: Release) -> str:
    return signing.dumps({"r": release.reference, "k": release.link_key}, salt=_STATUS_SALT)


def verify_url(release: Release) -> str:
    # Always the configured address, never the request's Host header: a forged Host
    # must not put someone else's domain into the link we mail out.
    return f"{_edition_base(release.submitted_via)}/releases/verify/{verify_token(release)}"


def status_url(release: Release) -> str:
    return f"{_edition_base(release.submitted_via)}/releases/status/{status_token(release)}"


def article_urls(release: Release) -> list[tuple[Edition, str]]:
    article = release.article
    if article is None:
        return []
    return [(e, article_url(e, article)) for e in release.editions.all()]


def image_url(release: Release) -> str:
    if not release.image:
        return ""
    return f"{settings.BASE_URL}{settings.MEDIA_URL}{release.image}"


def release_from_token(token: str, *, purpose: str) -> Release | None:
    """The release a signed link names, or None for a forged, altered or expired link."""
    salt = _VERIFY_SALT if purpose == "verify" else _STATUS_SALT
    max_age = settings.WIREDESK_RELEASE_VERIFY_HOURS * 3600 if purpose == "verify" else None
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    return (Release.objects.select_related("submitted_via", "article")
            .filter(reference=str(payload.get("r", "")), link_key=str(payload.get("k", "")))
            .first())


# --- history and mail ------------------------------------------------------------------

def _record(release: Release, action: str, actor: Actor | None = None, *,
            changes: dict | None = None, note: str = "") -> ReleaseEvent:
    actor = actor or Actor(label="submitter")
    user = actor.user if getattr(actor.user, "pk", None) else None
    return ReleaseEvent.objects.create(release=release, action=action, actor=user,
                                       actor_label=actor.name[:150], changes=changes or {},
                                       note=note)


def _mail_after_commit(release_id: int, template: str, subject: str, *,
                       log_as_notification: bool = True) -> None:
    def send() -> None:
        release = Release.objects.select_related("submitted_via", "article").get(pk=release_id)
        context = {"release": release, "verify_url": verify_url(release),
                   "status_url": status_url(release), "article_urls": article_urls(release),
                   "edition": release.submitted_via,
                   "release_time": _release_time_text(release)}
        body = render_to_string(f"releases/email/{template}.txt", context)
        sent = mail.send(subject, body, [release.email])
        if sent and log_as_notification:
            _record(release, ReleaseEvent.Action.NOTIFIED, Actor(label="system"),
                    note=f"{template} mail sent to {release.email}")
        elif not sent:
            _record(release, ReleaseEvent.Action.MAIL_FAILED, Actor(label="system"),
                    note=f"{template} mail to {release.email} could not be sent")

    transaction.on_commit(send, robust=True)


def _release_time_text(release: Release) -> str:
    if not release.requested_release_at:
        return ""
    zone = release.submitted_via.time_zone if release.submitted_via else "UTC"
    return edition_time(release.requested_release_at, zone)


# --- submitter -------------------------------------------------------------------------

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
        _record(release, ReleaseEvent.Action.SUBMITTED,
                note=f"from {submission.ip or 'unknown address'}")
        name = submission.submitted_via.name
        _mail_after_commit(release.pk, "verify", f"Confirm your news release to {name}",
                           log_as_notification=False)
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
        _record(release, ReleaseEvent.Action.VERIFIED, Actor(label=release.email))
        _mail_after_commit(release.pk, "receipt",
                           f"News release received: reference {release.reference}")
    log.info("release %s confirmed by its submitter", release.reference)
    return release


# --- editors ---------------------------------------------------------------------------

_EDITABLE = ("headline", "body", "section", "image_caption", "image_credit")


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
            _record(release, ReleaseEvent.Action.EDITED, actor, changes=changes)
    return changes


def _section_by_slug(slug: str) -> Section:
    section = Section.objects.filter(slug=slug.strip().lower()).first()
    if section is None:
        known = ", ".join(Section.objects.values_list("slug", flat=True)) or "none yet"
        raise ReleaseError(f"unknown section {slug!r} (known: {known})")
    return section


def _check_decidable(release: Release, decision: str) -> None:
    if release.status == Release.Status.UNVERIFIED and decision != "spam":
        raise ReleaseError(f"release {release.reference} is waiting for its submitter to "
                           "confirm the email address")
    if release.status in (Release.Status.APPROVED, Release.Status.REJECTED,
                          Release.Status.SPAM):
        raise ReleaseError(f"release {release.reference} is already {release.status}")


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
                    categories=categories, published=release.requested_release_at,
                    embargo_until=release.requested_release_at, media=media,
                    source_format="news-release")


def release_approve(*, release: Release, actor: Actor, section: str = "") -> Release:
    """Publish through the wire pipeline into the chosen editions; notify the submitter."""
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        _check_decidable(release, "approve")
        if section:
            release_edit(release=release, actor=actor, section=_section_by_slug(section))
            release.refresh_from_db()
        elif release.section is None:
            suggested = CATEGORY_SECTIONS.get(release.category, "")
            found = Section.objects.filter(slug=suggested).first() if suggested else None
            if found is not None:
                release_edit(release=release, actor=actor, section=found)
                release.refresh_from_db()
        duplicate = (Release.objects.filter(status=Release.Status.APPROVED,
                                            organisation__iexact=release.organisation,
                                            headline__iexact=release.headline)
                     .exclude(pk=release.pk).first())
        if duplicate is not None:
            raise ReleaseError(f"{duplicate.reference} from the same organisation with the "
                               "same headline is already published")
        # Read at the release time, a future release is "published" then, not clamped.
        now = max(timezone.now(), release.requested_release_at or timezone.now())
        clean = normalize(wire_item(release), zone="UTC", now=now)
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
        release.article = stored.article
        release.status = Release.Status.APPROVED
        release.decided_at = timezone.now()
        release.decision_reason = ""
        release.save(update_fields=["article", "status", "decided_at", "decision_reason"])
        _record(release, ReleaseEvent.Action.APPROVED, actor,
                note=f"published as article {release.article.pk}"
                     + (f", not before {release.requested_release_at.isoformat()}"
                        if release.requested_release_at else ""))
        _mail_after_commit(release.pk, "approved",
                           f"Your news release is published: {release.reference}")
    log.info("release %s approved by %s as article %s", release.reference, actor.name,
             release.article.pk)
    return release


def release_reject(*, release: Release, actor: Actor, reason: str) -> Release:
    reason = (reason or "").strip()[:MAX_REASON]
    if not reason:
        raise ReleaseError("say why the release is rejected; the submitter is told")
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        _check_decidable(release, "reject")
        release.status = Release.Status.REJECTED
        release.decided_at = timezone.now()
        release.decision_reason = reason
        release.save(update_fields=["status", "decided_at", "decision_reason"])
        _record(release, ReleaseEvent.Action.REJECTED, actor, note=reason)
        _mail_after_commit(release.pk, "rejected",
                           f"Your news release was not accepted: {release.reference}")
    log.info("release %s rejected by %s", release.reference, actor.name)
    return release


def release_mark_spam(*, release: Release, actor: Actor) -> Release:
    """Spam gets no mail: answering it would only confirm the address to a spammer."""
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        _check_decidable(release, "spam")
        release.status = Release.Status.SPAM
        release.decided_at = timezone.now()
        release.save(update_fields=["status", "decided_at"])
        _record(release, ReleaseEvent.Action.SPAM, actor)
    log.info("release %s marked as spam by %s", release.reference, actor.name)
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
