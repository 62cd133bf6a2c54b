"""Index writes ride on the article's own save, inside its transaction.

Every write path in the newsroom (ingest, update, kill, hold, release, the admin) saves
the Article model, so a post_save receiver keeps the index in step without each path
having to remember it; a bulk ``QuerySet.update`` would bypass it, which is why status
is checked at query time and ``wiredesk search reindex`` exists.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from wiredesk.newsroom.models import Article
from wiredesk.search import services

# What the index holds of an article, and its status (a killed one is dropped): a save
# that names only other fields (the story step's story, section, duplicate) leaves the
# index as it is.
INDEX_INPUTS = frozenset({*services.INDEXED_FIELDS, "status"}) - {"id"}


@receiver(post_save, sender=Article, dispatch_uid="search-index-article")
def _article_saved(sender, instance: Article, created: bool = False, raw: bool = False,
                   update_fields=None, **kwargs) -> None:
    if raw:
        return  # fixtures loading: reindex afterwards
    if update_fields is not None and not INDEX_INPUTS.intersection(update_fields):
        return
    # A row just inserted has no index row to replace (ids are never reused).
    services.index_articles([instance], fresh=created)


@receiver(post_delete, sender=Article, dispatch_uid="search-unindex-article")
def _article_deleted(sender, instance: Article, **kwargs) -> None:
    services.remove_articles([instance.pk])
