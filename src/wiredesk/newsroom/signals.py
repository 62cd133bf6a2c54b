"""The newsroom's domain signal, and the tombstone every deleted article leaves."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from wiredesk.newsroom.intelligence.enrich import forget_never_tag_names
from wiredesk.newsroom.models import Agency, Article, Tombstone
from wiredesk.newsroom.services.picture_sources import release_later

# Sent by ``store_item`` inside the item's transaction, after the article is written and
# enriched, with ``article``, ``outcome`` ("created" or "updated") and ``feed`` (None for
# items from no feed). The newsroom stores; the apps above decide what a stored article
# means to them (editions place it by their rules). A receiver runs in the item's
# transaction, so what it writes commits or rolls back with the article; one that places
# the article returns the ids of the editions now carrying it, for the stored log line.
article_stored = Signal()

# Sent by the intelligence stage (``WIREDESK_INTELLIGENCE=deferred``) inside the transaction
# that enriched an article stored earlier, with ``article`` and ``section_changed``: the
# section it was placed by may have been predicted only now.
article_enriched = Signal()


# However an article is deleted (admin, shell, service), the next poll must not bring it back.
@receiver(post_delete, sender=Article, dispatch_uid="wiredesk-article-tombstone")
def leave_tombstone(sender, instance: Article, **kwargs) -> None:
    Tombstone.objects.get_or_create(
        agency_id=instance.agency_id, identity=instance.identity,
        defaults={"canonical_url": instance.canonical_url,
                  "headline": instance.headline[:500], "reason": "deleted"})


@receiver(post_delete, sender=Article, dispatch_uid="wiredesk-article-picture-release")
def release_picture(sender, instance: Article, **kwargs) -> None:
    """A deleted article's picture files go too, unless another live article shows it."""
    release_later(instance.picture_source_id)


# An agency's code and name are never tags: a new or renamed agency is known at its next item.
post_save.connect(forget_never_tag_names, sender=Agency, dispatch_uid="wiredesk-never-tag-agency")
post_delete.connect(forget_never_tag_names, sender=Agency,
                    dispatch_uid="wiredesk-never-tag-agency-gone")
