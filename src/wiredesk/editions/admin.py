from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.html import format_html_join

from wiredesk.editions import brand_images, roles, services
from wiredesk.editions.brand import brand_file_url
from wiredesk.editions.models import (
    Edition,
    EditionHost,
    EditionPage,
    EditionRole,
    FooterLink,
    Placement,
)

# An upload larger than this is refused before it is read into memory.
UPLOAD_LIMIT = brand_images.MAX_BYTES


class EditionHostInline(admin.TabularInline):
    model = EditionHost
    extra = 1


class EditionPageInline(admin.StackedInline):
    model = EditionPage
    extra = 0
    fields = ["kind", "title", "body_html"]


class FooterLinkInline(admin.TabularInline):
    model = FooterLink
    extra = 0
    fields = ["label", "url", "position"]


class EditionForm(forms.ModelForm):
    """The edition, plus its pictures: each upload is checked and re-encoded here
    (brand_images.py), so a refused one is an error beside its field."""

    logo_upload = forms.FileField(
        label="Logo", required=False,
        help_text="PNG, JPEG or WebP (not SVG), at most 2 MB; shown about 48 px high, "
                  "kept up to 720x144")
    logo_dark_upload = forms.FileField(
        label="Logo for a dark background", required=False,
        help_text="Used instead of the logo when the background colour is dark")
    icon_upload = forms.FileField(
        label="Icon", required=False,
        help_text="Square PNG, JPEG or WebP, at least 180x180: the favicon and touch icon. "
                  "Empty: the shipped icon")
    remove_logo = forms.BooleanField(label="Remove the logo", required=False)
    remove_logo_dark = forms.BooleanField(label="Remove the dark logo", required=False)
    remove_icon = forms.BooleanField(label="Remove the icon", required=False)

    class Meta:
        model = Edition
        fields = ["name", "slug", "tagline", "time_zone", "language", "position", "sections",
                  "agencies", "home_of_sections", "home_of_agencies", "brand_color",
                  "accent_color", "text_color", "background_color",
                  "font_body", "font_headings", "logo_replaces_name", "sender_name",
                  "sender_address", "reply_to", "postal_address", "template_folder"]

    def _picture(self, field: str, kind: str):
        upload = self.cleaned_data.get(field)
        if not upload:
            return None
        if upload.size > UPLOAD_LIMIT:
            raise forms.ValidationError(
                f"the file is larger than {UPLOAD_LIMIT // (1024 * 1024)} MB")
        data = upload.read()
        try:
            if kind == "icon":
                brand_images.icon_encode(data)
            else:
                brand_images.logo_encode(data, "dark logo" if kind == "logo_dark" else "logo")
        except brand_images.BrandImageRejected as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data

    def clean_logo_upload(self):
        return self._picture("logo_upload", "logo")

    def clean_logo_dark_upload(self):
        return self._picture("logo_dark_upload", "logo_dark")

    def clean_icon_upload(self):
        return self._picture("icon_upload", "icon")


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    form = EditionForm
    list_display = ["name", "slug", "time_zone", "hosts_list"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["sections", "agencies", "home_of_sections", "home_of_agencies"]
    inlines = [EditionHostInline, EditionPageInline, FooterLinkInline]
    readonly_fields = ["pictures"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "tagline", "time_zone", "language", "position",
                           "sections", "agencies"]}),
        ("Canonical home", {
            "description": "Each article has one canonical URL: the desk's choice (a "
                           "placement marked canonical), else the home edition of its "
                           "section, else of its agency (when that edition carries it), "
                           "else the first edition that carried it.",
            "fields": ["home_of_sections", "home_of_agencies"]}),
        ("Look", {
            "description": "Colours are hex values (#0b3d91). Text, links (accent) and the "
                           "masthead name (brand) must each reach a contrast of 4.5:1 "
                           "with the background (WCAG AA). Fonts are the reader's own "
                           "system fonts: nothing is downloaded.",
            "fields": ["brand_color", "accent_color", "text_color", "background_color",
                       "font_body", "font_headings", "pictures", "logo_upload",
                       "remove_logo", "logo_dark_upload", "remove_logo_dark",
                       "logo_replaces_name", "icon_upload", "remove_icon"]}),
        ("Mail", {"fields": ["sender_name", "sender_address", "reply_to", "postal_address"]}),
        ("Templates", {"classes": ["collapse"], "fields": ["template_folder"]}),
    ]

    @admin.display(description="hosts")
    def hosts_list(self, edition):
        return ", ".join(h.host for h in edition.hosts.all())

    @admin.display(description="current pictures")
    def pictures(self, edition):
        shown = [(label, brand_file_url(name)) for label, name in (
            ("logo", edition.logo), ("dark logo", edition.logo_dark),
            ("icon", f"{edition.icon}-180.png" if edition.icon else ""))
            if name]
        if not shown:
            return "none yet"
        return format_html_join(
            " ", '<figure style="display:inline-block;margin:0 1rem 0 0"><img src="{}" '
                 'alt="" style="max-height:60px"><figcaption>{}</figcaption></figure>',
            [(url, label) for label, url in shown])

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        data = form.cleaned_data
        remove = [name for name in ("logo", "logo_dark", "icon") if data.get(f"remove_{name}")]
        pictures = {name: data.get(f"{name}_upload") for name in ("logo", "logo_dark", "icon")}
        if remove or any(pictures.values()):
            services.edition_brand_set(obj, remove=remove, **pictures)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The rules may have changed: re-place the archive by them.
        services.edition_replace_all(edition=form.instance)


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    list_display = ["article", "edition", "published_at", "pinned", "canonical"]
    list_filter = ["edition", "pinned", "canonical"]
    raw_id_fields = ["article"]
    readonly_fields = ["canonical"]
    actions = ["make_canonical", "clear_canonical"]

    @admin.action(description="Make this edition's page the article's canonical URL")
    def make_canonical(self, request, queryset):
        for placement in queryset.select_related("article", "edition"):
            if not request.user.has_perm("newsroom.change_article", placement.article):
                raise PermissionDenied
            services.article_canonical_set(article=placement.article,
                                           edition=placement.edition, actor=request.user)
        self.message_user(request, f"{queryset.count()} canonical page(s) chosen")

    @admin.action(description="Clear the desk's choice (home editions or the first decide)")
    def clear_canonical(self, request, queryset):
        for placement in queryset.select_related("article"):
            if not request.user.has_perm("newsroom.change_article", placement.article):
                raise PermissionDenied
            services.article_canonical_set(article=placement.article, edition=None,
                                           actor=request.user)
        self.message_user(request, f"{queryset.count()} choice(s) cleared")



@admin.register(EditionRole)
class EditionRoleAdmin(admin.ModelAdmin):
    """Edition editors, granted and revoked here as by ``wiredesk role``: through the
    services, so the group follows and the audit log says who did it."""

    list_display = ["user", "edition", "role", "granted_at"]
    list_filter = ["edition"]
    list_select_related = ["user", "edition"]
    search_fields = ["user__username"]
    fields = ["user", "edition"]
    raw_id_fields = ["user"]

    def has_change_permission(self, request, obj=None):
        return False  # a role is granted or revoked, never edited

    def save_model(self, request, obj, form, change):
        roles.role_grant(actor=request.user, username=obj.user.get_username(),
                         edition=obj.edition.slug)
        obj.pk = EditionRole.objects.get(user=obj.user, edition=obj.edition,
                                         role=obj.role).pk

    def delete_model(self, request, obj):
        roles.role_revoke(actor=request.user, username=obj.user.get_username(),
                          edition=obj.edition.slug)

    def delete_queryset(self, request, queryset):
        for role in queryset.select_related("user", "edition"):
            self.delete_model(request, role)
