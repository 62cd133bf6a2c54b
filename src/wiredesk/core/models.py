"""The plumbing's tables, used in the embedded default (Redis holds both at scale).

Their tables keep the names they were created with, so upgrading moves no data.
"""

from __future__ import annotations

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
