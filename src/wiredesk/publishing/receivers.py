"""Any change to what an edition shows bumps its stamp, inside the writer's transaction."""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from wiredesk.editions.models import Edition, EditionHost, Placement
from wiredesk.editions.signals import placements_changed
from wiredesk.newsroom.models import Article
from wiredesk.publishing.stamps import bump_editions


@receiver(post_save, sender=Article, dispatch_uid="publishing-article-saved")
def _article_saved(sender, instance: Article, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    editions = Placement.objects.filter(article_id=instance.pk).values_list("edition_id",
                                                                            flat=True)
    bump_editions(editions, embargo_until=instance.embargo_until)


@receiver(placements_changed, dispatch_uid="publishing-placements-changed")
def _placements_changed(sender, article: Article, edition_ids, **kwargs) -> None:
    bump_editions(edition_ids, embargo_until=article.embargo_until)


@receiver(post_delete, sender=Placement, dispatch_uid="publishing-placement-deleted")
def _placement_deleted(sender, instance: Placement, **kwargs) -> None:
    bump_editions([instance.edition_id])


# An edition's name, language and hosts show on the other editions' pages too (hreflang
# alternates, canonical links), and such changes are rare: they bump every edition.
@receiver(post_save, sender=Edition, dispatch_uid="publishing-edition-saved")
@receiver(post_save, sender=EditionHost, dispatch_uid="publishing-host-saved")
@receiver(post_delete, sender=EditionHost, dispatch_uid="publishing-host-deleted")
def _edition_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    if not raw:
        bump_editions(Edition.objects.values_list("pk", flat=True))


@receiver(m2m_changed, sender=Edition.sections.through, dispatch_uid="publishing-sections")
@receiver(m2m_changed, sender=Edition.agencies.through, dispatch_uid="publishing-agencies")
def _rules_changed(sender, instance, action: str, **kwargs) -> None:
    if action.startswith("post_") and isinstance(instance, Edition):
        bump_editions([instance.pk])
