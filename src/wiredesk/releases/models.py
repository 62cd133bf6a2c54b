"""News releases sent in by the public, and every decision taken on them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wiredesk.editions.models import Edition
from wiredesk.newsroom.models import Article, Section

# Field limits, shared by the form, the services and the admin.
MAX_ORGANISATION = 200
MAX_CONTACT_NAME = 120
MAX_PHONE = 40
MAX_HEADLINE = 200
MIN_HEADLINE = 8
MAX_BODY = 20_000
MIN_BODY = 80
MAX_CAPTION = 500
MAX_CREDIT = 200
MAX_REASON = 2000


class Release(models.Model):
    class Status(models.TextChoices):
        UNVERIFIED = "unverified", _("waiting for email confirmation")
        PENDING = "pending", _("waiting for moderation")
        APPROVED = "approved", _("approved and published")
        REJECTED = "rejected", _("rejected")
        SPAM = "spam", _("spam")

    class Category(models.TextChoices):
        BUSINESS = "business", _("Business")
        COMMUNITY = "community", _("Community")
        SPORTS = "sports", _("Sports")
        APPOINTMENTS = "appointments", _("Personnel appointments")
        EVENTS = "events", _("Events")
        OTHER = "other", _("Other")

    reference = models.CharField(max_length=16, unique=True, editable=False,
                                 help_text="Shown to the submitter, e.g. NR-7K3F9Q2X")
    # Half of every signed link: changing it invalidates links already sent.
    link_key = models.CharField(max_length=40, editable=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UNVERIFIED,
                              db_index=True)
    organisation = models.CharField(max_length=MAX_ORGANISATION)
    contact_name = models.CharField(max_length=MAX_CONTACT_NAME)
    email = models.EmailField()
    phone = models.CharField(max_length=MAX_PHONE, blank=True)
    headline = models.CharField(max_length=MAX_HEADLINE)
    body = models.TextField(help_text="Plain text or the small formatting subset; "
                                      "sanitized again when published")
    category = models.CharField(max_length=20, choices=Category.choices)
    editions = models.ManyToManyField(Edition, related_name="releases")
    submitted_via = models.ForeignKey(Edition, on_delete=models.SET_NULL, null=True,
                                      blank=True, related_name="+")
    image = models.CharField(max_length=200, blank=True, editable=False,
                             help_text="Re-encoded file under MEDIA_ROOT")
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_caption = models.CharField(max_length=MAX_CAPTION, blank=True)
    image_credit = models.CharField(max_length=MAX_CREDIT, blank=True)
    requested_release_at = models.DateTimeField(
        null=True, blank=True, help_text="UTC; not public before this time (embargo)")
    section = models.ForeignKey(Section, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", help_text="Picked by the editor")
    submitted_ip = models.GenericIPAddressField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    decision_reason = models.TextField(blank=True, editable=False)
    article = models.ForeignKey(Article, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.reference}: {self.headline}"


class ReleaseEvent(models.Model):
    """One line of a release's history: who did what, when, and what changed."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        VERIFIED = "verified", _("email confirmed")
        EDITED = "edited", _("edited")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        SPAM = "spam", _("marked as spam")
        NOTIFIED = "notified", _("submitter notified")
        MAIL_FAILED = "mail_failed", _("mail failed")

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+")
    actor_label = models.CharField(max_length=150, blank=True,
                                   help_text="Who, also when no user account did it (CLI)")
    changes = models.JSONField(default=dict, blank=True,
                               help_text='{"field": [before, after]}')
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.release_id} {self.action} by {self.actor_label or '-'}"


class EditionReleasePolicy(models.Model):
    """How one edition treats news releases; an edition without a row uses the defaults."""

    edition = models.OneToOneField(Edition, on_delete=models.CASCADE,
                                   related_name="release_policy")
    accepts_releases = models.BooleanField(
        default=True, help_text="Offer this edition as a target on the submission form")
    in_digest = models.BooleanField(
        default=False, help_text="Published releases may appear in this edition's digest")

    class Meta:
        verbose_name = "edition release policy"
        verbose_name_plural = "edition release policies"

    def __str__(self) -> str:
        return f"release policy of {self.edition}"
