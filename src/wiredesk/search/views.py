"""``/<edition>/search?q=``: the reader's search page."""

from __future__ import annotations

from datetime import timedelta

from django.shortcuts import render

from wiredesk.editions.pages import edition_page, page_context
from wiredesk.newsroom.models import Agency, Section
from wiredesk.search.query import MAX_QUERY_CHARS, clean_text, local_day_start, parse_day
from wiredesk.search.services import SearchFilters, search_edition


def filters_from(params, edition) -> tuple[SearchFilters, dict]:
    """Filters from GET parameters; anything unknown or malformed is ignored, never a 500."""
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
        filters.since = local_day_start(since, edition.time_zone)
        chosen["from"] = since.isoformat()
    if until:
        # "to" names a day the reader wants included: stop at the start of the next one.
        filters.until = local_day_start(until + timedelta(days=1), edition.time_zone)
        chosen["to"] = until.isoformat()
    return filters, chosen


@edition_page
def search_page(request):
    edition = request.edition
    raw = clean_text(request.GET.get("q", ""))
    filters, chosen = filters_from(request.GET, edition)
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    results = search_edition(edition, raw, filters=filters, page=page)
    agencies = Agency.objects.filter(articles__placements__edition=edition).distinct()
    keep = {k: v for k, v in chosen.items() if v}
    return render(request, "wiredesk/search.html", page_context(
        request, q=raw[:MAX_QUERY_CHARS], results=results, chosen=chosen, keep=keep,
        agencies=agencies, noindex=True))
