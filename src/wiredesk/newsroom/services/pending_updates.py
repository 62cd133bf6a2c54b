"""An agency's new version of copy the desk has edited, kept as a pending revision."""

from __future__ import annotations

from django.utils import timezone

from wiredesk.newsroom.audit import audit
from wiredesk.newsroom.models import (
    Article,
    Revision,
    Section,
)
from wiredesk.newsroom.services.scheduling import cancel_publishing_withheld
from wiredesk.wire.types import CleanItem


def keep_agency_update_pending(existing: Article, item: CleanItem, *,
                               section: Section | None) -> Article:
    """A new agency version of copy the desk has edited: the desk's copy stays what
    readers see; the agency's version is kept as a revision and flagged on the desk
    (``Article.pending_revision``). What is the agency's word alone (version, times,
    embargo, withhold, correction) applies at once, as a kill does."""
    label = f"agency:{existing.agency.code}"[:150]
    version = max(existing.version + 1, item.version or 0)
    shown = {"headline": existing.headline, "lead": existing.lead,
             "body_html": existing.body_html, "byline": existing.byline,
             "section": existing.section_id}
    sent = {"headline": item.headline[:500], "lead": item.lead, "body_html": item.body_html,
            "byline": item.byline[:300],
            "section": section.pk if section is not None else existing.section_id}
    changed = [name for name in shown if shown[name] != sent[name]]
    existing.version = version
    existing.fingerprint = item.fingerprint  # a re-poll of this version changes nothing
    existing.source_updated_at = item.updated or timezone.now()
    existing.edit_version += 1
    existing.pending_revision = Revision.objects.create(
        article=existing, version=version, headline=sent["headline"], lead=item.lead,
        body_html=item.body_html, byline=sent["byline"], fingerprint=item.fingerprint,
        signal=item.signal[:40], source_updated_at=existing.source_updated_at,
        source=Revision.Source.AGENCY, author_label=label, changed_fields=changed,
        note="sent after the desk's edit: waiting for the desk",
        edit_version=existing.edit_version, teaser=item.teaser, section_id=sent["section"],
        image_caption=existing.image_caption, image_credit=existing.image_credit,
        image_alt=existing.image_alt)
    existing.embargo_until = item.embargo_until
    existing.signal = item.signal[:40]
    if item.signal == "correction":
        existing.corrected_at = existing.source_updated_at
        existing.correction_note = item.correction_note
    existing.urgency = item.urgency
    existing.categories = item.categories[:50]
    if item.status == "withheld":
        if existing.status == Article.Status.PUBLISHED:
            audit(label, "article.hold", existing, reason="withheld by the source")
        existing.status = Article.Status.HELD
        existing.status_reason = "withheld by the source"
        cancel_publishing_withheld(existing, label)
    existing.save()
    return existing
