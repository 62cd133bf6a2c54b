"""``/<edition>/search?q=``: the reader's search page."""

from __future__ import annotations

from datetime import timedelta

from django.shortcuts import render

from wiredesk.editions.pages import edition_page, page_context
from wiredesk.newsroom.models import Agency, Section
from wiredesk.search.backends import SearchTooSlow
from wiredesk.search.query import (
    MAX_QUERY_CHARS,
    DateOutOfRange,
    check_day,
    clean_text,
    local_day_start,
    parse_day,
    parse_query,
)
from wiredesk.search.services import PAGE_SIZE, SearchFilters, SearchResults, search_edition


def filters_from(params, edition) -> tuple[SearchFilters, dict]:
    """Filters from GET parameters; anything unknown or malformed is ignored, never a 500.
    A well-formed day out of range raises DateOutOfRange: the reader asked for it."""
    chosen = {"section": "", "agency": "", "from": "", "to": ""}
    filters = SearchFilters()
    section_slug = clean_text(params.get("section", ""))[:64]
    if section_slug:
        filters.section = Section.objects.filter(slug=section_slug).first()
        chosen["section"] = section_slug if filters.section else ""
    agency_code = clean_text(params.get("agency", "")).upper()[:32]
    if agency_code:
        filters.agency = Agency.objects.filter(code=agency_code).first()
        chosen["agency"] = agency_code if filters.agency else ""
    since, until = parse_day(params.get("from", "")), parse_day(params.get("to", ""))
    if since:
        check_day(since, "from")
        filters.since = local_day_start(since, edition.time_zone)
        chosen["from"] = since.isoformat()
    if until:
        check_day(until, "to")
        # "to" names a day the reader wants included: stop at the start of the next one.
        filters.until = local_day_start(until + timedelta(days=1), edition.time_zone)
        chosen["to"] = until.isoformat()
    return filters, chosen


def _search(params, edition, raw: str, page: int) -> tuple[SearchResults, dict, str, int]:
    """Results, chosen filters, and a problem with its status when there are none."""
    try:
        filters, chosen = filters_from(params, edition)
    except DateOutOfRange as exc:
        return _no_results(), dict.fromkeys(("section", "agency", "from", "to"), ""), str(exc), 400
    try:
        return search_edition(edition, raw, filters=filters, page=page), chosen, "", 200
    except SearchTooSlow as exc:
        return _no_results(), chosen, str(exc), 503


def _no_results() -> SearchResults:
    return SearchResults(query=parse_query(""), page=1, page_size=PAGE_SIZE, total=0)


@edition_page
def search_page(request):
    edition = request.edition
    raw = clean_text(request.GET.get("q", ""))
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    results, chosen, problem, status = _search(request.GET, edition, raw, page)
    agencies = Agency.objects.filter(articles__placements__edition=edition).distinct()
    keep = {k: v for k, v in chosen.items() if v}
    return render(request, "wiredesk/search.html", page_context(
        request, q=raw[:MAX_QUERY_CHARS], results=results, chosen=chosen, keep=keep,
        agencies=agencies, noindex=True, problem=problem), status=status)
