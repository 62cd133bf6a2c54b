"""The front-page editor: which story leads an edition's home (or a section's front), which
open the secondary row and which are pinned at the head of the latest list.

Plain forms, POST with CSRF, each button one service call of ``editions.curation`` then
back to the page (no JavaScript needed); ``wiredesk/desk-fronts.js`` adds drag-to-reorder
on top, posting the new order to the same address. Times in the edition's zone.
"""

from __future__ import annotations

from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from wiredesk.desk.views import desk_context
from wiredesk.editions import curation, selectors
from wiredesk.editions.models import Edition, FrontSlot
from wiredesk.newsroom.models import Article, Section

CURATE = "editions.curate_edition"
SEARCH_RESULTS = 20
NOW_LISTED = 5  # the head of the latest list shown under "Leads now"


def _may_curate(request, edition: Edition) -> bool:
    return request.user.has_perm(CURATE, edition)


@never_cache
def fronts_index(request):
    """The editions this user may curate, each with its section fronts."""
    editions = [e for e in Edition.objects.prefetch_related("sections")
                if _may_curate(request, e)]
    rows = [(e, list(e.sections.all())) for e in editions]
    return render(request, "desk/fronts.html",
                  desk_context(request, "Fronts", rows=rows))


def _front_of(request, edition_slug: str, section_slug: str | None):
    edition = get_object_or_404(Edition, slug=edition_slug)
    if not _may_curate(request, edition):
        raise PermissionDenied
    section = None
    if section_slug:
        section = get_object_or_404(Section, slug=section_slug)
        chosen = edition.sections.all()
        if chosen.exists() and not chosen.filter(pk=section.pk).exists():
            raise Http404("this edition has no such section")
    return edition, section


def _editor_url(edition: Edition, section: Section | None) -> str:
    if section is None:
        return reverse("desk:front", args=[edition.slug])
    return reverse("desk:section-front", args=[edition.slug, section.slug])


@never_cache
def front_editor(request, edition_slug: str, section_slug: str | None = None):
    edition, section = _front_of(request, edition_slug, section_slug)
    if request.method == "POST":
        return _act(request, edition, section)
    with timezone.override(ZoneInfo(edition.time_zone)):
        # Rendered here, inside the edition's zone (a TemplateResponse would render later).
        return render(request, "desk/front_editor.html",
                      _editor_context(request, edition, section))


def _editor_context(request, edition: Edition, section: Section | None) -> dict:
    front, rest = selectors.edition_front(edition, section=section)
    listed = list(rest[:NOW_LISTED])
    slots = list(FrontSlot.objects.filter(edition=edition, section=section)
                 .select_related("article").order_by("kind", "position", "pk"))
    pool = selectors.edition_articles(edition, section=section)
    public = set(pool.filter(pk__in=[s.article_id for s in slots])
                 .values_list("pk", flat=True)) if slots else set()
    now = timezone.now()
    for slot in slots:
        slot.expired = slot.expires_at is not None and slot.expires_at <= now
        slot.shown = slot.article_id in public and not slot.expired
    query = request.GET.get("q", "").strip()[:200]
    found = pool
    if query:
        match = Q(headline__icontains=query)
        if query.isdigit():
            match |= Q(pk=int(query))
        found = found.filter(match)
    slotted = {s.article_id: s.kind for s in slots}
    results = list(found[:SEARCH_RESULTS])
    for article in results:
        article.slot_kind = slotted.get(article.pk, "")
    kinds = {kind: [s for s in slots if s.kind == kind] for kind in FrontSlot.Kind.values}
    sections = selectors.edition_sections(edition)
    title = f"Front: {edition.name}" + (f" — {section.name}" if section else "")
    return desk_context(
        request, title, edition=edition, section=section, front=front, listed=listed,
        slots=slots, kinds=kinds, results=results, query=query, sections=sections,
        editor_url=_editor_url(edition, section), zone=edition.time_zone,
        public_base=f"/{edition.slug}", max_featured=curation.MAX_FEATURED,
        max_pinned=curation.MAX_PINNED)


def _act(request, edition: Edition, section: Section | None):
    """One button pressed: one service call, then back to the editor (or, for the drag
    script, a JSON answer)."""
    action = request.POST.get("action", "")
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:
        done = _apply(request, action, edition, section)
    except curation.CurationError as exc:
        if wants_json:
            return JsonResponse({"ok": False, "error": str(exc)}, status=400)
        messages.error(request, str(exc))
    else:
        if wants_json:
            return JsonResponse({"ok": True, "message": done})
        messages.success(request, done)
    url = _editor_url(edition, section)
    query = request.POST.get("q", "").strip()
    if query:
        url += "?" + urlencode({"q": query})
    return HttpResponseRedirect(url)


def _article(request) -> Article:
    try:
        return Article.objects.get(pk=int(request.POST.get("article", "")))
    except (ValueError, Article.DoesNotExist):
        raise curation.CurationError("no such article") from None


def _slot(request, edition: Edition, section: Section | None) -> FrontSlot:
    try:
        return (FrontSlot.objects.select_related("edition", "section", "article")
                .get(pk=int(request.POST.get("slot", "")), edition=edition, section=section))
    except (ValueError, FrontSlot.DoesNotExist):
        raise curation.CurationError("that slot is no longer on this front (reload the "
                                     "page)") from None


def _apply(request, action: str, edition: Edition, section: Section | None) -> str:
    user = request.user
    if action in ("top", "feature"):
        article = _article(request)
        curation.front_feature(actor=user, edition=edition, section=section,
                               article=article, top=action == "top")
        return (f"“{article.headline}” is the top story." if action == "top"
                else f"“{article.headline}” is featured.")
    if action == "pin":
        article = _article(request)
        slot = curation.front_pin(actor=user, edition=edition, section=section,
                                  article=article, expires=request.POST.get("expires", ""))
        until = ""
        if slot.expires_at:
            local = slot.expires_at.astimezone(ZoneInfo(edition.time_zone))
            until = f" until {local:%Y-%m-%d %H:%M} ({edition.time_zone})"
        return f"“{article.headline}” is pinned{until}."
    if action == "remove":
        slot = _slot(request, edition, section)
        curation.front_remove(actor=user, slot=slot)
        return f"“{slot.article.headline}” left the front's slots."
    if action in ("up", "down"):
        slot = _slot(request, edition, section)
        curation.front_move(actor=user, slot=slot, offset=-1 if action == "up" else 1)
        return f"“{slot.article.headline}” moved {action}."
    if action == "reorder":
        raw = request.POST.get("order", "")
        try:
            ids = [int(i) for i in raw.split(",") if i.strip()]
        except ValueError:
            raise curation.CurationError("the new order is a list of slot ids") from None
        curation.front_reorder(actor=user, edition=edition, section=section, slot_ids=ids)
        return "The new order is saved."
    if action == "clear":
        removed = curation.front_clear(actor=user, edition=edition, section=section)
        return f"{removed} slot(s) removed: the front is chosen automatically."
    raise curation.CurationError(f"unknown action {action!r}")

