"""A per-edition change counter: the page cache's key, shared by every process through the DB."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from wiredesk.editions.models import Edition


class EditionStamp(models.Model):
    """Bumped in the same transaction as any change to what an edition shows.

    Cached pages are keyed by (edition, generation), so a bump made by any process
    (a CLI kill, a worker, another web node) makes every cached page of the edition
    unreachable on the next request; nothing has to be deleted from any cache.
    ``next_embargo_at`` is the earliest embargo still to lift: time alone changes what
    is public then, so the first request after it bumps the generation.
    """

    edition = models.OneToOneField(Edition, on_delete=models.CASCADE, primary_key=True,
                                   related_name="stamp")
    generation = models.PositiveBigIntegerField(default=1)
    changed_at = models.DateTimeField(default=timezone.now)
    next_embargo_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.edition_id} g{self.generation}"
