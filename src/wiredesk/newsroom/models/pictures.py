"""Agency picture items that belong to a text item: kept beside the articles, never one.

A NewsML-G2 picture item that goes with a story (by its own link, the story's link or a
package) is shown on the story's article and nowhere else: it appears when the story
does (embargo), goes with it (kill), and a new version of either keeps them together.
Either may arrive first; ``PictureLink`` remembers the pairing until the other comes.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from wiredesk.newsroom.models.core import Agency
from wiredesk.wire.types import Picture


class WirePicture(models.Model):
    class Status(models.TextChoices):
        USABLE = "usable", "usable"
        WITHHELD = "withheld", "withheld by the agency"
        KILLED = "killed", "killed by the agency"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="pictures")
    guid = models.CharField(max_length=500)
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.USABLE)
    headline = models.CharField(max_length=500, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    caption = models.TextField(blank=True)
    credit = models.CharField(max_length=300, blank=True)
    alt = models.TextField(blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    mime_type = models.CharField(max_length=100, blank=True)
    length = models.PositiveBigIntegerField(null=True, blank=True)
    rights = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "guid"], name="wirepicture_unique"),
        ]

    def __str__(self) -> str:
        return self.headline or self.guid

    @property
    def picture(self) -> Picture | None:
        if self.status != self.Status.USABLE or not self.url:
            return None
        return Picture(url=self.url, caption=self.caption, credit=self.credit, alt=self.alt,
                       width=self.width, height=self.height, rights=self.rights,
                       mime_type=self.mime_type, length=self.length)


class PictureLink(models.Model):
    """The agency said this picture item belongs to this text item (both by guid)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="picture_links")
    picture_guid = models.CharField(max_length=500)
    text_guid = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]  # the first picture the agency paired with a text leads
        constraints = [
            models.UniqueConstraint(fields=["agency", "picture_guid", "text_guid"],
                                    name="picturelink_unique"),
        ]
        indexes = [models.Index(fields=["agency", "text_guid"], name="picturelink_text")]

    def __str__(self) -> str:
        return f"{self.picture_guid} -> {self.text_guid}"


class PictureAsset(models.Model):
    """A picture stored once, by the SHA-256 of the bytes the agency sent, in every width.

    ``renditions`` lists the files in the media store (``STORAGES["default"]``): each
    ``{"name", "width", "height", "type", "bytes"}``, narrowest first. Their names hash
    their own bytes, so they are served as immutable."""

    sha256 = models.CharField(max_length=64, unique=True)
    width = models.PositiveIntegerField(help_text="The upright picture as the agency sent it")
    height = models.PositiveIntegerField()
    renditions = models.JSONField(default=list)
    # The desk's media library: a picture uploaded there is kept when no article shows it
    # any more (an agency's picture is deleted then), with what the desk said of it.
    in_library = models.BooleanField(default=False)
    caption = models.TextField(blank=True)
    credit = models.CharField(max_length=300, blank=True)
    alt = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.sha256[:12]} ({self.width}x{self.height})"


class PictureSource(models.Model):
    """One agency picture address, fetched once however many articles show it.

    Ingest only records the address (``pending``); the ``fetch-pictures`` job fetches
    it, and retries a failure with backoff until ``WIREDESK_PICTURE_MAX_ATTEMPTS``. An
    article shows its picture only once it is ``ready``: the address itself is never
    put in a page."""

    class Status(models.TextChoices):
        PENDING = "pending", "waiting to be fetched"
        READY = "ready", "stored"
        FAILED = "failed", "failed (given up)"

    url = models.URLField(max_length=1000)
    url_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the URL")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    asset = models.ForeignKey(PictureAsset, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="sources")
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="picturesource_due")]

    def __str__(self) -> str:
        return self.url
