"""Counters for /metrics in the embedded default (Redis holds them when configured)."""

from __future__ import annotations

from django.db import models


class MetricCounter(models.Model):
    """One monotonically increasing counter, shared by every process through the database."""

    name = models.CharField(max_length=200, unique=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
