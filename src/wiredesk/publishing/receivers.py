"""Any change to what an edition shows bumps its stamp and is logged in the change stream,
inside the writer's transaction."""

from __future__ import annotations

from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from wiredesk.editions.models import Edition, EditionHost, EditionPage, FooterLink, Placement
from wiredesk.editions.signals import fronts_changed, placements_changed
from wiredesk.newsroom.models import Article
from wiredesk.publishing import changes
from wiredesk.publishing.stamps import bump_editions


@receiver(post_save, sender=Article, dispatch_uid="publishing-article-saved")
def _article_saved(sender, instance: Article, created: bool = False, raw: bool = False,
                   **kwargs) -> None:
    if raw or instance.status == Article.Status.DRAFT:
        return  # a draft is public nowhere: no page changes, partners hear nothing of it
    # A row just inserted is in no edition yet: its placements come after it.
    editions = [] if created else _editions_of(instance.pk)
    bump_editions(editions, embargo_until=instance.embargo_until)
    changes.article_changed(instance, editions, created=created)


_EDITIONS_OF = (f"SELECT edition_id FROM {Placement._meta.db_table}"  # noqa: S608
                " WHERE article_id = %s")


def _editions_of(article_id: int) -> list[int]:
    """The editions carrying the article: ``Placement.objects.filter(article_id=...)
    .values_list("edition_id", flat=True)`` without building it through the ORM (every
    save of an article asks)."""
    with connection.cursor() as cursor:
        cursor.execute(_EDITIONS_OF, [article_id])
        return [row[0] for row in cursor.fetchall()]


# Its placements went first (their rows tell each edition); this row tells everyone else.
@receiver(post_delete, sender=Article, dispatch_uid="publishing-article-deleted")
def _article_deleted(sender, instance: Article, **kwargs) -> None:
    if instance.status != Article.Status.DRAFT:
        changes.article_changed(instance, [], deleted=True)


@receiver(placements_changed, dispatch_uid="publishing-placements-changed")
def _placements_changed(sender, article: Article, edition_ids, **kwargs) -> None:
    if article.status == Article.Status.DRAFT:
        return
    bump_editions(edition_ids, embargo_until=article.embargo_until)
    changes.placements_changed(article.pk, edition_ids, version=article.version)


# The desk's curation of a front: what the edition's pages show changed, no article did
# (nothing for the change stream). A slot's expiry is a change nobody writes: the stamp
# learns when it is due, as of an embargo (stamps.current_stamp), and the
# expire-front-slots job removes the slot.
@receiver(fronts_changed, dispatch_uid="publishing-fronts-changed")
def _fronts_changed(sender, edition_ids, next_expiry=None, **kwargs) -> None:
    bump_editions(edition_ids, embargo_until=next_expiry)


@receiver(post_delete, sender=Placement, dispatch_uid="publishing-placement-deleted")
def _placement_deleted(sender, instance: Placement, **kwargs) -> None:
    version, status = _article_known(instance)
    if status == Article.Status.DRAFT:
        return
    if not _edition_going(kwargs.get("origin")):
        bump_editions([instance.edition_id])
    changes.placements_changed(instance.article_id, [instance.edition_id], version=version)


# A placement made one at a time (the admin); services place in bulk and send
# placements_changed instead.
@receiver(post_save, sender=Placement, dispatch_uid="publishing-placement-saved")
def _placement_saved(sender, instance: Placement, created: bool, raw: bool = False,
                     **kwargs) -> None:
    if created and not raw:
        version, status = _article_known(instance)
        if status != Article.Status.DRAFT:
            changes.placements_changed(instance.article_id, [instance.edition_id],
                                       version=version)


def _article_known(placement: Placement) -> tuple[int, str]:
    """The placed article's version and status (a draft's placements are no change)."""
    # Placements are taken out before their article is deleted: it is still there.
    row = Article.objects.filter(pk=placement.article_id).values_list(
        "version", "status").first()
    return row or (0, "")


# An edition's name, language and hosts show on the other editions' pages too (hreflang
# alternates, canonical links), and such changes are rare: they bump every edition.
@receiver(post_save, sender=Edition, dispatch_uid="publishing-edition-saved")
@receiver(post_save, sender=EditionHost, dispatch_uid="publishing-host-saved")
@receiver(post_delete, sender=EditionHost, dispatch_uid="publishing-host-deleted")
def _edition_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    if not raw and not _edition_going(kwargs.get("origin")):
        bump_editions(Edition.objects.values_list("pk", flat=True))


# Home editions decide canonical links on every edition's pages (editions/canonical.py).
@receiver(m2m_changed, sender=Edition.home_of_sections.through,
          dispatch_uid="publishing-home-sections")
@receiver(m2m_changed, sender=Edition.home_of_agencies.through,
          dispatch_uid="publishing-home-agencies")
def _homes_changed(sender, instance, action: str, **kwargs) -> None:
    if action.startswith("post_"):
        bump_editions(Edition.objects.values_list("pk", flat=True))


@receiver(m2m_changed, sender=Edition.sections.through, dispatch_uid="publishing-sections")
@receiver(m2m_changed, sender=Edition.agencies.through, dispatch_uid="publishing-agencies")
def _rules_changed(sender, instance, action: str, **kwargs) -> None:
    if action.startswith("post_") and isinstance(instance, Edition):
        bump_editions([instance.pk])


# An edition's text pages and footer links show on every page of that edition (the footer).
@receiver(post_save, sender=EditionPage, dispatch_uid="publishing-edition-page-saved")
@receiver(post_delete, sender=EditionPage, dispatch_uid="publishing-edition-page-deleted")
@receiver(post_save, sender=FooterLink, dispatch_uid="publishing-footer-link-saved")
@receiver(post_delete, sender=FooterLink, dispatch_uid="publishing-footer-link-deleted")
def _edition_footer_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    if not raw and not _edition_going(kwargs.get("origin")):
        bump_editions([instance.edition_id])


def _edition_going(origin) -> bool:
    """The delete started with the edition itself: nothing of it is left to bump (a stamp
    made now would point at the edition about to go)."""
    return isinstance(origin, Edition) or getattr(origin, "model", None) is Edition
