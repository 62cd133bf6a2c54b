"""The plumbing's tables, used in the embedded default (Redis holds both at scale).

Their tables keep the names they were created with, so upgrading moves no data.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models


class JobLock(models.Model):
    """A named lock with expiry (see ``wiredesk.core.locks``)."""

    name = models.CharField(max_length=200, unique=True)
    token = models.CharField(max_length=64)
    expires_at = models.DateTimeField()

    class Meta:
        db_table = "newsroom_joblock"

    def __str__(self) -> str:
        return self.name


class MetricCounter(models.Model):
    """One monotonically increasing counter, shared by every process through the database."""

    name = models.CharField(max_length=200, unique=True)
    value = models.BigIntegerField(default=0)

    class Meta:
        db_table = "ops_metriccounter"

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class AuditEntry(models.Model):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                              null=True, blank=True, related_name="+")
    actor_label = models.CharField(max_length=200, help_text="The user's name at the time, "
                                   "or the process that acted")
    action = models.CharField(max_length=60, db_index=True,
                              help_text="e.g. article.kill, article.edit, front.feature")
    target_type = models.CharField(max_length=60, blank=True, help_text="e.g. article")
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=500, blank=True)
    edition_slug = models.CharField(max_length=100, blank=True)
    # The article's id when the target is one, as a number: an edition editor's log asks
    # per entry whether one of their editions carries it (an EXISTS on Placement's index,
    # no cast of target_id). Not a foreign key: core sits below the newsroom.
    article_id = models.BigIntegerField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    @property
    def actor_shown(self) -> str:
        return self.actor_label or "—"

    @property
    def details_shown(self) -> str:
        return json.dumps(self.details, ensure_ascii=False, sort_keys=True)
