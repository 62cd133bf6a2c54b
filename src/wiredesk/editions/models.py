"""Editions (the sites a publisher runs) and the placement of articles in them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from wiredesk.newsroom.models import Agency, Article, Section


def validate_zone(value: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"unknown time zone {value!r}") from exc


class Edition(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_zone])
    tagline = models.CharField(max_length=300, blank=True)
    language = models.CharField(max_length=16, default="en")
    sections = models.ManyToManyField(Section, blank=True, related_name="editions",
                                      help_text="Empty: carries every section")
    agencies = models.ManyToManyField(Agency, blank=True, related_name="editions",
                                      help_text="Empty: carries every agency")
    position = models.PositiveSmallIntegerField(default=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class EditionHost(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="hosts")
    host = models.CharField(max_length=253, unique=True, help_text="e.g. chilesun.example")

    class Meta:
        ordering = ["host"]

    def __str__(self) -> str:
        return self.host

    def save(self, *args, **kwargs):
        self.host = self.host.strip().lower().rstrip(".")
        super().save(*args, **kwargs)


class Placement(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="placements")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="placements")
    placed_at = models.DateTimeField(default=timezone.now)
    # Denormalized from the article so an edition's pages need one indexed range scan.
    published_at = models.DateTimeField()
    pinned = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["edition", "article"], name="placement_unique"),
        ]
        indexes = [models.Index(fields=["edition", "-published_at"])]

    def __str__(self) -> str:
        return f"{self.article_id} in {self.edition_id}"
