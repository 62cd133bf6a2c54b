"""The article's change form: its revisions, categories, and typed HTML sanitized."""

from django import forms
from django.contrib import admin

from wiredesk.newsroom.models import Revision
from wiredesk.newsroom.services import desk_edits
from wiredesk.wire.sanitize import html_to_text, plain_text, sanitize_html


class RevisionInline(admin.TabularInline):
    model = Revision
    extra = 0
    can_delete = False
    fields = ["version", "source", "author_label", "changed_fields", "note", "headline",
              "signal", "source_updated_at", "recorded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class CategoriesField(forms.CharField):
    """The agency's categories as one line, comma separated; blank is none (the model
    keeps a list, and a blank JSON field was a NULL the database refused: a 500)."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(each) for each in value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [part for part in (each.strip() for each in text.split(",")) if part]


# What a desk form's fields may hold: the same allow-list as wire copy for the body, plain
# text (tags dropped, lines kept) for the other text areas, one line for the short fields.
BODY_FIELDS = ("body_html",)
TEXT_AREA_FIELDS = ("lead", "teaser", "image_caption", "image_alt", "image_rights",
                    "status_reason")
LINE_FIELDS = ("byline", "dateline", "credit", "image_credit")


class ArticleForm(forms.ModelForm):
    # No Meta: the admin's form factory adds the model, its fields and formfield_overrides.
    categories = CategoriesField(required=False, help_text="Comma separated; may be empty")
    # Optimistic locking: the article's edit_version this form was drawn from. A save
    # after another editor's change is refused (services.desk_edits); a form posted
    # without it (an older page) is not checked.
    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:  # made from the headline when left empty
            self.fields["slug"].required = False
        if self.instance.pk is not None and "edit_version" in self.fields:
            self.fields["edit_version"].initial = self.instance.edit_version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:
            refusal = desk_edits.conflict(self.instance, cleaned.get("edit_version"))
            if refusal:
                raise forms.ValidationError(refusal, code="edit_conflict")
        for name in BODY_FIELDS:
            if name in cleaned:
                cleaned[name] = sanitize_html(cleaned[name] or "")
        for name in TEXT_AREA_FIELDS:
            if name in cleaned:
                cleaned[name] = html_to_text(cleaned[name] or "")
        for name in LINE_FIELDS:
            if name in cleaned:
                cleaned[name] = plain_text(cleaned[name] or "")
        return cleaned
