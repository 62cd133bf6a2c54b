"""The admin's way to the wire-health page: "Operations › Wire health" on its index."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from wiredesk.ops.models import FeedSilence


@admin.register(FeedSilence)
class WireHealthEntry(admin.ModelAdmin):
    """The silences themselves are the watch's memory, not something to edit: the entry
    leads to the page that shows every feed."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return redirect(reverse("wire-health"))
