"""A deleted article leaves a tombstone, however it was deleted (admin, shell, service)."""

from __future__ import annotations

from django.db.models.signals import post_delete
from django.dispatch import receiver

from wiredesk.newsroom.models import Article, Tombstone


@receiver(post_delete, sender=Article, dispatch_uid="wiredesk-article-tombstone")
def leave_tombstone(sender, instance: Article, **kwargs) -> None:
    Tombstone.objects.get_or_create(
        agency_id=instance.agency_id, identity=instance.identity,
        defaults={"canonical_url": instance.canonical_url,
                  "headline": instance.headline[:500], "reason": "deleted"})
