"""What every router of the API shares: parameter checks and the article shape."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db.models import Prefetch
from django.http import Http404
from ninja.errors import HttpError

from wiredesk.editions import selectors
from wiredesk.editions.canonical import canonical_url
from wiredesk.editions.languages import article_language
from wiredesk.editions.links import article_url, media_url
from wiredesk.editions.models import Edition, Placement
from wiredesk.newsroom.models import Agency, Article, Section

MAX_ID = 2**63 - 1
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def text_param(value: str | None, name: str, max_length: int = 200) -> str:
    value = (value or "").strip()
    if "\x00" in value or len(value) > max_length:
        raise HttpError(400, f"{name}: not a valid value")
    return value


def moment_param(value: datetime | None, name: str) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        utc = value.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise HttpError(400, f"{name}: out of range") from exc
    if not EARLIEST <= utc <= LATEST:
        raise HttpError(400, f"{name}: must be between 1900 and 2200")
    return utc


def _named(model, field: str, value: str | None, *, param: str, max_length: int):
    """The row a query parameter names, None when it is absent, 404 when it names nothing."""
    value = text_param(value, param, max_length)
    if field == "code":
        value = value.upper()
    if not value:
        return None
    found = model.objects.filter(**{field: value}).first()
    if found is None:
        raise Http404(f"no {param} {value!r}")
    return found


def edition_param(slug: str | None) -> Edition | None:
    return _named(Edition, "slug", slug, param="edition", max_length=64)


def section_param(slug: str | None) -> Section | None:
    return _named(Section, "slug", slug, param="section", max_length=64)


def agency_param(code: str | None) -> Agency | None:
    return _named(Agency, "code", code, param="agency", max_length=32)


def articles_query():
    return (Article.objects.select_related("agency", "section")
            .prefetch_related(Prefetch("placements",
                                       queryset=Placement.objects.select_related("edition")
                                       .order_by("edition__position", "edition__name"))))


def picture_out(article: Article, edition: Edition | None) -> dict | None:
    """The article's picture at its local addresses (absolute), once it is stored; the
    agency's own address only as ``source_url``, for reference."""
    picture = article.picture
    if picture is None:
        return None
    return {"url": media_url(edition, picture.url), "caption": picture.caption,
            "credit": picture.credit, "alt": picture.alt, "width": picture.width,
            "height": picture.height, "type": picture.mime_type, "rights": picture.rights,
            "source_url": picture.source_url,
            "renditions": [{"url": media_url(edition, f.url), "width": f.width,
                            "height": f.height, "type": f.mime_type, "bytes": f.length}
                           for f in article.picture_files()]}


def article_out(article: Article, edition: Edition | None = None) -> dict:
    editions = [p.edition for p in article.placements.all()]
    home = edition or (editions[0] if editions else None)
    image = picture_out(article, home)
    return {
        "id": article.pk,
        "url": article_url(home, article) if home else "",
        "headline": article.headline,
        "language": article_language(article, home),
        "teaser": article.teaser,
        "agency": {"code": article.agency.code, "name": article.agency.name},
        "section": ({"slug": article.section.slug, "name": article.section.name}
                    if article.section else None),
        "byline": article.byline,
        "dateline": article.dateline,
        "image_url": image["url"] if image else "",
        "image": image,
        "published_at": article.published_at,
        "updated_at": article.source_updated_at,
        "modified_at": article.modified_at,
        "version": article.version,
        "editions": [e.slug for e in editions],
        "story": article.story_id,
    }


def article_detail_out(article: Article, edition: Edition | None = None) -> dict:
    """One article with its body, revisions, tags and correction: the API's article
    endpoint and ``wiredesk article show``."""
    out = article_out(article, edition)
    out.update({
        "lead": article.lead, "body_html": article.body_html, "credit": article.credit,
        "image_caption": article.image_caption, "image_credit": article.image_credit,
        "canonical_source_url": article.canonical_url,
        "canonical_url": canonical_url(article, edition),
        "revisions": [{"version": r.version, "headline": r.headline,
                       "recorded_at": r.recorded_at, "source_updated_at": r.source_updated_at}
                      # The agency's version waiting for the desk is not the article's.
                      for r in article.revisions.all() if r.pk != article.pending_revision_id],
        "tags": [{"key": t.key, "name": t.name, "kind": t.kind}
                 for t in selectors.article_tags(article)],
        "correction": ({"corrected_at": article.corrected_at, "note": article.correction_note}
                       if article.corrected_at else None),
    })
    return out
