"""The writing view's and the media library's forms (parse and check input only)."""

from __future__ import annotations

from django import forms

from wiredesk.editions.models import Edition
from wiredesk.newsroom.models import PictureAsset, Section
from wiredesk.wire.markup import BODY_HELP

PASTE_HELP = (" Text pasted from Word or Google Docs is cleaned: its paragraphs, bold, "
              "italic, links, lists, quotes and subheads are kept, nothing else.")


class WriteForm(forms.Form):
    headline = forms.CharField(max_length=500)
    standfirst = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One or two sentences under the headline: the article's first "
                  "paragraph, and its teaser in feeds, lists and the digest.")
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 20, "class": "wd-body"}),
                           help_text=BODY_HELP + PASTE_HELP)
    byline = forms.CharField(max_length=300, required=False, help_text="e.g. Ana Pérez")
    dateline = forms.CharField(max_length=300, required=False, help_text="e.g. SANTIAGO")
    section = forms.ModelChoiceField(Section.objects.all(), required=False,
                                     empty_label="(the classifier decides)")
    tags = forms.CharField(max_length=500, required=False,
                           help_text="Comma separated keywords")
    editions = forms.ModelMultipleChoiceField(
        Edition.objects.all(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: the editions whose rules take the article.")
    picture = forms.ModelChoiceField(PictureAsset.objects.all(), required=False,
                                     widget=forms.HiddenInput)
    upload = forms.FileField(required=False, label="Upload a picture",
                             help_text="JPEG, PNG, GIF or WebP; or choose one from the "
                                       "media library.")
    remove_picture = forms.BooleanField(required=False, label="No picture")
    caption = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    credit = forms.CharField(max_length=300, required=False)
    alt = forms.CharField(required=False, label="Alt text",
                          widget=forms.Textarea(attrs={"rows": 2}),
                          help_text="What the picture shows, for readers who cannot see "
                                    "it. Required with a picture.")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and not user.has_perm("newsroom.add_article"):
            # An edition editor ticks among their own editions.
            self.fields["editions"].queryset = Edition.objects.filter(
                pk__in=[e.pk for e in Edition.objects.all()
                        if user.has_perm("newsroom.add_article", e)])

    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]


class UploadForm(forms.Form):
    upload = forms.FileField(label="Picture")
    caption = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    credit = forms.CharField(max_length=300, required=False)
    alt = forms.CharField(required=False, label="Alt text",
                          widget=forms.Textarea(attrs={"rows": 2}))
