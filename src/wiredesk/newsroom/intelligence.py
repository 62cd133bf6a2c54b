"""Story intelligence for stored articles: duplicates, stories, related links, sections.

The decisions are made by the pure functions in ``wiredesk.wire.similarity`` and
``wiredesk.wire.sections``; this module feeds them from indexed tables and writes their
answers back. It runs inside the ingest transaction of the article it enriches.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from wiredesk.newsroom.models import (
    Article,
    ArticleSignature,
    ArticleTag,
    DuplicateVeto,
    LshBand,
    RelatedStory,
    Section,
    SectionModel,
    SourceLine,
    Story,
    StoryTerm,
    Tag,
    TermFrequency,
)
from wiredesk.wire import entities, similarity
from wiredesk.wire.sanitize import html_to_text
from wiredesk.wire.sections import SectionClassifier

log = logging.getLogger(__name__)

DUPLICATE_WINDOW = timedelta(days=3)  # copies of one item arrive within days of each other
RELATED_WINDOW = timedelta(days=30)
STORY_PARAMS = similarity.StoryParams()
MAX_CANDIDATES = 500
MAX_EXACT = 20  # candidates compared on their full text
STORY_TERMS_KEPT = 2 * similarity.QUERY_TERMS
PREDICTED = "section:predicted"
TRAINING_LIMIT = 20_000


# --- index adapters --------------------------------------------------------------------

def _upsert_increment(table: str, key_columns: Sequence[str], count_column: str,
                      rows: Iterable[tuple]) -> None:
    """INSERT ... ON CONFLICT DO UPDATE count = count + 1 (SQLite 3.24+ and PostgreSQL)."""
    rows = sorted(set(rows))  # a fixed order keeps concurrent writers from deadlocking
    if not rows:
        return
    extra = ", last_seen_at" if table == SourceLine._meta.db_table else ""
    columns = ", ".join(key_columns)
    placeholders = ", ".join(["%s"] * (len(key_columns) + 1 + (1 if extra else 0)))
    update_extra = ", last_seen_at = excluded.last_seen_at" if extra else ""
    # Table and column names come from this module, never from input.
    sql = (f"INSERT INTO {table} ({columns}, {count_column}{extra}) "  # noqa: S608
           f"VALUES ({placeholders}) ON CONFLICT ({columns}) DO UPDATE SET "
           f"{count_column} = {table}.{count_column} + 1{update_extra}")
    now = timezone.now()
    params = [(*row, 1, now) if extra else (*row, 1) for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


class DbLineMemory:
    def repeated(self, source: str, keys: Sequence[int]) -> set[int]:
        return set(SourceLine.objects.filter(
            source=source, key__in=list(set(keys)),
            items__gte=similarity.BOILERPLATE_MIN_ITEMS).values_list("key", flat=True))

    def remember(self, source: str, keys: Sequence[int]) -> None:
        _upsert_increment(SourceLine._meta.db_table, ["source", "key"], "items",
                          [(source, k) for k in keys])


class DbFrequencies:
    TOTAL = ""

    def __init__(self) -> None:
        self._total: int | None = None

    def total(self) -> int:
        if self._total is None:
            self._total = (TermFrequency.objects.filter(term=self.TOTAL)
                           .values_list("documents", flat=True).first() or 0)
        return self._total

    def counts(self, terms: Iterable[str]) -> Mapping[str, int]:
        return dict(TermFrequency.objects.filter(term__in=list(terms))
                    .values_list("term", "documents"))

    def add(self, terms: Iterable[str]) -> None:
        _upsert_increment(TermFrequency._meta.db_table, ["term"], "documents",
                          [(t[:40],) for t in {*terms, self.TOTAL}])
        self._total = None


# --- the step --------------------------------------------------------------------------

def article_text(article: Article) -> str:
    return html_to_text(article.body_html)


def source_key(article: Article) -> str:
    return f"agency:{article.agency_id}"


def enrich_article(article: Article, *, created: bool) -> None:
    """Duplicate check, story, related stories and section for one stored article.

    On an update of an article already enriched only its signature is refreshed: the
    story and duplicate links stay as they were decided (or as an editor set them).
    """
    memory = DbLineMemory()
    text = article_text(article)
    feats, keys = similarity.features(article.headline, text,
                                      source=source_key(article), memory=memory)
    if created:
        memory.remember(source_key(article), keys)
    frequencies = DbFrequencies()
    if created or not ArticleSignature.objects.filter(article=article).exists():
        frequencies.add(feats.term_counts)
    vector = similarity.tfidf_vector(feats, frequencies)
    _store_signature(article, feats, vector, created=created)
    _store_tags(article, text, created=created)
    if not created and article.story_id is not None:
        return
    fields = ["story", "duplicate_of", "section", "flags"]
    if article.section_id is None:
        _predict_section(article)
    canonical = _find_duplicate(article, feats, _lsh_candidates(article, feats.bands))
    if canonical is not None:
        _link_duplicate(article, canonical, vector, feats.anchors)
    else:
        story = _assign_story(article, vector, feats.anchors)
        article.story = story
        story = _split_if_blended(story, article, vector, feats.anchors)
        article.story = story
        mates = list(ArticleSignature.objects.filter(article__story=story)
                     .exclude(article=article).order_by("-published_at")
                     .values_list("article_id", flat=True)[:30])
        canonical = _find_duplicate(article, feats, mates)
        if canonical is not None:
            _link_duplicate(article, canonical, None, feats.anchors, counted=True)
    article.save(update_fields=[*fields, "modified_at"])
    _store_related(article, vector)


def _store_signature(article: Article, feats: similarity.Features,
                     vector: Mapping[str, float], *, created: bool) -> None:
    values = {"minhash": similarity.signature_bytes(feats.signature),
              "word_set_size": feats.word_set_size, "vector": dict(vector),
              "anchors": sorted(feats.anchors), "published_at": article.published_at}
    if created:
        # The article row was inserted in this transaction: nothing of it is indexed yet.
        ArticleSignature.objects.create(article=article, **values)
    else:
        ArticleSignature.objects.update_or_create(article=article, defaults=values)
        LshBand.objects.filter(article=article).delete()
    LshBand.objects.bulk_create([LshBand(key=k, article=article, published_at=article.published_at)
                                 for k in feats.bands])


def _store_tags(article: Article, text: str, *, created: bool) -> None:
    """The people, organisations and places the article names, as tags."""
    found = entities.extract(article.headline, text)
    if not created:
        ArticleTag.objects.filter(article=article).delete()
    if not found:
        return
    Tag.objects.bulk_create([Tag(key=e.key, name=e.name[:100], kind=e.kind) for e in found],
                            ignore_conflicts=True)
    ids = dict(Tag.objects.filter(key__in=[e.key for e in found]).values_list("key", "pk"))
    ArticleTag.objects.bulk_create(
        [ArticleTag(article=article, tag_id=ids[e.key], position=i)
         for i, e in enumerate(found) if e.key in ids], ignore_conflicts=True)


def _lsh_candidates(article: Article, bands: list[int]) -> list[int]:
    if not bands:
        return []
    when = article.published_at
    return list(LshBand.objects.filter(
        key__in=bands, published_at__gte=when - DUPLICATE_WINDOW,
        published_at__lte=when + DUPLICATE_WINDOW).exclude(article=article)
        .values_list("article_id", flat=True).distinct()[:MAX_CANDIDATES])


def _vetoed(article: Article) -> set[int]:
    pairs = DuplicateVeto.objects.filter(Q(article=article) | Q(other=article))
    return {a if a != article.pk else o for a, o in pairs.values_list("article_id", "other_id")}


def _find_duplicate(article: Article, feats: similarity.Features,
                    candidate_ids: Sequence[int]) -> Article | None:
    """The canonical article this one copies, or None.

    Stored signatures rule most candidates out cheaply; the few left are compared
    exactly on their text (with their own source's boilerplate removed).
    """
    if not candidate_ids or feats.word_set_size < similarity.MIN_WORDS:
        return None
    vetoed = _vetoed(article)
    rows = (ArticleSignature.objects.filter(article_id__in=candidate_ids)
            .exclude(article__status=Article.Status.KILLED)
            .values_list("article_id", "minhash", "word_set_size"))
    close = [other_id for other_id, data, size in rows
             if other_id not in vetoed and similarity.worth_comparing(
                 feats.signature, feats.word_set_size,
                 similarity.signature_from_bytes(data), size)]
    best, best_score = None, 0.0
    memory = DbLineMemory()
    for other in Article.objects.filter(pk__in=close[:MAX_EXACT]).order_by("published_at", "id"):
        other_feats, _keys = similarity.features(other.headline, article_text(other),
                                                 source=source_key(other), memory=memory)
        score = similarity.copy_score(feats, other_feats)
        if score > best_score:
            best, best_score = other, score
    if best is None:
        return None
    canonical = best.duplicate_of or best
    if canonical.pk in vetoed or canonical.status == Article.Status.KILLED:
        return None
    return canonical


def _link_duplicate(article: Article, canonical: Article, vector, anchors, *,
                    counted: bool = False) -> None:
    """Attach a copy to its canonical article; the earliest copy is canonical."""
    story = canonical.story
    if story is None:
        story = _assign_story(canonical, vector or {}, frozenset(anchors), force_new=True)
        Article.objects.filter(pk=canonical.pk).update(story=story)
    elif not counted:
        # A copy is coverage too: the story counts it and stays open as long.
        Story.objects.filter(pk=story.pk).update(
            size=F("size") + 1,
            last_published_at=Greatest("last_published_at", Value(article.published_at)))
    article.story = story
    if (article.published_at < canonical.published_at and not canonical.intel_locked
            and canonical.kind == article.kind):
        # An earlier copy arrived late: it becomes the one editions show.
        article.duplicate_of = None
        article.save(update_fields=["story", "duplicate_of"])
        Article.objects.filter(Q(pk=canonical.pk) | Q(duplicate_of=canonical)).exclude(
            pk=article.pk).update(duplicate_of=article)
    else:
        article.duplicate_of = canonical


def _story_state(story: Story) -> similarity.StoryState:
    return similarity.StoryState(story.pk, dict(story.centroid), Counter(story.anchors),
                                 story.size, story.last_published_at)


def _assign_story(article: Article, vector: Mapping[str, float], anchors: frozenset[str], *,
                  force_new: bool = False) -> Story:
    when = article.published_at
    chosen = None
    if not force_new and vector:
        story_ids = list(
            StoryTerm.objects.filter(term__in=similarity.query_terms(vector),
                                     last_published_at__gte=when - STORY_PARAMS.window,
                                     last_published_at__lte=when + STORY_PARAMS.window)
            .values("story_id").annotate(hits=Count("id")).order_by("-hits", "story_id")
            .values_list("story_id", flat=True)[:20])
        stories = {s.pk: s for s in Story.objects.filter(pk__in=story_ids)}
        state, _score = similarity.best_story(
            vector, anchors, [_story_state(s) for s in stories.values()], STORY_PARAMS)
        if state is not None:
            chosen = stories[state.story_id]
    if chosen is None:
        chosen = Story.objects.create(headline=article.headline[:500], first_published_at=when,
                                      last_published_at=when, section=article.section)
    state = _story_state(chosen)
    similarity.add_to_centroid(state, vector, anchors)
    chosen.centroid = state.centroid
    chosen.anchors = dict(state.anchors)
    chosen.size = state.size
    chosen.first_published_at = min(chosen.first_published_at, when)
    chosen.last_published_at = max(chosen.last_published_at, when)
    if chosen.section_id is None and article.section_id is not None:
        chosen.section = article.section
    chosen.save()
    _store_story_terms(chosen)
    return chosen


def _store_story_terms(story: Story) -> None:
    """The terms later arrivals find this story by: its centroid's strongest."""
    top = similarity.query_terms(story.centroid, STORY_TERMS_KEPT)
    StoryTerm.objects.filter(story=story).exclude(term__in=top).delete()
    StoryTerm.objects.bulk_create(
        [StoryTerm(term=t, story=story, last_published_at=story.last_published_at)
         for t in top], update_conflicts=True, unique_fields=["term", "story"],
        update_fields=["last_published_at"])


def _split_if_blended(story: Story, article: Article, vector: Mapping[str, float],
                      anchors: frozenset[str]) -> Story:
    """Split a story whose recent members report two look-alike events; the story the
    article ends up in is returned.

    Only canonical members are looked at (copies follow their canonical article), and
    members an editor placed by hand never move: a part holding one stays in the story.
    """
    if story.size < similarity.SPLIT_MIN_SIZE:
        return story
    # The article's own row joins the story now, so the rebuilt stories count it.
    Article.objects.filter(pk=article.pk).update(story=story)
    rows = list(ArticleSignature.objects.filter(
        article__story=story, article__duplicate_of__isnull=True)
        .exclude(article=article).exclude(article__status=Article.Status.KILLED)
        .order_by("-published_at", "-article_id")
        .values_list("article_id", "vector", "anchors", "article__intel_locked",
                     "published_at")[:similarity.SPLIT_WINDOW - 1])
    rows.reverse()
    rows.append((article.pk, dict(vector), sorted(anchors), article.intel_locked,
                 article.published_at))
    parts = similarity.story_parts([row[1] for row in rows])
    if len(parts) < 2:
        return story
    moving = [part for part in parts[1:] if not any(rows[i][3] for i in part)]
    if not moving:
        return story
    landed = story
    for part in moving:
        members = [rows[i] for i in part]
        first = min(members, key=lambda row: (row[4], row[0]))
        headline = (Article.objects.filter(pk=first[0]).values_list("headline", flat=True)
                    .first() or story.headline)
        new = Story.objects.create(headline=headline[:500], first_published_at=first[4],
                                   last_published_at=max(row[4] for row in members),
                                   section=story.section)
        ids = [row[0] for row in members]
        Article.objects.filter(Q(pk__in=ids) | Q(duplicate_of_id__in=ids)).update(story=new)
        _rebuild_story(new)
        if article.pk in ids:
            landed = new
    _rebuild_story(story)
    log.info("story %s split: %s", story.pk,
             ", ".join(str(len(part)) for part in parts))
    landed.refresh_from_db()
    return landed


def _rebuild_story(story: Story) -> None:
    """Centroid, names, size, dates and lookup terms of a story from its members."""
    members = list(ArticleSignature.objects.filter(
        article__story=story, article__duplicate_of__isnull=True)
        .exclude(article__status=Article.Status.KILLED)
        .order_by("published_at", "article_id").values_list("vector", "anchors"))
    state = similarity.story_from_members(story.pk, [m[0] for m in members],
                                          [m[1] for m in members])
    alive = Article.objects.filter(story=story).exclude(status=Article.Status.KILLED)
    dates = alive.aggregate(first=Min("published_at"), last=Max("published_at"))
    story.centroid = state.centroid
    story.anchors = dict(state.anchors)
    story.size = alive.count()
    story.first_published_at = dates["first"] or story.first_published_at
    story.last_published_at = dates["last"] or story.last_published_at
    story.save(update_fields=["centroid", "anchors", "size", "first_published_at",
                              "last_published_at"])
    _store_story_terms(story)


def _store_related(article: Article, vector: Mapping[str, float]) -> None:
    if not vector:
        return
    when = article.published_at
    story_ids = list(
        StoryTerm.objects.filter(term__in=similarity.query_terms(vector),
                                 last_published_at__gte=when - RELATED_WINDOW)
        .exclude(story_id=article.story_id)
        .values("story_id").annotate(hits=Count("id")).order_by("-hits", "story_id")
        .values_list("story_id", flat=True)[:30])
    candidates = [
        similarity.RelatedCandidate(
            story_id=s.pk, similarity=similarity.cosine(vector, s.centroid),
            last_seen=s.last_published_at, section=str(s.section_id or ""))
        for s in Story.objects.filter(pk__in=story_ids)]
    ranked = similarity.rank_related(candidates, own_story=article.story_id,
                                     section=str(article.section_id or ""), now=when)
    RelatedStory.objects.filter(article=article).delete()
    RelatedStory.objects.bulk_create([
        RelatedStory(article=article, story_id=c.story_id, score=c.similarity)
        for c in ranked])


# --- sections --------------------------------------------------------------------------

_classifier_cache: dict[str, object] = {}


def current_classifier() -> SectionClassifier | None:
    latest = SectionModel.objects.order_by("-created_at", "-id").values_list("pk", flat=True)
    model_id = latest.first()
    if model_id is None:
        return None
    if _classifier_cache.get("id") != model_id:
        data = SectionModel.objects.values_list("data", flat=True).get(pk=model_id)
        _classifier_cache.update(id=model_id, model=SectionClassifier.from_bytes(data))
    return _classifier_cache["model"]  # type: ignore[return-value]


def _predict_section(article: Article) -> None:
    classifier = current_classifier()
    if classifier is None:
        return
    slug = classifier.predict(f"{article.headline}\n{article_text(article)}")
    section = Section.objects.filter(slug=slug).first() if slug else None
    if section is not None:
        article.section = section
        article.flags = [*article.flags, PREDICTED]


def sections_train(*, limit: int = TRAINING_LIMIT, progress=None) -> SectionModel:
    """Train the section classifier on this installation's labelled articles.

    Labels come from feed categories (through the section rules) and from editors;
    sections the classifier itself guessed are never fed back as truth.
    """
    texts, labels = [], []
    rows = (Article.objects.filter(section__isnull=False)
            .exclude(status=Article.Status.KILLED)
            .order_by("-published_at").values_list("headline", "body_html", "section__slug",
                                                   "flags"))
    for headline, body_html, slug, flags in rows.iterator(chunk_size=500):
        if PREDICTED in (flags or []):
            continue
        texts.append(f"{headline}\n{html_to_text(body_html)}")
        labels.append(slug)
        if progress is not None and len(texts) % 1000 == 0:
            progress(len(texts))
        if len(texts) >= limit:
            break
    classifier = SectionClassifier.train(texts, labels)
    model = SectionModel.objects.create(labels=classifier.labels,
                                        trained_on=classifier.trained_on,
                                        data=classifier.to_bytes())
    # Older models are kept only as the previous one, for a quick look back.
    old = list(SectionModel.objects.order_by("-created_at", "-id").values_list("pk", flat=True)[2:])
    if old:
        SectionModel.objects.filter(pk__in=old).delete()
    return model


# --- kills and editor decisions ----------------------------------------------------------

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


def articles_merge(*, articles: Sequence[Article]) -> Article:
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
                                         last_published_at=articles[-1].published_at)
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
    canonical.refresh_from_db()
    return canonical


def article_split(*, article: Article) -> Article:
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
                                     section=article.section)
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
    return article
