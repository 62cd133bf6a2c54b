"""What drop folders and mailboxes gave: each file or message taken once, and how it went."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from wiredesk.newsroom.models.core import Feed


class Intake(models.Model):
    """One file a drop folder held or one message a mailbox held, taken once.

    The ledger that makes "once" true: a file is known by its name, size and time, a
    message by its mailbox's UIDVALIDITY and UID. A row is written only when the file or
    message is done with (stored, refused or skipped); one whose items could not be
    written (the database went away) gets no row and is taken again at the next poll.
    """

    class Outcome(models.TextChoices):
        STORED = "stored", "stored"
        FAILED = "failed", "failed"
        SKIPPED = "skipped", "skipped"

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="intakes")
    key = models.CharField(max_length=80)
    name = models.CharField(max_length=500)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    detail = models.TextField(blank=True, help_text="What was stored, or why not")
    articles = models.PositiveIntegerField(default=0, help_text="Articles created or updated")
    taken_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-taken_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["feed", "key"],
                                               name="intake_once_per_feed")]

    def __str__(self) -> str:
        return f"{self.name} ({self.outcome})"
