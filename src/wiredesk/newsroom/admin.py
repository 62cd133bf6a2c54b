from django.contrib import admin, messages
from django.db import models

from wiredesk.newsroom import intelligence, services
from wiredesk.newsroom.models import (
    Agency,
    Article,
    Feed,
    Intake,
    PictureSource,
    Revision,
    Section,
    Story,
    Tag,
    Tombstone,
    WirePicture,
)
from wiredesk.wire.sanitize import sanitize_html

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


class RevisionInline(admin.TabularInline):
    model = Revision
    extra = 0
    can_delete = False
    fields = ["version", "headline", "signal", "source_updated_at", "recorded_at", "body_html"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["headline", "agency", "section", "kind", "status", "version", "published_at",
                    "story", "duplicate_of"]
    list_filter = ["status", "kind", "agency", "section"]
    search_fields = ["headline", "guid", "canonical_url"]
    date_hierarchy = "published_at"
    readonly_fields = ["identity", "guid", "canonical_url", "fingerprint", "version",
                       "first_seen_at", "modified_at", "flags", "picture_guid",
                       "picture_source"]
    inlines = [RevisionInline]
    actions = ["kill", "hold", "release", "merge_copies", "split_out"]
    raw_id_fields = ["story", "duplicate_of"]
    formfield_overrides = URLS_AS_HTTPS

    def save_model(self, request, obj, form, change):
        # Editors may paste HTML: it goes through the same allow-list as wire copy.
        obj.body_html = sanitize_html(obj.body_html)
        # A picture address typed here is fetched by the job like an agency's.
        services.renditions.link_source(obj, previous_url=form.initial.get("image_url"))
        super().save_model(request, obj, form, change)

    @admin.action(description="Kill the selected articles (withdraw everywhere)")
    def kill(self, request, queryset):
        for article in queryset:
            services.article_kill(article=article, reason=f"killed by {request.user}")
        self.message_user(request, f"{queryset.count()} article(s) killed")

    @admin.action(description="Hold the selected articles")
    def hold(self, request, queryset):
        for article in queryset:
            services.article_hold(article=article, reason=f"held by {request.user}")

    @admin.action(description="Release held articles")
    def release(self, request, queryset):
        for article in queryset.exclude(status=Article.Status.KILLED):
            services.article_release(article=article)

    @admin.action(description="Merge: the selected are copies of one item (earliest shown)")
    def merge_copies(self, request, queryset):
        articles = list(queryset)
        if len(articles) < 2:
            self.message_user(request, "select at least two articles to merge", messages.ERROR)
            return
        canonical = intelligence.articles_merge(articles=articles)
        self.message_user(request, f"{len(articles)} article(s) merged under #{canonical.pk}")

    @admin.action(description="Split: the selected are not copies; each stands alone")
    def split_out(self, request, queryset):
        for article in queryset:
            intelligence.article_split(article=article)
        self.message_user(request, f"{queryset.count()} article(s) split out")


@admin.register(WirePicture)
class WirePictureAdmin(admin.ModelAdmin):
    """Agency picture items kept for the texts they belong to (shown on those articles)."""

    formfield_overrides = URLS_AS_HTTPS
    list_display = ["guid", "headline", "agency", "status", "version", "modified_at"]
    list_filter = ["status", "agency"]
    search_fields = ["guid", "headline", "caption"]

    # What the agency sent: edited by the agency's next version, not here (an edit here
    # would not reach the articles that show it).
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PictureSource)
class PictureSourceAdmin(admin.ModelAdmin):
    """Agency picture addresses: waiting, stored, or failed with the error (the
    fetch-pictures job tries a failure again with backoff, then gives up)."""

    formfield_overrides = URLS_AS_HTTPS
    list_display = ["url", "status", "attempts", "last_error_short", "last_error_at",
                    "next_attempt_at", "fetched_at"]
    list_filter = ["status"]
    search_fields = ["url", "last_error"]
    readonly_fields = ["url", "url_hash", "status", "asset", "attempts", "next_attempt_at",
                       "last_error", "last_error_at", "fetched_at", "created_at"]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="last error")
    def last_error_short(self, obj):
        return obj.last_error[:120]

    @admin.action(description="Try again now")
    def retry_now(self, request, queryset):
        count = services.pictures_retry(list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} picture(s) will be fetched at the next turn")


class StoryArticleInline(admin.TabularInline):
    model = Article
    fk_name = "story"
    extra = 0
    fields = ["headline", "agency", "status", "published_at", "duplicate_of"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ["headline", "size", "section", "first_published_at", "last_published_at"]
    search_fields = ["headline"]
    readonly_fields = ["centroid", "anchors", "size", "first_published_at", "last_published_at"]
    inlines = [StoryArticleInline]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    """Tags are found in the copy; an editor renames, retypes or deletes a wrong one."""

    list_display = ["name", "kind", "key"]
    list_filter = ["kind"]
    search_fields = ["name", "key"]
    readonly_fields = ["key"]


@admin.register(Tombstone)
class TombstoneAdmin(admin.ModelAdmin):
    """Deleting a tombstone lets the item come back with the next poll."""

    formfield_overrides = URLS_AS_HTTPS
    list_display = ["headline", "agency", "reason", "created_at"]
    list_filter = ["agency"]
    search_fields = ["headline", "canonical_url", "identity"]
    readonly_fields = ["agency", "identity", "canonical_url", "headline", "reason", "created_at"]

    def has_add_permission(self, request):
        return False
