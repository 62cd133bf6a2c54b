"""API keys: integrators get higher rate limits and, when allowed, the write endpoints."""

from __future__ import annotations

from django.db import models


class ApiKey(models.Model):
    name = models.CharField(max_length=100, unique=True, help_text="Who the key is for")
    prefix = models.CharField(max_length=12, db_index=True, editable=False,
                              help_text="First characters of the key, to recognise it")
    key_hash = models.CharField(max_length=64, unique=True, editable=False,
                                help_text="SHA-256 of the key; the key itself is never stored")
    can_write = models.BooleanField(
        default=False, help_text="May submit items to ingest and kill articles")
    agencies = models.ManyToManyField(
        "newsroom.Agency", blank=True, related_name="+",
        help_text="The agencies a write key may submit and kill items for; a write key "
                  "with none may write for no agency")
    requests_per_minute = models.PositiveIntegerField(default=600)
    revoked = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def agency_codes(self) -> list[str]:
        return sorted(a.code for a in self.agencies.all())
