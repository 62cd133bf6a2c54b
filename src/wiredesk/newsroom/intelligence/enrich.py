"""Story intelligence for a stored article: duplicates, stories, related links.

The decisions are made by the pure functions in ``wiredesk.wire.similarity``; this module
feeds them from indexed tables and writes their answers back. It runs inside the ingest
transaction of the article it enriches, or, with ``WIREDESK_INTELLIGENCE=deferred``, in the
intelligence stage's own transaction for it (``newsroom.services.enrichment``).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import timedelta

from django.db.models import Q

from wiredesk.newsroom import saves
from wiredesk.newsroom.intelligence import candidates, story_reads, tables
from wiredesk.newsroom.intelligence.candidates import candidate_features
from wiredesk.newsroom.intelligence.sections import predict_section
from wiredesk.newsroom.intelligence.store import (
    DbFrequencies,
    DbLineMemory,
    article_text,
    source_key,
)
from wiredesk.newsroom.intelligence.stories import (
    assign_story,
    merge_fragment,
    read_state,
    split_if_blended,
    story_state,
)
from wiredesk.newsroom.models import (
    Agency,
    Article,
    ArticleSignature,
    ArticleTag,
    LshBand,
    Story,
)
from wiredesk.wire import entities, similarity

log = logging.getLogger(__name__)

DUPLICATE_WINDOW = timedelta(days=3)  # copies of one item arrive within days of each other
RELATED_WINDOW = timedelta(days=30)
RELATED_CANDIDATES = 30  # stories found through the lookup terms, then compared
MAX_CANDIDATES = 500
MAX_EXACT = 20  # candidates compared on their full text
# Names that are never tags besides the agencies' (``never_tag_names``): a layer above the
# newsroom adds its own here when its app is ready (editions: the editions' names).
NEVER_TAG_SOURCES: list[Callable[[], Iterable[str]]] = []


def enrich_article(article: Article, *, created: bool) -> None:
    """Duplicate check, story, related stories and section for one stored article.

    On an update of an article already enriched only its signature is refreshed: the
    story and duplicate links stay as they were decided (or as an editor set them).
    """
    memory = _AnsweredLineMemory()
    text = article_text(article)
    feats, keys = similarity.features(article.headline, text,
                                      source=source_key(article), memory=memory)
    candidates.keep(article, text, keys, memory.answer, feats)
    if created:
        memory.remember(source_key(article), keys)
    frequencies = DbFrequencies()
    if created or not ArticleSignature.objects.filter(article=article).exists():
        frequencies.add(feats.term_counts)
    frequencies.prefetch(feats.term_counts)  # the total with them: one query
    vector = similarity.tfidf_vector(feats, frequencies)
    bands = feats.bands  # made once (a property: each band's digest computed again)
    _store_signature(article, feats, vector, bands, created=created)
    _store_tags(article, text, created=created)
    if not created and article.story_id is not None:
        return
    fields = ["story", "duplicate_of", "section", "flags"]
    if article.section_id is None:
        predict_section(article)
    canonical = _find_duplicate(article, feats, _lsh_candidates(article, bands))
    if canonical is not None:
        _link_duplicate(article, canonical, vector, feats.anchors)
    else:
        story = assign_story(article, vector, feats.anchors)
        article.story = story
        story = split_if_blended(story, article, vector, feats.anchors)
        article.story = story
        story = merge_fragment(story, article)
        article.story = story
        mates = tables.story_mates(story.pk, article_id=article.pk, limit=30)
        canonical = _find_duplicate(article, feats, mates)
        if canonical is not None:
            _link_duplicate(article, canonical, None, feats.anchors, counted=True)
    # ``article.save(update_fields=...)`` as one plain UPDATE, its signals sent as save()
    # sends them (the receivers: search index, edition stamps, change stream).
    saves.save_fields(article, [*fields, "modified_at"])
    _store_related(article)


class _AnsweredLineMemory(DbLineMemory):
    """The database's line memory, keeping its answer: which of the item's short lines
    its source repeats (none when it was not asked: no short lines)."""

    answer: frozenset[int] = frozenset()

    def repeated(self, source: str, keys: Sequence[int]) -> set[int]:
        found = super().repeated(source, keys)
        self.answer = frozenset(found)
        return found


def _store_signature(article: Article, feats: similarity.Features,
                     vector: Mapping[str, float], bands: list[int], *, created: bool) -> None:
    values = {"minhash": similarity.signature_bytes(feats.signature),
              "word_set_size": feats.word_set_size, "vector": dict(vector),
              "anchors": sorted(feats.anchors), "published_at": article.published_at}
    if created:
        # The article row was inserted in this transaction: nothing of it is indexed yet.
        tables.insert_signature(article.pk, **values)
    else:
        ArticleSignature.objects.update_or_create(article=article, defaults=values)
        LshBand.objects.filter(article=article).delete()
    tables.store_bands(article.pk, bands, article.published_at)


# Read once per process and kept: agencies and editions are added a few times a year, and
# ingest must not pay two queries per item for them. A save or delete in this process
# forgets the list at once (``forget_never_tag_names``); other processes re-read it after
# NEVER_TAG_TTL seconds.
NEVER_TAG_TTL = 300.0
_never_tag: tuple[float, frozenset[str]] | None = None


def never_tag_names() -> frozenset[str]:
    """The agencies' codes and names and the editions' names: the copy's source and the
    publication, never what an article is about ("RFE", "Chile Sun")."""
    global _never_tag
    now = time.monotonic()
    if _never_tag is not None and now < _never_tag[0]:
        return _never_tag[1]
    names = {n for pair in Agency.objects.values_list("code", "name") for n in pair}
    for source in NEVER_TAG_SOURCES:
        names.update(source())
    _never_tag = (now + NEVER_TAG_TTL, frozenset(names))
    return _never_tag[1]


def forget_never_tag_names(**_signal) -> None:
    """Re-read the never-tag names at the next item (connected to agency and edition saves)."""
    global _never_tag
    _never_tag = None


def _store_tags(article: Article, text: str, *, created: bool) -> None:
    """The people, organisations and places the article names, as tags."""
    found = entities.extract(article.headline, text, language=article.language,
                             not_names=never_tag_names())
    if not created:
        ArticleTag.objects.filter(article=article).delete()
    if not found:
        return
    tables.tag_article(article.pk, [(e.key, e.name[:100], e.kind, e.country) for e in found])


def _lsh_candidates(article: Article, bands: list[int]) -> list[int]:
    if not bands:
        return []
    when = article.published_at
    return tables.lsh_candidates(bands, article_id=article.pk, since=when - DUPLICATE_WINDOW,
                                 until=when + DUPLICATE_WINDOW, limit=MAX_CANDIDATES)


def _find_duplicate(article: Article, feats: similarity.Features,
                    candidate_ids: Sequence[int]) -> Article | None:
    """The canonical article this one copies, or None.

    Stored signatures rule most candidates out cheaply; the few left are compared
    exactly on their text (with their own source's boilerplate removed).
    """
    if not candidate_ids or feats.word_set_size < similarity.MIN_WORDS:
        return None
    vetoed = tables.vetoed(article.pk)
    rows = tables.live_signatures(candidate_ids)
    close = [other_id for other_id, data, size in rows
             if other_id not in vetoed and similarity.worth_comparing(
                 feats.signature, feats.word_set_size,
                 similarity.signature_from_bytes(data), size)]
    best, best_score = None, 0.0
    others = tables.articles_by_date(close[:MAX_EXACT])
    for other, other_feats in zip(others, candidate_features(others), strict=True):
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
    story = tables.story(canonical.story_id) if canonical.story_id is not None else None
    if story is None:
        story = assign_story(canonical, vector or {}, frozenset(anchors), force_new=True)
        tables.set_story(canonical.pk, story.pk)
    elif not counted:
        # A copy is coverage too: the story counts it and stays open as long.
        tables.count_copy(story.pk, article.published_at)
    article.story = story
    if (article.published_at < canonical.published_at and not canonical.intel_locked
            and canonical.kind == article.kind):
        # An earlier copy arrived late: it becomes the one editions show.
        article.duplicate_of = None
        saves.save_fields(article, ["story", "duplicate_of"])
        Article.objects.filter(Q(pk=canonical.pk) | Q(duplicate_of=canonical)).exclude(
            pk=article.pk).update(duplicate_of=article)
    else:
        article.duplicate_of = canonical


def _store_related(article: Article) -> None:
    """SEE ALSO of the article's story, ranked again now that it grew; then each story it
    picked is ranked again too, so an older story learns of the newer one."""
    if article.story_id is None:
        return
    story = article.story  # as clustering just saved it
    ranked, compared = _rank_related(story, article.pk, when=article.published_at)
    picked = [c.story_id for c in ranked[:similarity.REVERSE_LINKS]]
    if not picked:
        return
    # Each picked story's newest shown article holds its rows: one query for all of them.
    # The stories themselves were read for the ranking just now and nothing wrote them since.
    newest = tables.newest_shown(picked)
    for story_id in picked:
        other = compared.get(story_id)
        if other is not None and story_id in newest:
            _rank_related(other, newest[story_id], when=article.published_at, also=story.pk)


def _rank_related(story: Story | story_reads.StoryRow, holder_id: int, *, when,
                  also: int | None = None
                  ) -> tuple[list[similarity.RelatedCandidate], dict[int, story_reads.StoryRow]]:
    """Rank other stories for ``story`` (the pure rules in ``wire.similarity.related``) and
    store the answer as the story's rows, held by article ``holder_id``, one of its articles.
    Returns the ranking and the stories compared, by id.

    ``also``: a story compared whether or not the lookup finds it (the one that picked
    this story: what makes one story the other's SEE ALSO need not make it findable)."""
    if not story.centroid:
        return [], {}
    others = story_reads.story_rows_by_terms(
        similarity.query_terms(story.centroid, similarity.RELATED_QUERY_TERMS),
        since=when - RELATED_WINDOW, exclude=story.pk, limit=RELATED_CANDIDATES, also=also)
    candidates = similarity.story_candidates(
        story_state(story), [read_state(s) for s in others],
        sections={s.pk: str(s.section_id or "") for s in others},
        stems=[_stemmed(s) for s in others],
        # A story read as a row (one a new SEE ALSO picked, unchanged since) has kept stems.
        own_stems=_stemmed(story) if isinstance(story, story_reads.StoryRow) else None,
        # Stories that cannot clear rank_related's floor (its defaults) are not made into
        # candidates: rank_related would leave them out.
        floor=(similarity.RELATED_FLOOR, similarity.FLOOR_NAME_WEIGHT))
    # How many other stories show each already (the diversity rule), asked only for the
    # candidates the ranking will score: of the ~30 the terms find, most fall under its
    # floor, and counting theirs was a third of the database's work in the stage.
    scored = [c.story_id for c in candidates if similarity.may_rank(c, own_story=story.pk)]
    if scored:
        picks = tables.related_picks(scored, own_story=story.pk)
        candidates = [dataclasses.replace(c, picks=picks.get(c.story_id, 0))
                      if c.story_id in picks else c for c in candidates]
    ranked = similarity.rank_related(candidates, own_story=story.pk,
                                     section=str(story.section_id or ""), now=when)
    tables.replace_related(story.pk, holder_id, [(c.story_id, c.score) for c in ranked])
    return ranked, {s.pk: s for s in others}


# Each candidate story's stems (``similarity.stemmed_story``), by the identity of its decoded
# centroid and names: rows read with unchanged JSON share those objects
# (``story_reads.story_rows``), so a story met again by the next ranking is not stemmed again. The
# objects are held with their stems, so an id is never reused while its entry lives.
_stems: OrderedDict[tuple[int, int], tuple[dict, dict, object]] = OrderedDict()
_STEMS_KEPT = 4096


def _stemmed(row: story_reads.StoryRow):
    key = (id(row.centroid), id(row.anchors))
    found = _stems.get(key)
    if found is not None and found[0] is row.centroid and found[1] is row.anchors:
        _stems.move_to_end(key)
        return found[2]
    stems = similarity.stemmed_story(row.centroid, row.anchors)
    _stems[key] = (row.centroid, row.anchors, stems)
    if len(_stems) > _STEMS_KEPT:
        _stems.popitem(last=False)
    return stems
