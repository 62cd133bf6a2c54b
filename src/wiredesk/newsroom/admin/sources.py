"""The newsroom's sources in the admin: agencies, sections, feeds and the intake ledger."""


from django.contrib import admin, messages
from django.db import models

from wiredesk.newsroom import services
from wiredesk.newsroom.models import Agency, Feed, Intake, Section

# An address typed without a scheme is read as https (Django 6's default). Built with
# Django 5's default, every form with a URLField warns, and the change page failed (500)
# wherever warnings are errors (the test suite).
URLS_AS_HTTPS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "time_zone", "trust_guids"]
    search_fields = ["code", "name"]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "aliases", "position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Intake)
class IntakeAdmin(admin.ModelAdmin):
    """The ledger of drop folders and mailboxes: each file or message taken, and how it
    went. Read-only: a row is what keeps a file from being taken twice."""

    list_display = ["taken_at", "feed", "name", "size", "outcome", "articles", "detail_short"]
    list_filter = ["outcome", "feed"]
    search_fields = ["name", "detail"]
    list_select_related = ["feed"]

    @admin.display(description="detail")
    def detail_short(self, intake):
        return (intake.detail[:120] + "...") if len(intake.detail) > 120 else intake.detail

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    formfield_overrides = URLS_AS_HTTPS
    list_display = ["shown_source", "transport", "agency", "format", "enabled", "last_status",
                    "last_error_short", "last_polled_at", "next_poll_at", "items_created",
                    "items_updated"]
    list_filter = ["transport", "last_status", "enabled", "agency"]
    search_fields = ["source", "title", "last_error"]
    readonly_fields = ["transport", "format", "etag", "last_modified", "last_polled_at",
                       "last_success_at", "last_status", "last_error", "last_error_at",
                       "error_count", "items_seen", "items_created", "items_updated",
                       "created_at", "identity_note"]
    actions = ["poll_now"]

    @admin.display(description="source", ordering="source")
    def shown_source(self, feed):
        return feed.shown_source

    @admin.display(description="last error")
    def last_error_short(self, feed):
        return (feed.last_error[:80] + "...") if len(feed.last_error) > 80 else feed.last_error

    @admin.action(description="Poll the selected feeds now")
    def poll_now(self, request, queryset):
        for feed in queryset.select_related("agency"):
            report = services.feed_poll(feed, force=True)
            level = messages.ERROR if report.errors and not report.seen else messages.INFO
            self.message_user(request, report.summary(), level)
