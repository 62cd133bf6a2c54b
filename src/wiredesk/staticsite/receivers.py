"""Articles leaving an edition's public pages: their static files go at commit
(mirror.withdraw), in the process that made the change."""

from __future__ import annotations

import logging
import threading

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from wiredesk.editions.models import Placement
from wiredesk.editions.signals import placements_changed
from wiredesk.newsroom.models import Article
from wiredesk.staticsite import mirror

log = logging.getLogger("wiredesk.staticsite")
_pending = threading.local()


def _note(article_id: int) -> None:
    """Remember the article; one flush per transaction, at its commit."""
    if not mirror.static_dir():
        return
    ids = getattr(_pending, "ids", None)
    queued = any(entry[1] is _flush for entry in transaction.get_connection().run_on_commit)
    if ids is None or not queued:  # none yet, or the last transaction rolled back
        ids = _pending.ids = {article_id}
        transaction.on_commit(_flush)
    else:
        ids.add(article_id)


def _flush() -> None:
    ids, _pending.ids = getattr(_pending, "ids", None) or set(), None
    try:
        mirror.withdraw(ids)
    except Exception:  # the change is committed; the publish-static job tries again
        log.exception("static copy: withdrawing articles %s failed", sorted(ids)[:20])


@receiver(post_save, sender=Article, dispatch_uid="staticsite-article-saved")
def _article_saved(sender, instance: Article, raw: bool = False, **kwargs) -> None:
    if raw or instance.status == Article.Status.DRAFT:
        return  # a draft was never published
    if instance.status != Article.Status.PUBLISHED or instance.embargo_until:
        _note(instance.pk)


@receiver(post_delete, sender=Placement, dispatch_uid="staticsite-placement-deleted")
def _placement_deleted(sender, instance: Placement, **kwargs) -> None:
    _note(instance.article_id)


@receiver(placements_changed, dispatch_uid="staticsite-placements-changed")
def _placements_changed(sender, article: Article, edition_ids, **kwargs) -> None:
    _note(article.pk)
