from django.contrib import admin

from wiredesk.digest.models import ArchiveIssue, Delivery, Digest, Subscriber


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


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ["edition", "issue_date", "created_at"]
    list_filter = ["edition"]
    date_hierarchy = "issue_date"


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
