"""Reads for news releases."""

from __future__ import annotations

from django.db.models import QuerySet

from wiredesk.editions.models import Edition
from wiredesk.newsroom.models import Article
from wiredesk.releases.models import EditionReleasePolicy, Release


def releases(*, status: str = "", edition: Edition | None = None) -> QuerySet[Release]:
    """Releases oldest first (the moderation queue order), optionally one status/edition."""
    qs = Release.objects.select_related("submitted_via", "section", "article")
    if status:
        qs = qs.filter(status=status)
    if edition is not None:
        qs = qs.filter(editions=edition)
    return qs.order_by("created_at", "id")


def press_releases_in_digest(edition: Edition) -> bool:
    """Whether this edition's digest may carry published news releases (off by default)."""
    policy = EditionReleasePolicy.objects.filter(edition=edition).first()
    return bool(policy and policy.in_digest)


def digest_articles(articles: QuerySet[Article], edition: Edition) -> QuerySet[Article]:
    """Drop news releases from a digest's articles unless the edition's policy allows them.

    For the digest: ``digest_articles(edition_articles(edition), edition)``.
    """
    if press_releases_in_digest(edition):
        return articles
    return articles.exclude(kind=Article.Kind.PRESS_RELEASE)
