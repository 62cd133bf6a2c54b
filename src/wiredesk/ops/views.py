"""The wire-health page in the admin (staff only: mounted behind ``admin_view``)."""

from __future__ import annotations

from django.contrib import admin
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache

from wiredesk.ops import idle
from wiredesk.ops.wire_health import feed_health


@never_cache
def wire_health(request):
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
