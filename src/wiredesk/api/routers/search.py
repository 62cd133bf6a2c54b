"""Full-text search in one edition."""

from __future__ import annotations

from datetime import date, timedelta

from ninja import Query, Router
from ninja.errors import HttpError

from wiredesk.api import schemas
from wiredesk.api.routers.common import (
    agency_param,
    article_out,
    articles_query,
    edition_param,
    section_param,
)
from wiredesk.search.backends import SearchTooSlow
from wiredesk.search.query import DateOutOfRange, check_day, local_day_start
from wiredesk.search.services import MAX_PAGE, SearchFilters, search_edition

router = Router()


class SearchParams(schemas.Schema):
    edition: str
    q: str = schemas.Field(max_length=1000)
    section: str | None = None
    agency: str | None = None
    date_from: date | None = schemas.Field(default=None, alias="from")
    date_to: date | None = schemas.Field(default=None, alias="to")
    page: int = schemas.Field(default=1, ge=1, le=MAX_PAGE)


@router.get("/search", response={200: schemas.SearchOut, 400: schemas.ErrorOut,
                                 404: schemas.ErrorOut, 503: schemas.ErrorOut}, tags=["search"])
def search(request, params: Query[SearchParams]):
    """Full-text search in one edition: words, "quoted phrases", filters; highlighted."""
    edition = edition_param(params.edition)
    if edition is None:
        raise HttpError(400, "edition: required")
    filters = SearchFilters(section=section_param(params.section),
                            agency=agency_param(params.agency))
    try:
        if params.date_from:
            filters.since = local_day_start(check_day(params.date_from, "from"),
                                            edition.time_zone)
        if params.date_to:
            filters.until = local_day_start(check_day(params.date_to, "to") + timedelta(days=1),
                                            edition.time_zone)
        results = search_edition(edition, params.q, filters=filters, page=params.page)
    except DateOutOfRange as exc:
        raise HttpError(400, str(exc)) from exc
    except SearchTooSlow as exc:
        raise HttpError(503, str(exc)) from exc
    ids = [hit.article.pk for hit in results.hits]
    loaded = articles_query().in_bulk(ids)
    return {
        "query": params.q, "page": results.page, "total": results.total,
        "total_capped": results.total_capped, "num_pages": results.num_pages,
        "hits": [{"article": article_out(loaded[h.article.pk], edition),
                  "headline_html": h.headline_html, "snippet_html": h.snippet_html,
                  "score": h.score} for h in results.hits if h.article.pk in loaded],
    }
