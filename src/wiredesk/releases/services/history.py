"""Who takes a decision, the history it leaves, and the mail that tells the submitter."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from wiredesk import mail
from wiredesk.core.audit import record as audit_record
from wiredesk.editions.formatting import local_time
from wiredesk.editions.languages import edition_translation
from wiredesk.errors import WiredeskError
from wiredesk.newsroom.models import Schedule
from wiredesk.releases.models import Release, ReleaseEvent
from wiredesk.releases.services.links import article_urls, status_url, verify_url


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

    @property
    def audit_actor(self):
        """Who the audit log names: the signed-in user, else the label ("cli:alice")."""
        return self.user if getattr(self.user, "pk", None) else self.name


def audit(release: Release, action: str, actor: Actor, **details) -> None:
    """The decision in the site's audit log (``core.audit``), beside the release's own
    event log; the edition named when the release goes to one."""
    slugs = list(release.editions.values_list("slug", flat=True)[:2])
    audit_record(actor.audit_actor, action, release,
                 edition=slugs[0] if len(slugs) == 1 else "", **details)


def record(release: Release, action: str, actor: Actor | None = None, *,
           changes: dict | None = None, note: str = "") -> ReleaseEvent:
    actor = actor or Actor(label="submitter")
    user = actor.user if getattr(actor.user, "pk", None) else None
    return ReleaseEvent.objects.create(release=release, action=action, actor=user,
                                       actor_label=actor.name[:150], changes=changes or {},
                                       note=note)


# Each mail's subject, by its template; in the language of the edition written to.
SUBJECTS = {
    "verify": _("Confirm your news release to %(edition)s"),
    "receipt": _("News release received: reference %(reference)s"),
    "approved": _("Your news release is published: %(reference)s"),
    "rejected": _("Your news release was not accepted: %(reference)s"),
}


def mail_after_commit(release_id: int, template: str, *,
                      log_as_notification: bool = True) -> None:
    def send() -> None:
        release = Release.objects.select_related("submitted_via", "article").get(pk=release_id)
        # From the edition the submitter wrote to, as its digest is: one sender identity,
        # and its language.
        edition = release.submitted_via
        context = {"release": release, "verify_url": verify_url(release),
                   "status_url": status_url(release), "article_urls": article_urls(release),
                   "edition": edition, "release_time": _release_time_text(release)}
        with edition_translation(edition):
            subject = SUBJECTS[template] % {"edition": edition.name if edition else "",
                                            "reference": release.reference}
            body = render_to_string(f"releases/email/{template}.txt", context)
        sent = mail.send(subject, body, [release.email],
                         from_name=edition.mail_name if edition else "",
                         from_address=edition.sender_address if edition else "",
                         reply_address=edition.reply_to if edition else "")
        if sent and log_as_notification:
            record(release, ReleaseEvent.Action.NOTIFIED, Actor(label="system"),
                   note=f"{template} mail sent to {release.email}")
        elif not sent:
            record(release, ReleaseEvent.Action.MAIL_FAILED, Actor(label="system"),
                   note=f"{template} mail to {release.email} could not be sent")

    transaction.on_commit(send, robust=True)


def _release_time_text(release: Release) -> str:
    """When readers see it: the time the submitter asked for, or the editor's scheduled
    publication, whichever is later; in the zone of the edition it was sent through."""
    scheduled = (Schedule.objects.filter(article_id=release.article_id, action="publish")
                 .values_list("due_at", flat=True).first() if release.article_id else None)
    times = [t for t in (release.requested_release_at, scheduled) if t is not None]
    if not times:
        return ""
    edition = release.submitted_via
    return local_time(max(times), edition.time_zone if edition else "UTC",
                      edition.language if edition else "en")
