"""The desk's own pages (thin: parse, call one service or selector, render)."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache

from wiredesk.core.audit import AuditEntry


def desk_context(request, title: str, **extra) -> dict:
    """What every desk page gets: the admin's look (header, user tools) and the title."""
    return {**admin.site.each_context(request), "title": title, **extra}


@never_cache
def home(request):
    return TemplateResponse(request, "desk/home.html", desk_context(request, "Desk"))


@never_cache
def audit_log(request):
    if not request.user.has_perm("core.view_auditentry"):
        raise PermissionDenied
    entries = AuditEntry.objects.select_related("actor").order_by("-at", "-id")
    action = request.GET.get("action", "").strip()
    if action:
        entries = entries.filter(action=action)
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    return TemplateResponse(request, "desk/audit_log.html",
                            desk_context(request, "Audit log", page=page, action=action))
