"""The desk's own articles: written at /desk/write/, stored and placed like wire copy.

A desk article goes the wire's way: the editor's Markdown (HTML pasted from Word or
Google Docs is cleaned and made Markdown first: ``markdown_of``) is made a
``WireItem``, normalized, stored by ``newsroom.services.store_item`` (story, duplicates,
SEE ALSO, tags, search index) and placed in the editions ticked, else in those whose
rules want it. It is stored as a draft (``Article.Status.DRAFT``): placed,
so it can be previewed in each edition, and public nowhere (``public_q``, the change
stream and the page stamps leave drafts out) until it is published, now
(``article_publish``) or at a time, by ``newsroom.services.article_release``, which is
all publishing a draft takes.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from wiredesk.core.audit import record
from wiredesk.desk.models import Manuscript
from wiredesk.desk.pasted import clean_pasted_html, looks_like_html
from wiredesk.editions import services as edition_services
from wiredesk.editions.links import media_url
from wiredesk.editions.models import Edition
from wiredesk.errors import WiredeskError
from wiredesk.newsroom import services as newsroom
from wiredesk.newsroom.models import Agency, Article, PictureAsset, Section
from wiredesk.newsroom.models.files import largest_file, picture_files
from wiredesk.wire.images import PictureRejected
from wiredesk.wire.markup import body_to_html, html_to_markdown
from wiredesk.wire.normalize import normalize
from wiredesk.wire.sanitize import html_to_text, plain_text, sanitize_html
from wiredesk.wire.types import Media, WireItem

log = logging.getLogger("wiredesk.desk")

AGENCY_CODE = "DESK"
WRITE = "newsroom.add_article"


class DeskError(WiredeskError):
    """What the editor wrote cannot be stored as it is; the message says why."""


@dataclass
class Draft:
    """What the editor wrote in the writing view."""

    headline: str
    body: str = ""  # Markdown, or HTML pasted from Word or Google Docs
    standfirst: str = ""
    byline: str = ""
    dateline: str = ""
    section: Section | None = None
    tags: list[str] = field(default_factory=list)
    editions: Sequence[Edition] = ()  # none ticked: where the editions' rules want it
    picture: PictureAsset | None = None
    caption: str = ""
    credit: str = ""
    alt: str = ""


def desk_agency() -> Agency:
    """The desk's own agency, made on first use and named after the site: the one
    edition's name, else the site's host."""
    found = Agency.objects.filter(code=AGENCY_CODE).first()
    if found is not None:
        return found
    editions = list(Edition.objects.order_by("pk")[:2])
    name = (editions[0].name if len(editions) == 1
            else urlsplit(settings.BASE_URL).hostname or "The desk")
    return newsroom.agency_ensure(code=AGENCY_CODE, name=name)


def markdown_of(body: str) -> str:
    """The body as the desk's Markdown: as typed, or, for HTML pasted from a word
    processor, that HTML cleaned of its own markup, sanitized and written as Markdown
    (what the editor sees when going on with the draft)."""
    if looks_like_html(body):
        return html_to_markdown(sanitize_html(clean_pasted_html(body)))
    return body.strip()


def library_url(asset: PictureAsset) -> str:
    """The address a library picture is known by (its widest JPEG, on our own site):
    what outputs name as the picture's source; it is never fetched."""
    shown = largest_file(picture_files(asset.renditions))
    if shown is None:
        raise DeskError("this picture's files are missing from the media store")
    return media_url(None, shown.url)


def writable_editions(actor) -> list[Edition]:
    """The editions ``actor`` may write for: every one for a desk editor, an edition
    editor's own (the roles backend answers per edition)."""
    return [e for e in Edition.objects.order_by("name") if actor.has_perm(WRITE, e)]


def may_write(actor) -> bool:
    return actor.has_perm(WRITE) or bool(writable_editions(actor))


def check_may_write(actor, editions: Sequence[Edition] = ()) -> None:
    """Refuse unless ``actor`` may write, and for each of ``editions``."""
    if not may_write(actor):
        raise PermissionDenied("you may not write articles")
    for edition in editions:
        if not actor.has_perm(WRITE, edition):
            raise PermissionDenied(f"you may not write articles for {edition.name}: tick "
                                   "the editions you write for")


def _wire_item(draft: Draft, guid: str, body_html: str) -> WireItem:
    standfirst = plain_text(draft.standfirst)
    # The standfirst opens the body: the lead and teaser every feed, card and digest
    # shows, and the page's first paragraph.
    if standfirst:
        body_html = f"<p>{escape(standfirst)}</p>{body_html}"
    media = []
    if draft.picture is not None:
        media.append(Media(url=library_url(draft.picture), caption=draft.caption.strip(),
                           credit=draft.credit.strip(), alt=draft.alt.strip()))
    categories = [draft.section.slug] if draft.section else []
    categories += [t for t in (plain_text(t) for t in draft.tags) if t]
    return WireItem(title=draft.headline, guid=guid, body=body_html, byline=draft.byline,
                    dateline=draft.dateline, categories=categories,
                    published=timezone.now(), media=media, source_format="desk")


def _checked(draft: Draft) -> tuple[str, str]:
    """The body's Markdown and HTML, once the draft is found complete."""
    if not plain_text(draft.headline):
        raise DeskError("an article needs a headline")
    markdown = markdown_of(draft.body)
    body_html = body_to_html(markdown)
    if not html_to_text(body_html).strip():
        raise DeskError("nothing of the body is left: write the article's text")
    if draft.picture is not None and not draft.alt.strip():
        raise DeskError("a picture needs its alt text: say what it shows, for readers "
                        "who cannot see it")
    return markdown, body_html


def draft_save(*, actor, draft: Draft, article: Article | None = None) -> Article:
    """Store the draft (a new one, or ``article`` again) and place it; audited."""
    check_may_write(actor, draft.editions)
    markdown, body_html = _checked(draft)
    with transaction.atomic():
        if article is not None:
            article = Article.objects.select_for_update().get(pk=article.pk)
            if article.kind != Article.Kind.DESK or article.status != Article.Status.DRAFT:
                raise DeskError("this article is not a draft of the desk's any more: "
                                "edit it in the article list")
        guid = article.guid if article is not None else f"wiredesk-desk:{uuid.uuid4().hex}"
        if draft.picture is not None:
            newsroom.picture_source_ready(library_url(draft.picture), draft.picture)
        clean = normalize(_wire_item(draft, guid, body_html), zone="UTC",
                          agency_prefixes=False)
        stored = newsroom.store_item(clean, agency=desk_agency(), kind=Article.Kind.DESK,
                                     draft=True)
        created = article is None
        article = stored.article or article
        if article is None:
            raise DeskError("this article is being saved by another request")
        if draft.section is not None and article.section_id != draft.section.pk:
            article.section = draft.section  # the editor's choice, not the classifier's
            article.save(update_fields=["section", "modified_at"])
        edition_ids = ([e.pk for e in draft.editions] if draft.editions
                       else edition_services.rule_editions(article))
        if not edition_ids:
            raise DeskError("no edition's rules take this article: tick the editions it "
                            "goes in")
        if not draft.editions:  # where the rules put it, the writer must be allowed too
            check_may_write(actor, list(Edition.objects.filter(pk__in=edition_ids)))
        edition_services.place_in_editions(article, edition_ids)
        manuscript, _ = Manuscript.objects.update_or_create(
            article=article, defaults={
                "standfirst": draft.standfirst.strip(), "body": markdown,
                "tags": ", ".join(t.strip() for t in draft.tags if t.strip())[:500],
                "picture": draft.picture, "author": _user(actor)})
        manuscript.editions.set(draft.editions)
        record(actor, "article.create" if created else "article.edit", article,
               draft=True, editions=sorted(edition_ids))
    log.info("desk article %s %s by %s", article.pk, "written" if created else "saved",
             actor)
    return article


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def article_publish(*, actor, article: Article) -> Article:
    """Publish a draft now, in the editions it was placed in when it was saved."""
    editions = list(Edition.objects.filter(placements__article=article))
    check_may_write(actor, editions)
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        if article.status != Article.Status.DRAFT:
            raise DeskError("this article is not a draft: it was published already")
        if not editions:
            raise DeskError("this draft is in no edition: save it with editions ticked")
        newsroom.article_release(article=article, actor=actor)
        record(actor, "article.publish", article, editions=[e.slug for e in editions])
    log.info("desk article %s published by %s", article.pk, actor)
    return article


def picture_upload(*, actor, data: bytes, caption: str = "", credit: str = "",
                   alt: str = "") -> PictureAsset:
    """A picture into the media library (checked; nothing stored when refused)."""
    check_may_write(actor)
    if len(data) > upload_limit():
        raise DeskError(f"the picture is larger than {upload_limit() // (1024 * 1024)} MB")
    try:
        asset = newsroom.picture_upload(data, caption=caption, credit=credit, alt=alt)
    except PictureRejected as exc:
        raise DeskError(f"this file cannot be used as a picture: {exc}") from exc
    record(actor, "picture.upload", asset, sha256=asset.sha256)
    return asset


def upload_limit() -> int:
    """The largest upload: the pictures' own cap, and below what a request may carry."""
    return min(settings.WIREDESK_PICTURE_MAX_BYTES,
               settings.WIREDESK_MAX_REQUEST_BYTES - 256 * 1024)
