"""Articles and stories: public reads, cursor-paged for sync."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.cache import patch_vary_headers
from ninja import Query, Router, Status
from ninja.errors import HttpError

from wiredesk.api import schemas, sync
from wiredesk.api.routers.common import (
    MAX_ID,
    agency_param,
    article_detail_out,
    article_out,
    articles_query,
    edition_param,
    moment_param,
    section_param,
    text_param,
)
from wiredesk.editions.links import story_url
from wiredesk.editions.selectors import public_q, story_coverage
from wiredesk.newsroom.models import Article, Story
from wiredesk.publishing import newsml, ninjs

router = Router()


def _encode_cursor(parts: list[str]) -> str:
    return base64.urlsafe_b64encode("|".join(parts).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, mode: str) -> tuple[datetime, int]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, moment, pk = text.split("|")
        if kind != mode:
            raise ValueError("cursor from another ordering")
        when = datetime.fromisoformat(moment)
        if when.tzinfo is None:
            raise ValueError("cursor without zone")
        return when, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise HttpError(400, "cursor: not a cursor this API gave out") from exc


class ArticleFilters(schemas.Schema):
    edition: str | None = None
    section: str | None = None
    agency: str | None = None
    story: int | None = schemas.Field(default=None, ge=1, le=MAX_ID)
    updated_since: datetime | None = None
    cursor: str | None = None
    limit: int = schemas.Field(default=20, ge=1, le=100)


@router.get("/articles", response={200: schemas.ArticlePage, 400: schemas.ErrorOut,
                                   404: schemas.ErrorOut, 410: schemas.ErrorOut},
            tags=["articles"])
def list_articles(request, filters: Query[ArticleFilters]):
    """Public articles, newest first; with `updated_since`, what changed since, for syncing.

    Pages are cursor-based: follow `next_cursor` until it is null. When syncing, each
    changed article comes once, in the order of its last change, as it is now: the
    article, or a tombstone (`deleted: true`, with the reason) when it is not public any
    more; keep `sync_cursor` to ask again later. 410: the cursor or `updated_since` is
    older than the changes kept, sync again from `updated_since=1900-01-01T00:00:00Z`.
    """
    edition = edition_param(filters.edition)
    section = section_param(filters.section)
    agency = agency_param(filters.agency)
    since = moment_param(filters.updated_since, "updated_since")
    cursor = text_param(filters.cursor, "cursor", 200)
    if since is not None or (cursor and sync.is_sync_cursor(cursor)):
        return _sync_page(since, cursor, edition, section, agency, filters)
    qs = articles_query().filter(public_q())
    if edition is not None:
        qs = qs.filter(placements__edition=edition)
    else:
        qs = qs.filter(placements__isnull=False).distinct()
    if section is not None:
        qs = qs.filter(section=section)
    if agency is not None:
        qs = qs.filter(agency=agency)
    if filters.story is not None:
        qs = qs.filter(story_id=filters.story)
    mode, field = "p", "published_at"
    qs = qs.order_by("-published_at", "-id")
    if cursor:
        when, pk = _decode_cursor(cursor, mode)
        qs = qs.filter(Q(published_at__lt=when) | Q(published_at=when, id__lt=pk))
    rows = list(qs[: filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        next_cursor = _encode_cursor([mode, getattr(last, field).isoformat(), str(last.pk)])
    return {"items": [article_out(a, edition) for a in rows], "next_cursor": next_cursor}


def _sync_page(since, cursor, edition, section, agency, filters) -> dict:
    page = sync.read(cursor=cursor, since=since, edition=edition, agency=agency,
                     limit=filters.limit)
    items = []
    for state in page.states:
        reason = state.reason
        if not reason and ((section is not None and state.article.section_id != section.pk)
                           or (filters.story is not None
                               and state.article.story_id != filters.story)):
            reason = "filtered"  # it may have matched before: the partner may hold it
        if reason:
            items.append({"id": state.change.article_id, "deleted": True, "reason": reason,
                          "status_reason": state.status_reason,
                          "modified_at": state.change.at})
        else:
            items.append(article_out(state.article, edition))
    return {"items": items, "next_cursor": page.cursor if page.more else None,
            "sync_cursor": page.cursor}


JSON = "application/json"
# What GET /api/articles/{id} answers besides its JSON (content negotiation, Vary: Accept).
OFFERED = (JSON, ninjs.MEDIA_TYPE, newsml.ITEM_MEDIA_TYPE)
_PARTNER_FORMATS = {
    200: {"content": {ninjs.MEDIA_TYPE: {"schema": {"type": "object"}},
                      newsml.ITEM_MEDIA_TYPE: {"schema": {"type": "string"}}}}}


def _carried_article(article_id: int, chosen) -> Article:
    """The article if an edition (``chosen``, or any) carries it and it is public or
    killed (the caller answers 410 for a kill); 404 for anything else."""
    if not 1 <= article_id <= MAX_ID:
        raise Http404("no such article")
    article = articles_query().prefetch_related("revisions").filter(pk=article_id).first()
    if article is None or not article.placements.all():
        raise Http404("no such article")
    if article.status != Article.Status.KILLED and not article.is_public:
        raise Http404("no such article")
    if chosen is not None and chosen.pk not in {p.edition_id for p in article.placements.all()}:
        raise Http404("this edition does not carry the article")
    return article


def _partner_document(article: Article, chosen, media_type: str) -> HttpResponse:
    if media_type == ninjs.MEDIA_TYPE:
        document = ninjs.article_document(article, chosen)
        if article.status == Article.Status.KILLED:
            # 410 like every withdrawn article, and still the NINJS of its cancellation
            # (JSON, as every error of this API is).
            response = HttpResponse(ninjs.dumps(document), status=410,
                                    content_type=f"{JSON}; charset=utf-8")
        else:
            response = HttpResponse(ninjs.dumps(document),
                                    content_type=f"{ninjs.MEDIA_TYPE}; charset=utf-8")
    else:
        if article.status == Article.Status.KILLED:
            response = JsonResponse({"detail": "this article was withdrawn",
                                     "pubstatus": "canceled"}, status=410)
        else:
            response = HttpResponse(newsml.article_document(article, chosen),
                                    content_type=f"{newsml.ITEM_MEDIA_TYPE}; charset=utf-8")
    patch_vary_headers(response, ["Accept"])
    return response


@router.get("/articles/{article_id}",
            response={200: schemas.ArticleDetailOut, 400: schemas.ErrorOut,
                      404: schemas.ErrorOut, 410: schemas.ErrorOut}, tags=["articles"],
            openapi_extra={"responses": _PARTNER_FORMATS})
def get_article(request, response: HttpResponse, article_id: int, edition: str | None = None):
    """One article with its body and the timestamps of its earlier revisions.

    Asked with `Accept: application/ninjs+json` it answers IPTC NINJS 2.1, with
    `Accept: application/vnd.iptc.g2.newsitem+xml` a NewsML-G2 newsItem (the same as
    `/ninjs` and `/newsml`); the answer varies on Accept.
    """
    patch_vary_headers(response, ["Accept"])  # the JSON answers too: caches keep each
    chosen = edition_param(edition)
    article = _carried_article(article_id, chosen)
    wanted = request.get_preferred_type(OFFERED) or JSON
    if wanted != JSON:
        return _partner_document(article, chosen, wanted)
    if article.status == Article.Status.KILLED:
        return Status(410, {"detail": "this article was withdrawn"})
    out = article_detail_out(article, chosen)
    return out


@router.get("/articles/{article_id}/ninjs",
            response={200: dict, 400: schemas.ErrorOut, 404: schemas.ErrorOut, 410: dict},
            tags=["articles"],
            openapi_extra={"responses": {200: {"content": {
                ninjs.MEDIA_TYPE: {"schema": {"type": "object"}}}}}})
def get_article_ninjs(request, article_id: int, edition: str | None = None):
    """The article as IPTC NINJS 2.1 (`application/ninjs+json`).

    A killed article answers 410 with the NINJS of its cancellation (`pubstatus`
    `canceled`, no copy); held or embargoed ones are not found (404).
    """
    chosen = edition_param(edition)
    return _partner_document(_carried_article(article_id, chosen), chosen, ninjs.MEDIA_TYPE)


@router.get("/articles/{article_id}/newsml",
            response={200: str, 400: schemas.ErrorOut, 404: schemas.ErrorOut,
                      410: schemas.ErrorOut},
            tags=["articles"],
            openapi_extra={"responses": {200: {"content": {
                newsml.ITEM_MEDIA_TYPE: {"schema": {"type": "string"}}}}}})
def get_article_newsml(request, article_id: int, edition: str | None = None):
    """The article as an IPTC NewsML-G2 newsItem (`application/vnd.iptc.g2.newsitem+xml`).

    Its picture is named by an `irel:associatedWith` link (the picture item itself is in
    the edition's `feed.newsml.xml`). A killed article answers 410.
    """
    chosen = edition_param(edition)
    return _partner_document(_carried_article(article_id, chosen), chosen,
                             newsml.ITEM_MEDIA_TYPE)


@router.get("/stories/{story_id}",
            response={200: schemas.StoryOut, 400: schemas.ErrorOut, 404: schemas.ErrorOut},
            tags=["articles"])
def get_story(request, story_id: int, edition: str):
    """One story and its coverage in an edition, oldest first."""
    if not 1 <= story_id <= MAX_ID:
        raise Http404("no such story")
    chosen = edition_param(edition)
    if chosen is None:
        raise HttpError(400, "edition: required")
    story = Story.objects.select_related("representative").filter(pk=story_id).first()
    coverage = story_coverage(chosen, story) if story is not None else []
    if not coverage:
        raise Http404("this edition carries nothing of that story")
    articles = {a.pk: a for a in articles_query().filter(pk__in=[a.pk for a in coverage])}
    return {
        "id": story.pk, "headline": story.headline, "summary": story.summary,
        "first_published_at": story.first_published_at,
        "last_published_at": story.last_published_at,
        "url": story_url(chosen, story),
        "coverage": [article_out(articles[a.pk], chosen) for a in coverage if a.pk in articles],
    }
