"""The public submission form: every field bounded, every message shown beside its field."""

from __future__ import annotations

import re
from datetime import timedelta

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from wiredesk.editions.models import Edition
from wiredesk.releases import images
from wiredesk.releases.abuse import HONEYPOT_FIELD
from wiredesk.releases.content import BODY_HELP, bad_characters, body_text_length, one_line
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
    """A one-line text field: no line breaks or control characters, spaces folded."""

    def clean(self, value):
        value = super().clean(value)
        if value and bad_characters(value, multiline=False):
            raise forms.ValidationError("Use one line of ordinary text here.")
        return one_line(value)


class ReleaseForm(forms.Form):
    organisation = _Line(max_length=MAX_ORGANISATION, label="Organisation",
                         help_text="Business, club, community group or agency")
    contact_name = _Line(max_length=MAX_CONTACT_NAME, label="Contact name")
    email = forms.EmailField(max_length=254, label="Email",
                             help_text="We send a confirmation link here")
    phone = _Line(max_length=MAX_PHONE, required=False, label="Phone (optional)")
    headline = _Line(min_length=MIN_HEADLINE, max_length=MAX_HEADLINE, label="Headline")
    body = forms.CharField(min_length=MIN_BODY, max_length=MAX_BODY, label="Release",
                           widget=forms.Textarea(attrs={"rows": 14}), help_text=BODY_HELP)
    # No section is chosen for the submitter: a default would file every release that
    # nobody looked twice at under it.
    category = forms.ChoiceField(
        choices=[("", "Choose a section"), *Release.Category.choices], label="Section",
        help_text="Where your news fits best; the editors may move it",
        error_messages={"required": "Choose the section your release belongs in."})
    editions = forms.ModelMultipleChoiceField(
        queryset=Edition.objects.none(), widget=forms.CheckboxSelectMultiple,
        label="Publish in", error_messages={"required": "Choose at least one edition."})
    image = forms.FileField(required=False, label="Image (optional)",
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
    image_caption = _Line(max_length=MAX_CAPTION, required=False, label="Caption")
    image_credit = _Line(max_length=MAX_CREDIT, required=False, label="Photo credit")
    requested_release_at = forms.DateTimeField(
        required=False, label="Release time (optional)",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                   format="%Y-%m-%dT%H:%M"),
        help_text="Not published before this time (in the edition's time zone)")
    # Hidden helpers: the honeypot that people never see, when the form was shown,
    # and an image already checked on an earlier attempt.
    started = forms.CharField(required=False, widget=forms.HiddenInput)
    image_token = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["editions"].queryset = editions_accepting_releases()
        megabytes = settings.WIREDESK_RELEASE_MAX_IMAGE_BYTES / (1024 * 1024)
        self.fields["image"].help_text = f"JPEG, PNG, GIF or WebP, up to {megabytes:g} MB"
        self.fields[HONEYPOT_FIELD] = forms.CharField(
            required=False, label="Leave this empty",
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))
        self.processed_image: tuple[bytes, str, int, int] | None = None

    def clean_phone(self):
        phone = self.cleaned_data.get("phone", "")
        if phone and not _PHONE.match(phone):
            raise forms.ValidationError("Use digits, spaces and + ( ) - only.")
        return phone

    def clean_body(self):
        body = self.cleaned_data.get("body", "")
        if bad_characters(body, multiline=True):
            raise forms.ValidationError("The release holds control characters; paste it "
                                        "as plain text.")
        if body_text_length(body) < MIN_BODY:
            raise forms.ValidationError(f"Write at least {MIN_BODY} characters of text.")
        return body

    def clean_image(self):
        upload = self.files.get("image")
        if not upload:
            return None
        limit = settings.WIREDESK_RELEASE_MAX_IMAGE_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The image is larger than {limit / (1024 * 1024):g} MB.")
        try:
            self.processed_image = images.process_image(
                upload.read(limit + 1), max_bytes=limit,
                max_pixels=settings.WIREDESK_RELEASE_MAX_IMAGE_PIXELS)
        except images.ImageRejected as exc:
            raise forms.ValidationError(f"Image refused: {exc}.") from exc
        return upload

    def clean_requested_release_at(self):
        when = self.cleaned_data.get("requested_release_at")
        if when is None:
            return None
        now = timezone.now()
        if when < now - timedelta(minutes=5):
            raise forms.ValidationError("The release time is in the past.")
        if when > now + MAX_AHEAD:
            raise forms.ValidationError("Choose a release time within 90 days.")
        return when
