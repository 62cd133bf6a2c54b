"""What the desk scheduled: an article made public, or held, at a time (UTC).

Kept apart from ``Article`` so that scheduling, rescheduling and cancelling never touch
the article's row: only the change itself, when it is due, is a change partners and
cached pages hear of. The ``publish-scheduled`` job carries out and deletes each row
when it is due (the audit log keeps the record).
"""

from __future__ import annotations

from django.db import models


class Schedule(models.Model):
    class Action(models.TextChoices):
        PUBLISH = "publish", "publish"
        UNPUBLISH = "unpublish", "unpublish"

    article = models.ForeignKey("newsroom.Article", on_delete=models.CASCADE,
                                related_name="schedules")
    action = models.CharField(max_length=10, choices=Action.choices)
    due_at = models.DateTimeField(help_text="UTC")
    # The zone the editor gave the time in (an edition's), to show it back as given.
    time_zone = models.CharField(max_length=64, default="UTC")
    edition_slug = models.CharField(max_length=100, blank=True)
    scheduled_by = models.CharField(max_length=200, blank=True)
    scheduled_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [models.UniqueConstraint(fields=["article", "action"],
                                               name="schedule_one_per_action")]
        # The job's one question: what is due now.
        indexes = [models.Index(fields=["due_at"], name="schedule_due")]

    def __str__(self) -> str:
        return f"{self.action} article {self.article_id} at {self.due_at:%Y-%m-%d %H:%M} UTC"
