"""The moderation queue: read, edit, pick a section, approve, reject with a reason, spam.

Every change goes through the services, which keep the history and send the mail;
nothing here writes a model field by itself.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from wiredesk.editions.models import Edition
from wiredesk.newsroom.schedule_times import ScheduleTimeError, local_to_utc
from wiredesk.releases import services
from wiredesk.releases.content import BODY_HELP
from wiredesk.releases.models import EditionReleasePolicy, Release, ReleaseEvent


class ReleaseEventInline(admin.TabularInline):
    model = ReleaseEvent
    extra = 0
    can_delete = False
    fields = ["at", "action", "actor_label", "changes", "note"]
    readonly_fields = fields
    verbose_name_plural = "history"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EditionQueueFilter(admin.SimpleListFilter):
    """The queue per edition: releases that target it."""

    title = "edition"
    parameter_name = "edition"

    def lookups(self, request, model_admin):
        waiting = Count("releases", filter=Q(releases__status=Release.Status.PENDING))
        return [(str(e.pk), f"{e.name} ({e.waiting} waiting)")
                for e in Edition.objects.annotate(waiting=waiting)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(editions__pk=self.value()).distinct()
        return queryset


class StatusQueueFilter(admin.SimpleListFilter):
    """Opens on the releases waiting for a decision; "all" shows every status."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*Release.Status.choices, ("all", "all")]

    def value(self):
        return super().value() or Release.Status.PENDING

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset
        return queryset.filter(status=self.value())

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {"selected": self.value() == str(lookup),
                   "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                   "display": title}


class ReleaseModerationForm(forms.ModelForm):
    decision = forms.ChoiceField(
        required=False, initial="",
        choices=[("", "no decision yet (save edits only)"), ("approve", "approve and publish"),
                 ("reject", "reject (the reason is emailed to the submitter)"),
                 ("spam", "mark as spam (no email)")])
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Required to reject; sent to the submitter")
    publish_at = forms.CharField(
        required=False, label="Publish at",
        widget=forms.TextInput(attrs={"placeholder": "YYYY-MM-DD HH:MM"}),
        help_text="With approve: published then, not at once (the article waits, held). "
                  "Local time of the edition it was sent through, or the first chosen")

    class Meta:
        model = Release
        fields = ["headline", "body", "section", "editions", "image_caption", "image_credit"]
        help_texts = {"body": BODY_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        edition = (services.publication_edition(self.instance)
                   if self.instance.pk else None)
        if edition is not None and "publish_at" in self.fields:
            self.fields["publish_at"].help_text += (
                f": now {edition.name}, {edition.time_zone}. Where the clocks go back and "
                "a time happens twice, add its offset, e.g. 2026-04-04 23:30 -03:00")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Say why the release is rejected.")
        cleaned["publish_at_utc"] = None
        text = (cleaned.get("publish_at") or "").strip()
        if text:
            if cleaned.get("decision") != "approve":
                self.add_error("publish_at", "A publication time goes with approve.")
                return cleaned
            chosen = cleaned.get("editions")
            edition = services.publication_edition(
                self.instance, editions=chosen)
            zone = edition.time_zone if edition is not None else "UTC"
            try:
                cleaned["publish_at_utc"] = local_to_utc(text, zone, now=timezone.now())
                cleaned["publish_edition"] = edition
            except ScheduleTimeError as exc:
                self.add_error("publish_at", str(exc))
        return cleaned


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    form = ReleaseModerationForm
    list_display = ["reference", "headline", "organisation", "category", "status",
                    "editions_list", "requested_release_at", "created_at"]
    list_filter = [StatusQueueFilter, EditionQueueFilter, "category"]
    search_fields = ["reference", "headline", "organisation", "email"]
    ordering = ["created_at"]
    inlines = [ReleaseEventInline]
    actions = ["approve_selected", "spam_selected"]
    readonly_fields = ["reference", "status", "organisation", "contact_name", "email", "phone",
                       "category", "image_preview", "requested_release_at", "submitted_ip",
                       "created_at", "verified_at", "decided_at", "decision_reason",
                       "article_link"]
    fieldsets = [
        ("Submission", {"fields": ["reference", "status", "organisation", "contact_name",
                                   "email", "phone", "category", "requested_release_at",
                                   "submitted_ip", "created_at", "verified_at"]}),
        ("Copy (editable)", {"fields": ["headline", "body", "section", "editions",
                                        "image_preview", "image_caption", "image_credit"]}),
        ("Decision", {"fields": ["decision", "reason", "publish_at", "decided_at",
                                 "decision_reason", "article_link"]}),
    ]

    def get_changeform_initial_data(self, request):
        return {}

    def has_add_permission(self, request):
        return False  # releases come from the public form

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("editions")

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None and obj.status not in (Release.Status.UNVERIFIED,
                                                  Release.Status.PENDING):
            # Decided: the copy is the record of what was decided on.
            fields += ["headline", "body", "section", "editions", "image_caption",
                       "image_credit"]
        return fields

    @admin.display(description="editions")
    def editions_list(self, release):
        return ", ".join(e.name for e in release.editions.all())

    @admin.display(description="image")
    def image_preview(self, release):
        url = services.image_url(release)
        if not url:
            return "-"
        return format_html('<img src="{}" alt="" style="max-width:320px"> {}x{}', url,
                           release.image_width, release.image_height)

    @admin.display(description="article")
    def article_link(self, release):
        urls = services.article_urls(release)
        if not urls:
            return "-"
        return format_html_join(", ", '<a href="{}">{}</a>',
                                ((url, edition.name) for edition, url in urls))

    def _actor(self, request) -> services.Actor:
        return services.Actor(user=request.user, label=request.user.get_username())

    def save_model(self, request, obj, form, change):
        original = Release.objects.get(pk=obj.pk)
        data = form.cleaned_data
        actor = self._actor(request)
        try:
            if original.status in (Release.Status.UNVERIFIED, Release.Status.PENDING):
                services.release_edit(
                    release=original, actor=actor, headline=data.get("headline"),
                    body=data.get("body"), section=data.get("section", ""),
                    image_caption=data.get("image_caption"),
                    image_credit=data.get("image_credit"),
                    editions=list(data["editions"]) if "editions" in data else None)
            decision = data.get("decision")
            publish_at = data.get("publish_at_utc")
            if decision == "approve" and publish_at is not None and \
                    not request.user.has_perm("newsroom.schedule_article",
                                              data.get("publish_edition")):
                raise services.ReleaseError("you may approve this release but not schedule "
                                            "its publication")
            if decision == "approve":
                services.release_approve(release=original, actor=actor, publish_at=publish_at)
            elif decision == "reject":
                services.release_reject(release=original, actor=actor, reason=data["reason"])
            elif decision == "spam":
                services.release_mark_spam(release=original, actor=actor)
        except services.ReleaseError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        # Editions were set by release_edit (with history), so no form.save_m2m();
        # the history inline is read-only but the admin expects its formset saved.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def _decide_each(self, request, queryset, decide, done_text: str) -> None:
        """Apply one moderation service to each selected release; report each refusal."""
        done = 0
        for release in queryset:
            try:
                decide(release=release, actor=self._actor(request))
                done += 1
            except services.ReleaseError as exc:
                self.message_user(request, f"{release.reference}: {exc}", messages.ERROR)
        if done:
            self.message_user(request, f"{done} release(s) {done_text}")

    @admin.action(description="Approve and publish the selected releases")
    def approve_selected(self, request, queryset):
        self._decide_each(request, queryset, services.release_approve, "approved and published")

    @admin.action(description="Mark the selected releases as spam")
    def spam_selected(self, request, queryset):
        self._decide_each(request, queryset, services.release_mark_spam, "marked as spam")


@admin.register(EditionReleasePolicy)
class EditionReleasePolicyAdmin(admin.ModelAdmin):
    list_display = ["edition", "accepts_releases", "in_digest"]
