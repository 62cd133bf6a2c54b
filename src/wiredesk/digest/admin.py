import csv

from django.contrib import admin
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html

from wiredesk.digest import admin_tools, figures
from wiredesk.digest.models import (
    ArchiveIssue,
    BounceEvent,
    Delivery,
    Digest,
    Subscriber,
    Suppression,
)


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "edition", "status", "paused", "delivery_time", "time_zone",
                    "bounce_count", "last_bounce_at", "confirmed_at", "last_sent_at"]
    list_filter = ["edition", "status", "paused"]
    search_fields = ["email"]
    readonly_fields = ["link_key", "created_at", "confirmed_at", "unsubscribed_at",
                       "confirmation_sent_at", "confirmations_sent", "signup_ip",
                       "last_window_end", "last_sent_at", "bounce_count", "last_bounce_at",
                       "last_bounce_reason"]
    filter_horizontal = ["sections"]
    date_hierarchy = "created_at"

    def get_list_display(self, request):
        return [*self.list_display, "preview_link"]

    @admin.display(description="digest")
    def preview_link(self, subscriber):
        return format_html('<a href="../digest/preview/?edition={}&amp;email={}">preview</a>',
                           subscriber.edition_id, subscriber.email)


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    """Each send with its figures; the preview, test-send and chart pages (admin_tools)."""

    list_display = ["edition", "issue_date", *(f"fig_{name}" for name in figures.FIGURES),
                    "created_at"]
    list_filter = ["edition"]
    date_hierarchy = "issue_date"

    def get_queryset(self, request):
        return figures.with_figures(super().get_queryset(request).select_related("edition"))

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(lambda request: function(request, self))

        return [
            path("preview/", view(admin_tools.preview_view), name="digest_preview"),
            path("preview/html/", view(admin_tools.preview_html_view),
                 name="digest_preview_html"),
            path("figures/", view(admin_tools.figures_view), name="digest_figures"),
            *super().get_urls(),
        ]


def _figure_column(name: str):
    def column(self, digest):
        return figures.figure(digest, name)
    column.__name__ = f"fig_{name}"
    return admin.display(description=name)(column)


for _name in figures.FIGURES:
    setattr(DigestAdmin, f"fig_{_name}", _figure_column(_name))


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The delivery log: searchable by address, Message-ID or error."""

    list_display = ["email", "digest", "state", "attempts", "smtp_code", "sent_at",
                    "resent_after_crash", "last_error"]
    list_filter = ["state", "edition", "resent_after_crash", "digest__issue_date"]
    search_fields = ["email", "message_id", "last_error"]
    raw_id_fields = ["digest", "subscriber"]
    list_select_related = ["digest__edition"]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ArchiveIssue)
class ArchiveIssueAdmin(admin.ModelAdmin):
    """The public archive's issues: snapshots, so they are read here, never edited."""

    list_display = ["edition", "issue_date", "story_count", "window_start", "window_end",
                    "created_at"]
    list_filter = ["edition"]
    date_hierarchy = "issue_date"
    readonly_fields = [f.name for f in ArchiveIssue._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    """The addresses no digest goes to, and why. An operator may add one (reason
    "manual") or delete one to mail that address again."""

    list_display = ["email", "reason", "source", "created_at", "detail"]
    list_filter = ["reason", "source"]
    search_fields = ["email", "detail"]
    date_hierarchy = "created_at"
    raw_id_fields = ["delivery"]
    readonly_fields = ["delivery", "created_at"]
    actions = ["export_csv"]

    def get_changeform_initial_data(self, request):
        return {"reason": Suppression.Reason.MANUAL, "source": "admin"}

    def save_model(self, request, obj, form, change):
        obj.email = obj.email.strip().lower()
        super().save_model(request, obj, form, change)

    @admin.action(description="Export the selected addresses as CSV")
    def export_csv(self, request, queryset):
        from wiredesk.digest.cli import SUPPRESSION_CSV_FIELDS, suppression_rows

        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="suppressions-{stamp}.csv"'
        writer = csv.writer(response)
        writer.writerow(SUPPRESSION_CSV_FIELDS)
        writer.writerows(suppression_rows(queryset))
        return response


@admin.register(BounceEvent)
class BounceEventAdmin(admin.ModelAdmin):
    """Every bounce, delay and complaint report received, and what it was matched to."""

    list_display = ["received_at", "kind", "email", "status", "source", "format",
                    "matched_by", "diagnostic"]
    list_filter = ["kind", "source", "format", "matched_by"]
    search_fields = ["email", "diagnostic", "report_subject", "delivery__message_id"]
    date_hierarchy = "received_at"
    raw_id_fields = ["delivery"]
    readonly_fields = [f.name for f in BounceEvent._meta.fields]

    def has_add_permission(self, request):
        return False
