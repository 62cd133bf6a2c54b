"""The wire-health page in the admin (staff only: mounted behind ``admin_view``; feeds'
errors name agencies' hosts, so it also needs the permission to view the watch's record)."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache

from wiredesk.ops import idle
from wiredesk.ops.wire_health import feed_health

VIEW_PERMISSION = "ops.view_feedsilence"


@never_cache
def wire_health(request):
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    report = feed_health()
    context = {
        **admin.site.each_context(request),
        "title": "Wire health",
        "report": report,
        "silent_count": sum(1 for h in report if h.silent),
        "failing_count": sum(1 for h in report if h.failing),
        "window_days": idle.WINDOW_DAYS,
    }
    return TemplateResponse(request, "admin/ops/wire_health.html", context)
