"""The desk's own pages (thin: parse, call one service or selector, render)."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Q, Subquery
from django.db.models.lookups import IsNull
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache

from wiredesk.core.audit import AuditEntry
from wiredesk.core.pagination import uncounted_page
from wiredesk.desk.services import may_write
from wiredesk.editions.models import Edition, Placement
from wiredesk.editions.roles import is_edition_scoped


def desk_context(request, title: str, **extra) -> dict:
    """What every desk page gets: the admin's look (header, user tools) and the title."""
    return {**admin.site.each_context(request), "title": title, **extra}


@never_cache
def home(request):
    return TemplateResponse(request, "desk/home.html", desk_context(
        request, "Desk", may_write=may_write(request.user)))


def audit_entries(user, *, action: str = "", actor: str = "", edition: str = "",
                  target: str = ""):
    """The log as ``user`` may read it, filtered. An edition editor reads their editions'
    entries only: those naming one of them, and those about an article one of them
    carries (an article in several editions names none)."""
    entries = AuditEntry.objects.select_related("actor").order_by("-at", "-id")
    if is_edition_scoped(user):
        mine = list(Edition.objects.filter(roles__user=user).values_list("slug", flat=True))
        entries = entries.filter(_of_editions(mine))
    if action:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(actor_label__iexact=actor)
    if edition:
        entries = entries.filter(_of_editions([edition]))
    if target:
        kind, _, pk = target.partition(":")
        entries = entries.filter(target_type=kind.strip().lower(), target_id=pk.strip())
    return entries


def _of_editions(slugs: list[str]) -> Q:
    """Entries naming one of the editions, or about an article one of them carries: asked
    per entry (one probe of the placements' article index) while the log is read newest
    first, so a page costs the entries read to fill it, not the editions' whole archive
    (an IN over every article they carry: 1.3 s at 1M). A scalar subquery, not EXISTS:
    PostgreSQL turns an EXISTS under OR into a hash of every placement of the editions."""
    carried = (Placement.objects.filter(article_id=OuterRef("article_id"),
                                        edition__slug__in=slugs).values("pk")[:1])
    return Q(edition_slug__in=slugs) | Q(IsNull(Subquery(carried), False))


@never_cache
def audit_log(request):
    if not request.user.has_perm("core.view_auditentry"):
        raise PermissionDenied
    filters = {name: request.GET.get(name, "").strip()[:200]
               for name in ("action", "actor", "edition", "target")}
    # No count: the log only grows, and counting it on each view would read all of it.
    page = uncounted_page(audit_entries(request.user, **filters), request.GET.get("page"), 100)
    for entry in page:
        entry.link = _target_link(entry)
    editions = Edition.objects.order_by("position", "name")
    if is_edition_scoped(request.user):
        editions = editions.filter(roles__user=request.user)
    return TemplateResponse(request, "desk/audit_log.html", desk_context(
        request, "Audit log", page=page, editions=editions,
        query=urlencode({k: v for k, v in filters.items() if v}), **filters))


def _target_link(entry: AuditEntry) -> str:
    """Where the entry's article is worked on (its admin page); nothing for other kinds."""
    if entry.target_type == "article" and entry.target_id.isdigit():
        return reverse("admin:newsroom_article_change", args=[entry.target_id])
    return ""
