from django.contrib import admin

from wiredesk.editions import services
from wiredesk.editions.models import Edition, EditionHost, Placement


class EditionHostInline(admin.TabularInline):
    model = EditionHost
    extra = 1


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "hosts_list"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["sections", "agencies"]
    inlines = [EditionHostInline]

    @admin.display(description="hosts")
    def hosts_list(self, edition):
        return ", ".join(h.host for h in edition.hosts.all())

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The rules may have changed: re-place the archive by them.
        services.edition_replace_all(edition=form.instance)


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    list_display = ["article", "edition", "published_at", "pinned"]
    list_filter = ["edition", "pinned"]
    raw_id_fields = ["article"]
