"""What the operations app remembers: which feeds it has announced as silent."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class FeedSilence(models.Model):
    """A feed the ``watch-feeds`` job has announced as silent; removed (and the recovery
    announced) when an item arrives. One row per feed, so each silence is logged once."""

    feed = models.OneToOneField("newsroom.Feed", on_delete=models.CASCADE,
                                related_name="silence")
    last_arrival = models.DateTimeField(null=True, blank=True,
                                        help_text="The feed's last item when it went silent")
    announced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "wire health (silent feed)"
        verbose_name_plural = "wire health"

    def __str__(self) -> str:
        return f"{self.feed} silent since {self.last_arrival}"
