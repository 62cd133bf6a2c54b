"""The desk's edits of agency copy, kept apart from the agency's later versions.

Once an editor changes an article's copy, that copy is what readers see: the agency's
next version is kept as a pending revision (``ingest.store_item``) and the desk takes
it, merges chosen fields from it, or keeps its own. A kill or a withhold from the agency
still applies at once. Every change of the copy, desk or agency, is a ``Revision`` with
who, when and what; any of them can be restored.

Each write here is one transaction on the locked row, checks the ``edit_version`` the
editor's form was drawn from (optimistic locking: a second editor's stale save is
refused, never silently lost), writes a revision and the audit log, and saves the
article as a wire update does, so the search index, the change stream, the page-cache
stamps and feeds see the change; a new section also asks the editions' rules again
(``article_stored``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from wiredesk.core.audit import AuditEntry, actor_label
from wiredesk.newsroom.audit import audit
from wiredesk.newsroom.desk import desk_state  # noqa: F401 - the one answer, re-exported
from wiredesk.newsroom.errors import ServiceError
from wiredesk.newsroom.models import Article, ArticleTag, Revision, Section, Tag
from wiredesk.newsroom.signals import article_stored
from wiredesk.wire.normalize import make_teaser
from wiredesk.wire.sanitize import html_to_text, plain_text, sanitize_html

# The copy readers see: what the desk edits, a revision holds and a restore brings back.
COPY_FIELDS = ("headline", "lead", "body_html", "byline", "section", "tags",
               "image_caption", "image_credit", "image_alt")
FIELD_LABELS = {"headline": "headline", "lead": "standfirst", "body_html": "body",
                "byline": "byline", "section": "section", "tags": "tags",
                "image_caption": "picture caption", "image_credit": "picture credit",
                "image_alt": "picture alt text"}
# Older revisions (the agency's earlier versions before desk edits existed) hold these only.
BASE_FIELDS = ("headline", "lead", "body_html", "byline")


class EditConflict(ServiceError):
    """The article changed since the editor's form was drawn: their save is refused."""


def agency_label(article: Article) -> str:
    return f"agency:{article.agency.code}"


def tag_keys(article: Article) -> list[str]:
    return list(ArticleTag.objects.filter(article=article).order_by("position")
                .values_list("tag__key", flat=True))


def snapshot(article: Article, *, tags: list[str] | None = None) -> dict[str, Any]:
    """The article's copy as a revision holds it."""
    return {"headline": article.headline, "lead": article.lead,
            "body_html": article.body_html, "byline": article.byline,
            "section": article.section_id,
            "tags": tag_keys(article) if tags is None else tags,
            "image_caption": article.image_caption, "image_credit": article.image_credit,
            "image_alt": article.image_alt}


def revision_copy(revision: Revision) -> dict[str, Any]:
    """What a revision holds of the copy; older rows hold the base fields only."""
    copy = {name: getattr(revision, name) for name in BASE_FIELDS}
    if revision.tags is not None:  # a full copy was recorded
        copy |= {"section": revision.section_id, "tags": list(revision.tags),
                 "image_caption": revision.image_caption,
                 "image_credit": revision.image_credit, "image_alt": revision.image_alt}
    return copy


def differences(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """The copy fields ``after`` changes, in the copy's order."""
    return [name for name in COPY_FIELDS
            if name in after and name in before and before[name] != after[name]]


def record_revision(article: Article, *, source: str, author=None, label: str = "",
                    changed: Iterable[str] = (), note: str = "",
                    copy: Mapping[str, Any] | None = None,
                    edit_version: int | None = None) -> Revision:
    """Put a copy of ``article`` (its own by default) on record."""
    copy = snapshot(article) if copy is None else copy
    user = author if getattr(author, "is_authenticated", False) else None
    return Revision.objects.create(
        article=article, version=article.version, fingerprint=article.fingerprint,
        signal=article.signal, source_updated_at=article.source_updated_at,
        source=source, author=user, author_label=(label or actor_label(author))[:150],
        changed_fields=list(changed), note=note[:300],
        edit_version=article.edit_version if edit_version is None else edit_version,
        headline=copy["headline"][:500], lead=copy["lead"], body_html=copy["body_html"],
        byline=copy["byline"][:300], teaser=make_teaser(copy["lead"]) if copy["lead"] else "",
        section_id=copy.get("section"), tags=copy.get("tags"),
        image_caption=copy.get("image_caption", ""),
        image_credit=copy.get("image_credit", "")[:300], image_alt=copy.get("image_alt", ""))


def _desk_change_since(article: Article, edit_version: int) -> AuditEntry | None:
    """The latest change the desk made after ``edit_version`` (every one is audited with
    the edit_version it made; the agency's changes are not), or None."""
    return (AuditEntry.objects.filter(target_type="article", target_id=str(article.pk),
                                      details__edit_version__gt=edit_version)
            .order_by("-at", "-id").first())


def last_change(article: Article, edit_version: int | None = None) -> str:
    """Who changed the article last (after ``edit_version``) and when, for a refusal."""
    entry = _desk_change_since(article, edit_version if edit_version is not None else -1)
    if entry is not None:
        who, at = entry.actor_label, entry.at
    else:
        latest = article.revisions.order_by("-id").first()
        who = (latest.author_label if latest is not None and latest.author_label
               else agency_label(article))
        at = article.modified_at
    return f"{who} at {timezone.localtime(at).strftime('%Y-%m-%d %H:%M %Z')}"


def conflict(article: Article, expected_edit_version: int | None) -> str | None:
    """Why a save from a form drawn at ``expected_edit_version`` would be refused, or
    None (the service checks again under the lock)."""
    if (expected_edit_version is None or article.edit_version == expected_edit_version
            or (article.edit_version > expected_edit_version
                and _desk_change_since(article, expected_edit_version) is None)):
        return None
    return _conflict_message(article, expected_edit_version)


def _conflict_message(article: Article, edit_version: int | None) -> str:
    return (f"This article was changed by {last_change(article, edit_version)} while you "
            "were editing it; your changes were not saved. Reload it to see that change, "
            "then make yours again.")


def _locked(article: Article | int, expected_edit_version: int | None, *,
            agency_race_ok: bool = False) -> Article:
    """The article's row, locked; refused when it changed since the editor's form.

    With ``agency_race_ok`` (an edit of the copy) a change by the agency alone is no
    conflict: the caller keeps the agency's version as a revision and the desk's edit
    goes ahead. Another editor's change always is.
    """
    pk = article.pk if isinstance(article, Article) else article
    locked = Article.objects.select_for_update().select_related("agency").get(pk=pk)
    stale = (expected_edit_version is not None
             and locked.edit_version != expected_edit_version)
    if stale and not (agency_race_ok and locked.edit_version > expected_edit_version
                      and _desk_change_since(locked, expected_edit_version) is None):
        raise EditConflict(_conflict_message(locked, expected_edit_version))
    if locked.status == Article.Status.KILLED:
        raise ServiceError(f"This article is killed ({locked.status_reason}): its copy "
                           "can no longer be changed.")
    return locked


def clean_copy(changes: Mapping[str, Any]) -> dict[str, Any]:
    """What an editor typed, as the copy fields hold it (the wire's own rules)."""
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "body_html":
            clean[name] = sanitize_html(value or "")
        elif name in ("headline", "byline", "image_credit"):
            clean[name] = plain_text(value or "").replace("\n", " ").strip()
        elif name in ("lead", "image_caption", "image_alt"):
            clean[name] = html_to_text(value or "").strip()
        elif name == "section":
            clean[name] = value.pk if isinstance(value, Section) else (value or None)
        elif name == "tags":
            clean[name] = list(value or [])
        else:
            clean[name] = value
    if "headline" in clean and not clean["headline"]:
        raise ServiceError("An article needs a headline.")
    return clean


def _apply_copy(article: Article, copy: Mapping[str, Any]) -> list[str]:
    """Write the copy fields onto ``article``; says which changed."""
    current = snapshot(article, tags=tag_keys(article) if "tags" in copy else [])
    changed = differences(current, copy)
    for name in changed:
        value = copy[name]
        if name == "section":
            article.section_id = value
        elif name == "tags":
            _set_tags(article, value)
        else:
            setattr(article, name, value)
    if "lead" in changed:
        article.teaser = make_teaser(article.lead) if article.lead else ""
    return changed


def _set_tags(article: Article, keys: list[str]) -> None:
    tags = {tag.key: tag for tag in Tag.objects.filter(key__in=keys)}
    ArticleTag.objects.filter(article=article).delete()
    ArticleTag.objects.bulk_create(
        ArticleTag(article=article, tag=tags[key], position=position)
        for position, key in enumerate(k for k in keys if k in tags))


def tags_from_names(text: str) -> list[str]:
    """Tag keys from a comma-separated list of names or keys; an unknown one is refused."""
    names = [part.strip() for part in (text or "").split(",") if part.strip()]
    keys: list[str] = []
    unknown = []
    for name in names:
        tag = (Tag.objects.filter(key=name).first()
               or Tag.objects.filter(name__iexact=name).order_by("pk").first())
        if tag is None:
            unknown.append(name)
        elif tag.key not in keys:
            keys.append(tag.key)
    if unknown:
        raise ServiceError("No tag is named " + ", ".join(f'"{n}"' for n in unknown)
                           + ": tags are the people, organisations and places the wire "
                           "names.")
    return keys


def _saved(article: Article, actor, action: str, *, replace: bool = False,
           **details) -> Article:
    """Save (the search index, the change stream and the page-cache stamps follow the
    article's save, as on a wire update) with the audit entry, in the same transaction.

    ``replace``: the section changed, so the editions' rules are asked again through
    ``article_stored``, as a wire update's would be; a change of words alone places
    nothing anew (the desk's own placements stay as they are).
    """
    article.edit_version += 1
    article.save()
    audit(actor, action, article, edit_version=article.edit_version,
          **details)
    if replace:
        article_stored.send(sender=Article, article=article, outcome="updated", feed=None)
    return article


def _mark_desk_edit(article: Article, actor) -> None:
    article.desk_edited_at = timezone.now()
    article.desk_edited_by = actor if getattr(actor, "is_authenticated", False) else None


def _keep_agency_copy(article: Article) -> None:
    """Before the desk's first edit, the agency's copy goes on record (to restore it)."""
    if article.desk_edited_at is None:
        record_revision(article, source=Revision.Source.AGENCY, label=agency_label(article),
                        note="the agency's copy before the desk's edit")


def desk_edit(article: Article | int, changes: Mapping[str, Any], *, actor,
              expected_edit_version: int | None,
              other: Mapping[str, Any] | None = None) -> Article:
    """The desk changes the copy (``COPY_FIELDS``) readers see.

    ``other`` holds any other article fields the admin's form changed (status, dates):
    saved under the same lock, but they are not copy and no desk edit on their own.
    Returns the article, unchanged and not saved when nothing changed.
    """
    copy = clean_copy({k: v for k, v in changes.items() if k in COPY_FIELDS})
    with transaction.atomic():
        locked = _locked(article, expected_edit_version, agency_race_ok=True)
        # The agency replaced the copy since the editor's form was drawn (its earlier
        # copy went on record then); a withhold or a picture's size alone is no new copy.
        raced = (expected_edit_version is not None
                 and locked.edit_version != expected_edit_version
                 and Revision.objects.filter(
                     article=locked, source=Revision.Source.AGENCY,
                     edit_version__gte=expected_edit_version).exists())
        before_edit = locked.desk_edited_at is None
        if before_edit:
            original = snapshot(locked)
        changed = _apply_copy(locked, copy)
        other_changed = []
        for name, value in (other or {}).items():
            if getattr(locked, name) != value:
                setattr(locked, name, value)
                other_changed.append(name)
        if not changed and not other_changed:
            return locked
        if changed:
            if before_edit and raced:
                # The agency replaced the copy while the editor wrote: both are kept,
                # the agency's as the update waiting for the desk.
                locked.pending_revision = record_revision(
                    locked, source=Revision.Source.AGENCY, label=agency_label(locked),
                    copy=original, changed=differences(original, copy),
                    note="sent while the desk was editing: waiting for the desk")
            elif before_edit:
                record_revision(locked, source=Revision.Source.AGENCY,
                                label=agency_label(locked), copy=original,
                                note="the agency's copy before the desk's edit")
            _mark_desk_edit(locked, actor)
            record_revision(locked, source=Revision.Source.DESK, author=actor,
                            changed=changed, edit_version=locked.edit_version + 1)
        return _saved(locked, actor, "article.edit", fields=changed + other_changed,
                      replace="section" in changed)


def _pending(locked: Article) -> Revision:
    if locked.pending_revision_id is None:
        raise ServiceError("No agency update is waiting on this article.")
    return locked.pending_revision


def take_agency_update(article: Article | int, *, actor,
                       expected_edit_version: int | None) -> Article:
    """The desk takes the agency's waiting version whole; the wire flows in again after."""
    with transaction.atomic():
        locked = _locked(article, expected_edit_version)
        pending = _pending(locked)
        copy = revision_copy(pending)
        changed = _apply_copy(locked, copy)
        locked.pending_revision = None
        locked.desk_edited_at = None
        locked.desk_edited_by = None
        record_revision(locked, source=Revision.Source.DESK, author=actor, changed=changed,
                        note=f"took the agency's version {pending.version}",
                        edit_version=locked.edit_version + 1)
        return _saved(locked, actor, "article.take_agency_update",
                      version=pending.version, fields=changed, replace="section" in changed)


def merge_agency_update(article: Article | int, fields: Iterable[str], *, actor,
                        expected_edit_version: int | None) -> Article:
    """The chosen fields from the agency's waiting version; the desk's copy for the rest."""
    chosen = [name for name in fields if name in COPY_FIELDS]
    if not chosen:
        raise ServiceError("Choose at least one field to take from the agency's update.")
    with transaction.atomic():
        locked = _locked(article, expected_edit_version)
        pending = _pending(locked)
        copy = {k: v for k, v in revision_copy(pending).items() if k in chosen}
        _keep_agency_copy(locked)
        changed = _apply_copy(locked, copy)
        locked.pending_revision = None
        _mark_desk_edit(locked, actor)
        record_revision(locked, source=Revision.Source.DESK, author=actor, changed=changed,
                        note=(f"merged from the agency's version {pending.version}: "
                              + ", ".join(FIELD_LABELS[name] for name in chosen)),
                        edit_version=locked.edit_version + 1)
        return _saved(locked, actor, "article.merge_agency_update",
                      version=pending.version, fields=changed, replace="section" in changed)


def keep_desk_version(article: Article | int, *, actor,
                      expected_edit_version: int | None) -> Article:
    """The desk keeps its copy; the agency's version stays on record, no longer flagged."""
    with transaction.atomic():
        locked = _locked(article, expected_edit_version)
        pending = _pending(locked)
        locked.pending_revision = None
        return _saved(locked, actor, "article.keep_desk_version", version=pending.version)


def restore_revision(article: Article | int, revision: Revision | int, *, actor,
                     expected_edit_version: int | None) -> Article:
    """Bring back the copy a revision holds; a restore is the desk's edit."""
    with transaction.atomic():
        locked = _locked(article, expected_edit_version)
        revision_id = revision.pk if isinstance(revision, Revision) else revision
        chosen = Revision.objects.filter(article=locked, pk=revision_id).first()
        if chosen is None:
            raise ServiceError("That revision is not one of this article's.")
        _keep_agency_copy(locked)
        changed = _apply_copy(locked, revision_copy(chosen))
        _mark_desk_edit(locked, actor)
        record_revision(locked, source=Revision.Source.RESTORE, author=actor,
                        changed=changed, note=f"restored revision #{chosen.pk}",
                        edit_version=locked.edit_version + 1)
        return _saved(locked, actor, "article.restore_revision", revision=chosen.pk,
                      fields=changed, replace="section" in changed)
