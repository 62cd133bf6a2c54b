"""Pictures, stories, tags and tombstones in the admin."""


from django.contrib import admin

from wiredesk.newsroom import services
from wiredesk.newsroom.admin.sources import URLS_AS_HTTPS
from wiredesk.newsroom.models import Article, PictureSource, Story, Tag, Tombstone, WirePicture


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

    list_display = ["name", "kind", "country", "key"]
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
