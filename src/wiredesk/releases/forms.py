"""The public submission form: every field bounded, every message shown beside its field."""

from __future__ import annotations

import re
from datetime import timedelta

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wiredesk.editions.models import Edition
from wiredesk.releases import images
from wiredesk.releases.abuse import HONEYPOT_FIELD
from wiredesk.releases.content import (
    PUBLIC_BODY_HELP,
    bad_characters,
    body_text_length,
    one_line,
)
from wiredesk.releases.models import (
    MAX_BODY,
    MAX_CAPTION,
    MAX_CONTACT_NAME,
    MAX_CREDIT,
    MAX_HEADLINE,
    MAX_ORGANISATION,
    MAX_PHONE,
    MIN_BODY,
    MIN_HEADLINE,
    Release,
)

_PHONE = re.compile(r"^\+?[0-9 ()./-]{5,40}$")
MAX_AHEAD = timedelta(days=90)


def editions_accepting_releases():
    return Edition.objects.filter(
        Q(release_policy__isnull=True) | Q(release_policy__accepts_releases=True))


class _Line(forms.CharField):
    """A one-line text field: no line breaks or control characters, spaces folded. Its
    box follows what is typed in it (``dir="auto"``): a Latin name on an Arabic edition."""

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "dir": "auto"}

    def clean(self, value):
        value = super().clean(value)
        if value and bad_characters(value, multiline=False):
            raise forms.ValidationError(_("Use one line of ordinary text here."))
        return one_line(value)


class ReleaseForm(forms.Form):
    organisation = _Line(max_length=MAX_ORGANISATION, label=gettext_lazy("Organisation"),
                         help_text=gettext_lazy("Business, club, community group or agency"))
    contact_name = _Line(max_length=MAX_CONTACT_NAME, label=gettext_lazy("Contact name"))
    email = forms.EmailField(max_length=254, label=gettext_lazy("Email"),
                             help_text=gettext_lazy("We send a confirmation link here"))
    phone = _Line(max_length=MAX_PHONE, required=False, label=gettext_lazy("Phone (optional)"))
    headline = _Line(min_length=MIN_HEADLINE, max_length=MAX_HEADLINE,
                     label=gettext_lazy("Headline"))
    body = forms.CharField(min_length=MIN_BODY, max_length=MAX_BODY,
                           label=gettext_lazy("Release"),
                           widget=forms.Textarea(attrs={"rows": 14, "dir": "auto"}),
                           help_text=PUBLIC_BODY_HELP)
    # No section is chosen for the submitter: a default would file every release that
    # nobody looked twice at under it.
    category = forms.ChoiceField(
        choices=[("", gettext_lazy("Choose a section")), *Release.Category.choices],
        label=gettext_lazy("Section"),
        help_text=gettext_lazy("Where your news fits best; the editors may move it"),
        error_messages={"required": gettext_lazy("Choose the section your release belongs in.")})
    editions = forms.ModelMultipleChoiceField(
        queryset=Edition.objects.none(), widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Publish in"),
        error_messages={"required": gettext_lazy("Choose at least one edition.")})
    image = forms.FileField(required=False, label=gettext_lazy("Image (optional)"),
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
    image_caption = _Line(max_length=MAX_CAPTION, required=False,
                          label=gettext_lazy("Caption"))
    image_credit = _Line(max_length=MAX_CREDIT, required=False,
                         label=gettext_lazy("Photo credit"))
    requested_release_at = forms.DateTimeField(
        required=False, label=gettext_lazy("Release time (optional)"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                   format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy("Not published before this time (in the edition's time zone)"))
    # Hidden helpers: the honeypot that people never see, when the form was shown,
    # and an image already checked on an earlier attempt.
    started = forms.CharField(required=False, widget=forms.HiddenInput)
    image_token = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["editions"].queryset = editions_accepting_releases()
        megabytes = settings.WIREDESK_RELEASE_MAX_IMAGE_BYTES / (1024 * 1024)
        self.fields["image"].help_text = _("JPEG, PNG, GIF or WebP, up to %(size)s MB") % {
            "size": f"{megabytes:g}"}
        self.fields[HONEYPOT_FIELD] = forms.CharField(
            required=False, label=_("Leave this empty"),
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))
        self.processed_image: tuple[bytes, str, int, int] | None = None

    def clean_phone(self):
        phone = self.cleaned_data.get("phone", "")
        if phone and not _PHONE.match(phone):
            raise forms.ValidationError(_("Use digits, spaces and + ( ) - only."))
        return phone

    def clean_body(self):
        body = self.cleaned_data.get("body", "")
        if bad_characters(body, multiline=True):
            raise forms.ValidationError(_("The release holds control characters; paste it "
                                          "as plain text."))
        if body_text_length(body) < MIN_BODY:
            raise forms.ValidationError(_("Write at least %(count)d characters of text.")
                                        % {"count": MIN_BODY})
        return body

    def clean_image(self):
        upload = self.files.get("image")
        if not upload:
            return None
        limit = settings.WIREDESK_RELEASE_MAX_IMAGE_BYTES
        if upload.size > limit:
            raise forms.ValidationError(_("The image is larger than %(size)s MB.")
                                        % {"size": f"{limit / (1024 * 1024):g}"})
        try:
            self.processed_image = images.process_image(
                upload.read(limit + 1), max_bytes=limit,
                max_pixels=settings.WIREDESK_RELEASE_MAX_IMAGE_PIXELS)
        except images.ImageRejected as exc:
            raise forms.ValidationError(_("Image refused: %(reason)s.")
                                        % {"reason": exc}) from exc
        return upload

    def clean_requested_release_at(self):
        when = self.cleaned_data.get("requested_release_at")
        if when is None:
            return None
        now = timezone.now()
        if when < now - timedelta(minutes=5):
            raise forms.ValidationError(_("The release time is in the past."))
        if when > now + MAX_AHEAD:
            raise forms.ValidationError(_("Choose a release time within %(days)d days.")
                                        % {"days": MAX_AHEAD.days})
        return when
