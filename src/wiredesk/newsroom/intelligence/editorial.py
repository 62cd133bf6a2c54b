"""Editor decisions and kills, as they touch duplicates and stories: merge, split, withdraw."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import Q

from wiredesk.newsroom.audit import audit
from wiredesk.newsroom.intelligence.stories import STORY_TERMS_KEPT, choose_representative
from wiredesk.newsroom.models import Article, ArticleSignature, DuplicateVeto, Story, StoryTerm
from wiredesk.wire import similarity


def article_withdrawn(article: Article) -> None:
    """After a kill: promote the next copy to canonical, or drop a story left empty."""
    with transaction.atomic():
        copies = list(Article.objects.filter(duplicate_of=article)
                      .exclude(status=Article.Status.KILLED).order_by("published_at", "id"))
        if copies:
            heir = copies[0]
            Article.objects.filter(pk=heir.pk).update(duplicate_of=None)
            Article.objects.filter(pk__in=[c.pk for c in copies[1:]]).update(duplicate_of=heir)
        if article.story_id is not None:
            alive = (Article.objects.filter(story_id=article.story_id)
                     .exclude(status=Article.Status.KILLED).exclude(pk=article.pk).count())
            if alive == 0:
                Story.objects.filter(pk=article.story_id).delete()
            else:
                Story.objects.filter(pk=article.story_id).update(size=alive)
                story = Story.objects.get(pk=article.story_id)
                if story.representative_id == article.pk:
                    # A withdrawn article no longer names the story: the next best does.
                    story.representative = None
                    choose_representative(story)
                    story.save(update_fields=["representative", "headline"])


def articles_merge(*, articles: Sequence[Article], actor=None) -> Article:
    """An editor says these are copies of one item: the earliest becomes canonical."""
    articles = sorted(articles, key=lambda a: (a.published_at, a.pk))
    if len(articles) < 2:
        raise ValueError("merging needs at least two articles")
    canonical = articles[0]
    ids = [a.pk for a in articles]
    with transaction.atomic():
        story = next((a.story for a in articles if a.story_id), None)
        if story is None:
            story = Story.objects.create(headline=canonical.headline[:500],
                                         first_published_at=canonical.published_at,
                                         last_published_at=articles[-1].published_at,
                                         representative=canonical)
        DuplicateVeto.objects.filter(article_id__in=ids, other_id__in=ids).delete()
        # Copies of the merged articles follow them to the new canonical.
        Article.objects.filter(duplicate_of_id__in=ids).update(duplicate_of=canonical,
                                                               story=story)
        Article.objects.filter(pk__in=ids[1:]).update(duplicate_of=canonical, story=story,
                                                      intel_locked=True)
        Article.objects.filter(pk=canonical.pk).update(duplicate_of=None, story=story,
                                                       intel_locked=True)
        Story.objects.filter(pk=story.pk).update(
            size=Article.objects.filter(story=story).count())
        for article in articles:
            audit(actor, "article.merge", article, canonical=canonical.pk, merged=ids)
    canonical.refresh_from_db()
    return canonical


def article_split(*, article: Article, actor=None) -> Article:
    """An editor says this article is not a copy of the others: it stands alone, for good."""
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        group = set(Article.objects.filter(
            Q(pk=article.duplicate_of_id) | Q(duplicate_of_id=article.duplicate_of_id)
            | Q(duplicate_of=article)).exclude(pk=article.pk).values_list("pk", flat=True)
            ) if article.duplicate_of_id else set(
            Article.objects.filter(duplicate_of=article).values_list("pk", flat=True))
        DuplicateVeto.objects.bulk_create(
            [DuplicateVeto(article=article, other_id=o) for o in sorted(group)],
            ignore_conflicts=True)
        copies = list(Article.objects.filter(duplicate_of=article).order_by("published_at", "id"))
        if copies:
            Article.objects.filter(pk=copies[0].pk).update(duplicate_of=None)
            Article.objects.filter(pk__in=[c.pk for c in copies[1:]]).update(
                duplicate_of=copies[0])
        old_story_id = article.story_id
        story = Story.objects.create(headline=article.headline[:500],
                                     first_published_at=article.published_at,
                                     last_published_at=article.published_at, size=1,
                                     section=article.section, representative=article)
        signature = ArticleSignature.objects.filter(article=article).first()
        if signature is not None:
            story.centroid = signature.vector
            story.anchors = dict.fromkeys(signature.anchors, 1)
            story.save(update_fields=["centroid", "anchors"])
            StoryTerm.objects.bulk_create(
                [StoryTerm(term=t, story=story, last_published_at=article.published_at)
                 for t in similarity.query_terms(signature.vector, STORY_TERMS_KEPT)],
                ignore_conflicts=True)
        article.duplicate_of = None
        article.story = story
        article.intel_locked = True
        article.save(update_fields=["duplicate_of", "story", "intel_locked", "modified_at"])
        if old_story_id is not None:
            left = Article.objects.filter(story_id=old_story_id).count()
            if left == 0:
                Story.objects.filter(pk=old_story_id).delete()
            else:
                Story.objects.filter(pk=old_story_id).update(size=left)
        audit(actor, "article.split", article, apart_from=sorted(group))
    return article
