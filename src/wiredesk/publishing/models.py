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


class Change(models.Model):
    """The last change of one article in one scope: a row of the change stream's log.

    The scope is an edition (the article was placed in it or taken out of it) or none
    (the article itself changed: copy, status, embargo, deletion). A new change of a scope
    deletes the scope's older row and appends a new one, so the log is compacted: the rows
    after any position are exactly the articles that changed since, in the order of their
    last change, and replaying it from the beginning is a snapshot of every article.

    Rows are ordered by ``(txid, id)``. On PostgreSQL ``txid`` is the writing transaction's
    id: a reader takes only rows of transactions older than every one still running
    (``changes.stable_rows``), so no row can ever commit behind a position already given
    out. SQLite writes one transaction at a time: ``txid`` is 0 and ``id`` is the order.
    The ids are plain numbers, not keys: a row outlives its article and its edition.
    """

    id = models.BigAutoField(primary_key=True)
    article_id = models.BigIntegerField()
    edition_id = models.BigIntegerField(null=True, blank=True)
    at = models.DateTimeField()
    txid = models.BigIntegerField(default=0)
    version = models.PositiveIntegerField(default=0, help_text="The article's version then")

    class Meta:
        indexes = [
            models.Index(fields=["txid", "id"], name="change_position"),
            models.Index(fields=["article_id", "edition_id"], name="change_scope"),
            models.Index(fields=["at"], name="change_at"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id}@{self.edition_id or '*'} #{self.id}"


class ChangeLog(models.Model):
    """The log's one bookkeeping row.

    ``epoch`` is in every cursor: a restore starts a new one, so cursors given out before
    it are refused (410) instead of silently skipping what the restore undid. Rows of
    withdrawn articles are pruned after ``WIREDESK_CHANGES_RETENTION_DAYS``; the highest
    pruned position (and its time) is kept, and a cursor given out before a prune (it
    carries ``prunes``) that is before that position, or an ``updated_since`` before that
    time, is refused with 410: what it had still to read may be gone.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    epoch = models.CharField(max_length=16)
    started_at = models.DateTimeField(default=timezone.now)
    pruned_txid = models.BigIntegerField(default=0)
    pruned_id = models.BigIntegerField(default=0)
    pruned_at = models.DateTimeField(null=True, blank=True)
    prunes = models.PositiveIntegerField(default=0, help_text="Prunes that deleted rows")

    def __str__(self) -> str:
        return f"change log {self.epoch}"


class PendingLift(models.Model):
    """An embargo still to lift: time alone makes the article public, with no write then,
    so the lift is logged as a change when it is due (``changes.lift_due_embargoes``)."""

    article_id = models.BigIntegerField(primary_key=True)
    due_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.article_id} at {self.due_at}"
