"""Editions listen to the newsroom: a stored article is placed by the editions' rules."""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from wiredesk.editions.models import Edition, Placement
from wiredesk.editions.services import edition_rules, place_article
from wiredesk.newsroom.models import Article, Feed
from wiredesk.newsroom.runs import forget, per_run
from wiredesk.newsroom.signals import article_enriched, article_stored

RULES = "editions.rules"


@receiver(article_stored, dispatch_uid="wiredesk-editions-place-stored")
def place_stored(sender, article: Article, outcome: str, feed: Feed | None = None,
                 **kwargs) -> list[int] | None:
    """Place a stored article by the editions' rules; returns the editions carrying it."""
    if article.kind in (Article.Kind.PRESS_RELEASE, Article.Kind.DESK):
        # The releases service and the desk place these in the editions chosen for them
        # (the desk: the editions ticked, else those the rules want: ``rule_editions``).
        return None
    if article.status == Article.Status.KILLED:
        return None  # withdrawn by its source: there is nowhere new for it to go
    # The rules are read once per ingest run: a document's items would read them per item.
    return place_article(article, rules=per_run(RULES, edition_rules),
                         new=outcome == "created")


@receiver(article_enriched, dispatch_uid="wiredesk-editions-place-enriched")
def place_enriched(sender, article: Article, section_changed: bool = False, **kwargs) -> None:
    """Story intelligence ran after the article was placed (its own stage) and gave it a
    section: the editions' rules may want it elsewhere now."""
    if section_changed:
        place_stored(sender, article=article, outcome="enriched")


@receiver(post_save, sender=Article, dispatch_uid="wiredesk-editions-article-dated")
def _article_dated(sender, instance: Article, raw: bool = False, update_fields=None,
                   **kwargs) -> None:
    """A draft published (``article_release``) is dated then: its placements too."""
    if raw or not update_fields or "published_at" not in update_fields:
        return
    Placement.objects.filter(article=instance).exclude(
        published_at=instance.published_at).update(published_at=instance.published_at)


@receiver(post_save, sender=Edition, dispatch_uid="wiredesk-editions-rules-saved")
@receiver(post_delete, sender=Edition, dispatch_uid="wiredesk-editions-rules-deleted")
@receiver(m2m_changed, sender=Edition.sections.through,
          dispatch_uid="wiredesk-editions-rules-sections")
@receiver(m2m_changed, sender=Edition.agencies.through,
          dispatch_uid="wiredesk-editions-rules-agencies")
def _rules_changed(sender, **kwargs) -> None:
    forget(RULES)  # an edition changed inside a run: the next item reads the rules again
