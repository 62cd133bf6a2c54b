"""Editorial actions on articles: kill, hold, release; each written to the audit log in
its transaction (``actor``: the user, or the process that acted: "cli", "api:<key>",
"agency:<CODE>"; None is the system)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from wiredesk.newsroom.audit import audit
from wiredesk.newsroom.errors import ServiceError
from wiredesk.newsroom.intelligence import article_withdrawn
from wiredesk.newsroom.models import Article, Schedule
from wiredesk.newsroom.services.picture_sources import release_later


def kill_locked(article: Article, reason: str, *, actor=None) -> None:
    """Kill an article whose row the caller holds locked."""
    article.status = Article.Status.KILLED
    article.status_reason = reason.strip()[:2000]
    article.edit_version += 1  # a desk form drawn before the kill is stale
    article.save(update_fields=["status", "status_reason", "edit_version", "modified_at"])
    # Nothing scheduled happens to a killed article: the job never publishes it.
    Schedule.objects.filter(article=article).delete()
    audit(actor, "article.kill", article, reason=article.status_reason)
    # A killed canonical hands its place to the next duplicate, or its story shrinks.
    article_withdrawn(article)
    # Its picture's files go too, unless another live article shows the same picture.
    release_later(article.picture_source_id)


def article_kill(*, article: Article, reason: str, actor=None) -> Article:
    """Withdraw an article everywhere at once; its revisions stay for the record.

    Every public read filters on status (``editions.selectors.public_q``), so the
    article leaves pages, sections, feeds, search, digests and the API in the same
    commit; its URL answers 410 Gone.
    """
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        kill_locked(article, reason, actor=actor)
    return article


# Atomic like a kill: what the apps above record of the change (the change stream's row,
# the page cache's stamps) commits with it or not at all.
@transaction.atomic
def article_hold(*, article: Article, reason: str = "", actor=None) -> Article:
    article.status = Article.Status.HELD
    article.status_reason = reason.strip()[:2000]
    article.save(update_fields=["status", "status_reason", "modified_at"])
    audit(actor, "article.hold", article, reason=article.status_reason)
    return article


@transaction.atomic
def article_release(*, article: Article, actor=None) -> Article:
    """Make a held article public again, or publish a draft (the desk's, now or at its
    scheduled time): a draft is dated when it is published, not when it was written."""
    if article.status == Article.Status.KILLED:
        raise ServiceError("a killed article cannot be released")
    fields = ["status", "status_reason", "modified_at"]
    if article.status == Article.Status.DRAFT:
        article.published_at = timezone.now()
        fields.append("published_at")
    article.status = Article.Status.PUBLISHED
    article.status_reason = ""
    article.save(update_fields=fields)
    audit(actor, "article.release", article)
    return article
