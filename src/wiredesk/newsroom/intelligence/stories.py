"""Stories in the database: an article joins (or starts) one, blends are split, fragments
of one event are merged, and each story's representative article is chosen again as it
grows.

The decisions are the pure functions of ``wiredesk.wire.similarity`` (its ``stories`` and
``parts`` modules); this module feeds them from the story tables and writes their answers
back, inside the transaction that enriches the article (``enrich``).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping

from django.db.models import Q

from wiredesk.newsroom import saves
from wiredesk.newsroom.intelligence import story_reads, tables
from wiredesk.newsroom.models import Article, Story, StoryMerged
from wiredesk.wire import similarity

log = logging.getLogger(__name__)

STORY_PARAMS = similarity.StoryParams()
STORY_TERMS_KEPT = 2 * similarity.QUERY_TERMS
# What joining a story changes of it (all its columns but the id and creation time).
STORY_FIELDS = ("headline", "first_published_at", "last_published_at", "size", "section",
                "centroid", "anchors", "representative")


def story_state(story: Story | story_reads.StoryRow) -> similarity.StoryState:
    return similarity.StoryState(story.pk, dict(story.centroid), Counter(story.anchors),
                                 story.size, story.last_published_at)


def read_state(row: story_reads.StoryRow) -> similarity.StoryState:
    """A story row as a state to be read, never changed: its decoded centroid and names
    themselves (shared with other reads of the same text), not copies as ``story_state``
    makes for a story that is to change."""
    return similarity.StoryState(row.pk, row.centroid, row.anchors, row.size,
                                 row.last_published_at, row.norm)


def assign_story(article: Article, vector: Mapping[str, float], anchors: frozenset[str], *,
                  force_new: bool = False) -> Story:
    when = article.published_at
    chosen = None
    if not force_new and vector:
        rows = story_reads.story_rows_by_terms(
            similarity.query_terms(vector), since=when - STORY_PARAMS.window,
            until=when + STORY_PARAMS.window, limit=20)
        # Compared as rows (their JSON decoded once per distinct text, read as they are:
        # ``best_story`` changes nothing); only the one chosen is made a model, to be
        # changed and saved (from its row: read in this transaction, it is the table's).
        state, _score = similarity.best_story(
            vector, anchors, [read_state(s) for s in rows], STORY_PARAMS)
        if state is not None:
            chosen = story_reads.story_model(next(s for s in rows if s.pk == state.story_id))
    if chosen is None:
        # Saved once below, with its centroid: one INSERT, no UPDATE after it.
        chosen = Story(headline=article.headline[:500], first_published_at=when,
                       last_published_at=when, section_id=article.section_id,
                       representative=article, centroid={}, anchors={}, size=0)
        newcomer = None
    else:
        # The article is not the story's member in the table yet: it is compared as given.
        newcomer = (article.pk, article.headline, dict(vector))
    state = story_state(chosen)
    similarity.add_to_centroid(state, vector, anchors)
    chosen.centroid = state.centroid
    chosen.anchors = dict(state.anchors)
    chosen.size = state.size
    chosen.first_published_at = min(chosen.first_published_at, when)
    chosen.last_published_at = max(chosen.last_published_at, when)
    if chosen.section_id is None and article.section_id is not None:
        chosen.section_id = article.section_id
    if newcomer is not None:
        choose_representative(chosen, newcomer)
    # ``chosen.save()`` as one plain INSERT or UPDATE (the story's other column, its
    # creation time, is never changed here).
    new = chosen.pk is None
    if new:
        saves.save_new(chosen)
    else:
        saves.save_fields(chosen, STORY_FIELDS)
    store_story_terms(chosen, new=new)
    return chosen


def choose_representative(story: Story, newcomer: tuple[int, str, dict] | None = None
                          ) -> None:
    """Make the member nearest the story's centroid its representative: the story's
    headline (and with it the address, whose old form redirects) and summary are its.

    The recent canonical members are compared (as many as a split looks at), the current
    representative first so that it keeps its place on a tie; ``newcomer`` is an article
    joining now, as (id, headline, vector). Sets the fields; the caller saves.
    """
    rows = story_reads.representative_candidates(story.pk, current=story.representative_id,
                                            limit=similarity.SPLIT_WINDOW)
    if newcomer is not None and all(row[0] != newcomer[0] for row in rows):
        rows.append(newcomer)
    chosen = similarity.representative([row[2] for row in rows], story.centroid)
    if chosen is None:
        return
    story.representative_id = rows[chosen][0]
    story.headline = rows[chosen][1][:500]


def store_story_terms(story: Story, *, new: bool = False) -> None:
    """The terms later arrivals find this story by: its centroid's strongest. ``new``: a
    story just inserted, with no terms stored yet."""
    tables.store_story_terms(story.pk, similarity.query_terms(story.centroid, STORY_TERMS_KEPT),
                             story.last_published_at, new=new)


def split_if_blended(story: Story, article: Article, vector: Mapping[str, float],
                      anchors: frozenset[str]) -> Story:
    """Split a story whose recent members report two look-alike events; the story the
    article ends up in is returned.

    Only canonical members are looked at (copies follow their canonical article), and
    members an editor placed by hand never move: a part holding one stays in the story.
    """
    if story.size < similarity.SPLIT_MIN_SIZE:
        return story
    # The article's own row joins the story now, so the rebuilt stories count it.
    tables.set_story(article.pk, story.pk)
    rows = story_reads.split_members(story.pk, article_id=article.pk,
                                     limit=similarity.SPLIT_WINDOW - 1)
    rows.reverse()
    rows.append((article.pk, dict(vector), sorted(anchors), article.intel_locked,
                 article.published_at))
    parts = similarity.story_parts([row[1] for row in rows], [row[2] for row in rows],
                                   name_separation=STORY_PARAMS.name_separation,
                                   year_weight=STORY_PARAMS.year_weight)
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
                                   section_id=story.section_id)
        ids = [row[0] for row in members]
        Article.objects.filter(Q(pk__in=ids) | Q(duplicate_of_id__in=ids)).update(story=new)
        rebuild_story(new)
        if article.pk in ids:
            landed = new
    rebuild_story(story)
    log.info("story %s split: %s", story.pk,
             ", ".join(str(len(part)) for part in parts))
    landed.refresh_from_db()
    return landed


def merge_fragment(story: Story, article: Article) -> Story:
    """Merge a story that just grew (``article`` joined it) with another story reporting
    the same event (a fragment left by single-pass clustering); the story that stays is
    returned.

    Candidates are the stories its lookup terms find within the window whose centroid it
    could have joined (cosine at least the join threshold); the nearest whose members
    :func:`similarity.same_event` calls one event with its own is merged. The older story
    stays; a story holding a member an editor placed by hand never goes.
    """
    if not STORY_PARAMS.merge_names or story.size < similarity.MERGE_MIN_SIZE:
        return story
    # The article's own row joins the story now, so it is compared and moved with it.
    tables.set_story(article.pk, story.pk)
    window = STORY_PARAMS.window
    rows = story_reads.story_rows_by_terms(
        similarity.query_terms(story.centroid), since=story.first_published_at - window,
        until=story.last_published_at + window, exclude=story.pk, limit=20)
    # Compared as rows; only a story to be merged is made a model (from its row, read in
    # this transaction).
    own_norm = similarity.norm(story.centroid)
    candidates = sorted(
        ((similarity.cosine(story.centroid, other.centroid, own_norm, other.norm), other)
         for other in rows if other.size >= similarity.MERGE_MIN_SIZE),
        key=lambda scored: (-scored[0], scored[1].pk))
    own = None
    for score, row in candidates:
        if score < STORY_PARAMS.join:
            break
        own = own if own is not None else _recent_members(story.pk)
        if not similarity.same_event(own, _recent_members(row.pk),
                                     name_agreement=STORY_PARAMS.merge_names,
                                     year_weight=STORY_PARAMS.year_weight):
            continue
        other = story_reads.story_model(row)
        keep, gone = sorted((story, other), key=lambda s: (s.first_published_at, s.pk))
        if Article.objects.filter(story=gone, intel_locked=True).exists():
            keep, gone = gone, keep
            if Article.objects.filter(story=gone, intel_locked=True).exists():
                continue
        Article.objects.filter(story=gone).update(story=keep)
        log.info("story %s merged into story %s", gone.pk, keep.pk)
        # Its address leads on to the story that stays (so do those merged into it).
        StoryMerged.objects.filter(story=gone).update(story=keep)
        StoryMerged.objects.create(old_story_id=gone.pk, story=keep)
        gone.delete()
        rebuild_story(keep)
        return keep
    return story


def _recent_members(story_id: int) -> list[tuple[dict, list]]:
    """(vector, anchors) of a story's recent canonical members, oldest first."""
    rows = story_reads.recent_members(story_id, limit=similarity.SPLIT_WINDOW)
    rows.reverse()
    return rows


def rebuild_story(story: Story) -> None:
    """Centroid, names, size, dates and lookup terms of a story from its members."""
    members = story_reads.all_members(story.pk)
    state = similarity.story_from_members(story.pk, [m[0] for m in members],
                                          [m[1] for m in members])
    size, first, last = story_reads.live_span(story.pk)
    story.centroid = state.centroid
    story.anchors = dict(state.anchors)
    story.size = size
    story.first_published_at = first or story.first_published_at
    story.last_published_at = last or story.last_published_at
    choose_representative(story)
    saves.save_fields(story, ["centroid", "anchors", "size", "first_published_at",
                               "last_published_at", "representative", "headline"])
    store_story_terms(story)
