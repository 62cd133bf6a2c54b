"""Storing wire items: one transaction per item, idempotent, then story intelligence
(in the item's transaction, or recorded as due for its own stage: ``enrichment``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from wiredesk.newsroom.audit import audit
from wiredesk.newsroom.models import (
    Agency,
    Article,
    Feed,
    PictureLink,
    Revision,
    Section,
    Tombstone,
)
from wiredesk.newsroom.runs import ingest_run
from wiredesk.newsroom.saves import save_new
from wiredesk.newsroom.services import enrichment, picture_sources, pictures, renditions
from wiredesk.newsroom.services.editorial import kill_locked
from wiredesk.newsroom.services.pending_updates import keep_agency_update_pending
from wiredesk.newsroom.services.scheduling import cancel_publishing_withheld
from wiredesk.newsroom.signals import article_stored
from wiredesk.wire.sections import section_for
from wiredesk.wire.slugs import slug_for
from wiredesk.wire.types import CleanItem

# One logger for every ingest and poll line: operators filter and quiet it by this name.
log = logging.getLogger("wiredesk.newsroom.services")


@dataclass(frozen=True)
class Stored:
    """What ``store_item`` did with an item, and the article the item is stored in.

    ``article`` is None when the item was skipped, and when it was found unchanged
    without reading its article (a re-poll in an ingest run, or a concurrent poller's
    copy that won the insert).
    """

    outcome: str  # created, updated, unchanged or skipped
    article: Article | None = None


def _sections() -> dict[str, Section]:
    return {s.slug: s for s in Section.objects.all()}


@dataclass
class IngestContext:
    """What every item of one document needs, read once instead of once per item."""

    section_rules: dict[str, list[str]]
    sections: dict[str, Section]
    tombstones_possible: bool
    # identity -> (fingerprint, embargo_until, status, version, picture values) of stored
    # articles
    known: dict[str, tuple] = field(default_factory=dict)
    # The agency has paired picture items with texts (or this document does).
    links_possible: bool = True

    @classmethod
    def load(cls, agency: Agency, identities: list[str] | None = None) -> IngestContext:
        sections = _sections()
        known = {}
        identities = identities or []
        for start in range(0, len(identities), 500):  # stay under SQLite's variable limit
            chunk = identities[start:start + 500]
            for row in (Article.objects.filter(agency=agency, identity__in=chunk)
                        .values_list("identity", "fingerprint", "embargo_until", "status",
                                     "version", *pictures.PICTURE_FIELDS)):
                known[row[0]] = (*row[1:5], dict(zip(pictures.PICTURE_FIELDS, row[5:],
                                                     strict=True)))
        return cls(section_rules={slug: s.alias_list() for slug, s in sections.items()},
                   sections=sections,
                   tombstones_possible=Tombstone.objects.filter(agency=agency).exists(),
                   known=known,
                   links_possible=PictureLink.objects.filter(agency=agency).exists())


def _apply(article: Article, item: CleanItem, section: Section | None,
           picture: tuple) -> None:
    article.headline = item.headline[:500]
    if not article.slug:
        # Made once, from the first (prefix-free) headline: a later version's headline,
        # a correction's included, never moves the article's URL.
        article.slug = slug_for(item.headline)
    article.language = item.language[:20]
    article.lead = item.lead
    article.teaser = item.teaser
    article.body_html = item.body_html
    article.byline = item.byline[:300]
    article.dateline = item.dateline[:300]
    article.credit = item.credit[:300]
    _apply_picture(article, item, picture)
    article.categories = item.categories[:50]
    article.guid = item.guid
    article.canonical_url = item.canonical_url[:1000]
    article.fingerprint = item.fingerprint
    article.flags = item.flags
    if section is not None or article.section_id is None:
        article.section = section
    article.source_updated_at = item.updated
    article.embargo_until = item.embargo_until
    article.signal = item.signal[:40]
    if item.signal == "correction":
        article.corrected_at = item.updated or item.published or timezone.now()
        article.correction_note = item.correction_note
    article.urgency = item.urgency


def _apply_picture(article: Article, item: CleanItem, picture: tuple) -> bool:
    """The article's picture fields; says whether they changed. A "(Photo credit: ...)"
    in copy that came without a picture is kept as the credit all the same."""
    values = pictures.picture_values(*picture)
    if not values["image_url"]:
        values["image_credit"] = item.image_credit[:300]
    previous_url = article.image_url
    changed = False
    for name, value in values.items():
        if getattr(article, name) != value:
            setattr(article, name, value)
            changed = True
    # A new address is recorded for the fetch-pictures job: ingest never fetches.
    return picture_sources.link_source(article, previous_url=previous_url) or changed


def _withdraw_reason(item: CleanItem) -> str:
    return f"withdrawn by the source ({item.source_format or 'wire'} status {item.status})"


def _find_existing(item: CleanItem, agency: Agency) -> Article | None:
    existing = (Article.objects.select_for_update()
                .filter(agency=agency, identity=item.identity).first())
    if existing is None and item.canonical_url and item.identity.startswith("url:"):
        # The feed's guids were found broken after some of its items were stored under
        # them: the same link is the same item.
        existing = (Article.objects.select_for_update()
                    .filter(agency=agency, canonical_url=item.canonical_url)
                    .order_by("-pk").first())
    return existing


def _is_tombstoned(item: CleanItem, agency: Agency) -> bool:
    graves = Tombstone.objects.filter(agency=agency)
    if graves.filter(identity=item.identity).exists():
        return True
    return bool(item.canonical_url) and graves.filter(canonical_url=item.canonical_url).exists()


def plainly_unchanged(item: CleanItem, context: IngestContext | None) -> bool:
    """The stored copy is this very copy: nothing to lock or write (re-polls are cheap)."""
    if context is None or item.identity not in context.known:
        return False
    fingerprint, embargo_until, status, version, picture = context.known[item.identity]
    return (fingerprint == item.fingerprint and embargo_until == item.embargo_until
            and status == Article.Status.PUBLISHED and item.status == "usable"
            and (not item.version or item.version <= version)
            and not item.picture_links
            and picture == _own_picture_values(item))


def _own_picture_values(item: CleanItem) -> dict:
    values = pictures.picture_values(item.picture)
    if item.picture is None:
        values["image_credit"] = item.image_credit[:300]
    return values


def _section_of(item: CleanItem, context: IngestContext | None) -> Section | None:
    sections = context.sections if context is not None else _sections()
    rules = (context.section_rules if context is not None
             else {slug: s.alias_list() for slug, s in sections.items()})
    slug = section_for(item.categories, rules)
    return sections.get(slug) if slug else None


def _told(outcome: str, article: Article, feed: Feed | None) -> Stored:
    """Tell the apps above that the article is stored (editions place it), and log it."""
    responses = article_stored.send(sender=Article, article=article, outcome=outcome, feed=feed)
    editions = sorted({e for _receiver, placed in responses if placed for e in placed})
    log.info("article %s %s", article.pk, outcome, extra={
        "event": f"article_{outcome}", "article_id": article.pk,
        "feed_id": feed.pk if feed else None, "agency": article.agency.code,
        "identity": article.identity, "edition_ids": editions})
    return Stored(outcome, article)


def store_item(item: CleanItem, *, agency: Agency, feed: Feed | None = None,
               kind: str = Article.Kind.WIRE, context: IngestContext | None = None,
               draft: bool = False, savepoint: bool = True) -> Stored:
    """Store one clean item in its own transaction; say what happened and to which article.

    Idempotent: the same item stored twice changes nothing the second time. Wire
    semantics: a higher version or changed copy becomes a new revision of the same
    article (same id and URL); a canceled item kills its article; a withheld one holds
    it; an older version arriving late, a killed article and a deleted one
    (tombstone) are never brought back. ``kind`` is set when the article is created.
    A created or updated article is announced with ``article_stored`` before the
    transaction commits.

    ``draft``: the desk's own article, created as a draft (``Article.Status.DRAFT``:
    stored, enriched and placed like any item, public nowhere until released). A new
    copy of a draft rewrites it in place: no revision, no version, no "Updated", and
    its URL follows its headline (no reader has seen either).

    ``savepoint``: False when the caller holds a savepoint around the call of its own (a
    document's item): nested in it, the item's block needs none more.
    """
    if plainly_unchanged(item, context):
        return Stored("unchanged")
    if item.picture_links and context is not None:
        context.links_possible = True
    if pictures.belongs_to_a_text(item, agency):
        # Shown with its text, never an article of its own.
        with ingest_run():
            return Stored(pictures.store_picture_item(item, agency=agency))
    section = _section_of(item, context)
    with ingest_run(), transaction.atomic(savepoint=savepoint):
        links_possible = context is None or context.links_possible
        if item.picture_links:
            pictures.record_links(agency, item)
            pictures.adopt_standalone(agency, pictures.text_links(item))
            pictures.pair_others(agency, item)
        picture = pictures.effective_picture(item, agency, links_possible=links_possible)
        if (context is not None and item.identity not in context.known
                and not item.identity.startswith("url:")):
            # Not stored a moment ago: insert straight away (a concurrent poller's copy
            # would make the insert fail, and that copy wins, as below).
            existing = None
        else:
            existing = _find_existing(item, agency)
        if existing is None:
            stored = _store_new(item, agency=agency, feed=feed, kind=kind, section=section,
                                context=context, picture=picture, draft=draft)
        elif existing.status == Article.Status.DRAFT:
            stored = _rewrite_draft(existing, item, section=section, picture=picture)
        else:
            stored = _store_over(existing, item, section=section, picture=picture)
        if stored.article is not None and stored.outcome in ("created", "updated"):
            return _told(stored.outcome, stored.article, feed)
        return stored


def _store_new(item: CleanItem, *, agency: Agency, feed: Feed | None, kind: str,
               section: Section | None, context: IngestContext | None,
               picture: tuple, draft: bool = False) -> Stored:
    tombstones_possible = context is None or context.tombstones_possible
    if tombstones_possible and _is_tombstoned(item, agency):
        return Stored("skipped")  # deleted by an editor: the next poll must not recreate it
    if item.status == "canceled":
        # Withdrawn before we ever showed it: remember, so a late copy stays out.
        Tombstone.objects.get_or_create(
            agency=agency, identity=item.identity,
            defaults={"canonical_url": item.canonical_url[:1000],
                      "headline": item.headline[:500],
                      "reason": _withdraw_reason(item)[:300]})
        return Stored("skipped")
    article = Article(agency=agency, feed=feed, identity=item.identity,
                      published_at=item.published or timezone.now(),
                      version=item.version or 1, kind=kind)
    _apply(article, item, section, picture)
    if draft:
        article.status = Article.Status.DRAFT
    elif item.status == "withheld":
        article.status = Article.Status.HELD
        article.status_reason = "withheld by the source"
    # ``save()``'s INSERT and signals (its slug is set above), unless another poller stored
    # the same item a moment ago: that copy wins.
    if not save_new(article, unless_taken=True):
        return Stored("unchanged")
    _enrich(article, created=True)
    if context is not None:  # a second copy in the same document finds this one
        context.known[article.identity] = (
            article.fingerprint, article.embargo_until, article.status, article.version,
            {name: getattr(article, name) for name in pictures.PICTURE_FIELDS})
    return Stored("created", article)


def _store_over(existing: Article, item: CleanItem, *, section: Section | None,
                picture: tuple) -> Stored:
    """The item is a copy of a stored article: a new revision, a status, or nothing."""
    if existing.status == Article.Status.KILLED:
        return Stored("skipped")  # a killed item is never resurrected by the next poll
    if item.version and existing.version and item.version < existing.version:
        return Stored("skipped")  # an older version arriving late
    if (not item.version and item.updated and existing.source_updated_at
            and item.updated < existing.source_updated_at):
        return Stored("skipped")  # an older copy (by its own updated time) arriving late
    if item.status == "canceled":
        kill_locked(existing, _withdraw_reason(item),
                    actor=f"agency:{existing.agency.code}")
        return Stored("updated", existing)
    same_embargo = existing.embargo_until == item.embargo_until
    if existing.fingerprint == item.fingerprint and same_embargo:
        fields = []
        if item.status == "withheld" and existing.status == Article.Status.PUBLISHED:
            existing.status = Article.Status.HELD
            existing.status_reason = "withheld by the source"
            fields += ["status", "status_reason"]
            audit(f"agency:{existing.agency.code}", "article.hold", existing,
                  reason=existing.status_reason)
        if item.status == "withheld":
            cancel_publishing_withheld(existing, f"agency:{existing.agency.code}")
        # What the agency says about the same picture (a caption, a size) is no new copy:
        # no revision, no "Updated". The desk's caption, once edited, stays.
        if existing.desk_edited_at is None and _apply_picture(existing, item, picture):
            fields += [*pictures.PICTURE_FIELDS, *renditions.RENDITION_FIELDS]
        if fields:
            existing.edit_version += 1
            existing.save(update_fields=[*fields, "edit_version", "modified_at"])
            return Stored("updated", existing)
        return Stored("unchanged", existing)
    if existing.desk_edited_at is not None:
        return Stored("updated", keep_agency_update_pending(existing, item, section=section))
    # The copy being replaced goes on record (tags are the story intelligence's, not kept).
    Revision.objects.create(
        article=existing, version=existing.version, headline=existing.headline,
        lead=existing.lead, body_html=existing.body_html, byline=existing.byline,
        fingerprint=existing.fingerprint, signal=existing.signal,
        source_updated_at=existing.source_updated_at, source=Revision.Source.AGENCY,
        author_label=f"agency:{existing.agency.code}"[:150],
        edit_version=existing.edit_version, teaser=existing.teaser,
        section_id=existing.section_id, image_caption=existing.image_caption,
        image_credit=existing.image_credit, image_alt=existing.image_alt)
    existing.edit_version += 1
    _apply(existing, item, section, picture)
    # "Updated <time>" needs a time even when the source gave none.
    existing.source_updated_at = item.updated or timezone.now()
    if item.signal == "correction":
        existing.corrected_at = existing.source_updated_at
    existing.version = max(existing.version + 1, item.version or 0)
    if item.status == "withheld":
        existing.status = Article.Status.HELD
        existing.status_reason = "withheld by the source"
        cancel_publishing_withheld(existing, f"agency:{existing.agency.code}")
    existing.save()
    _enrich(existing, created=False)
    return Stored("updated", existing)


def _rewrite_draft(draft: Article, item: CleanItem, *, section: Section | None,
                   picture: tuple) -> Stored:
    """A draft saved again: its copy replaced, dated now, its slug made again."""
    if draft.fingerprint == item.fingerprint and draft.section == section:
        return Stored("unchanged", draft)
    _apply(draft, item, section, picture)
    draft.slug = slug_for(item.headline)
    draft.published_at = item.published or timezone.now()
    draft.save()
    _enrich(draft, created=False)
    return Stored("updated", draft)


def _enrich(article: Article, *, created: bool) -> None:
    enrichment.enrich(article, created=created)
