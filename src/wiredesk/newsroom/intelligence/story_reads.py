"""Stories as SEE ALSO and the story step compare them: rows read by plain SQL, not models.

A candidate story is read for its centroid, names, size, time and section; the ORM would
build a model and decode its JSON each time. Rows read again unchanged are the same
objects (a small per-process memory, by id and every column read), and the stories the term
look-ups find are read as ids and change stamps (set by the database on every write:
newsroom migration 0025), only the rows whose stamp changed in full. Each function states
the ORM query it stands for; ``tests/newsroom/test_intelligence_tables.py`` compares them
on both engines.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from wiredesk.newsroom.intelligence.tables import (
    _ARTICLE,
    _SIGNATURE,
    _STORY,
    _marks,
    _rows,
    _terms_lookup,
)
from wiredesk.newsroom.models import Article, Story
from wiredesk.wire import similarity


@dataclass(frozen=True, slots=True)
class StoryRow:
    """A story as SEE ALSO and the story step compare it, read without building a model
    (its fields under the model's names, so the step takes either). Never to be changed
    in place: the decoded JSON may be shared with other rows read with the same text
    (:func:`story_model` makes the model to change)."""

    pk: int
    centroid: dict
    anchors: dict
    size: int
    last_published_at: datetime
    section_id: int | None
    headline: str
    first_published_at: datetime
    representative_id: int | None
    # The centroid's length (``similarity.norm``), computed once per row read: a row is
    # compared with every article that finds it.
    norm: float


# Decoded centroids and names, by their JSON text: most candidates of one article are
# candidates of the next ones too, unchanged, and decoding them is most of reading them.
_decoded: OrderedDict[str, dict] = OrderedDict()
_DECODED_KEPT = 4096


def _decode(value) -> dict:
    if not isinstance(value, str):  # a driver that decodes JSON itself
        return value
    found = _decoded.get(value)
    if found is None:
        found = _decoded[value] = json.loads(value)
        if len(_decoded) > _DECODED_KEPT:
            _decoded.popitem(last=False)
    else:
        _decoded.move_to_end(value)
    return found


_STORY_COLUMNS = ("id, centroid, anchors, size, last_published_at, section_id, headline,"
                  " first_published_at, representative_id")
_STORY_ORDER = " ORDER BY last_published_at DESC, id DESC"
# On SQLite the two times are read as the stored text (a unary plus leaves the value as it
# is but gives it no declared type, so the driver's converter does not parse it): a row
# read again unchanged is compared as text, and only a changed one is parsed
# (``_story_rows_of``). The driver parsed ~190 times an article, cached rows or not.
_SQLITE_STORY_COLUMNS = ("id, centroid, anchors, size, +last_published_at, section_id,"
                         " headline, +first_published_at, representative_id")


def _story_columns() -> str:
    return _SQLITE_STORY_COLUMNS if connection.vendor == "sqlite" else _STORY_COLUMNS


def story_rows(story_ids: Sequence[int]) -> list[StoryRow]:
    """These stories, in the model's order (last published first, then by id)."""
    if not story_ids:
        return []
    return _story_rows(f"SELECT {_story_columns()} FROM {_STORY}"  # noqa: S608
                       f" WHERE id IN ({_marks(story_ids)}){_STORY_ORDER}", list(story_ids))


def _found_or_also(terms: list[str], *, since: datetime, until: datetime | None,
                   exclude: int | None, limit: int, also: int | None) -> tuple[str, list]:
    """The WHERE of the stories the terms find (``_terms_lookup``) or story ``also``."""
    lookup, params = _terms_lookup(terms, since=since, until=until, exclude=exclude,
                                   limit=limit)
    if also is None:
        return f"id IN ({lookup})", params
    # One list of ids, not ``id IN (...) OR id = %s``: with the OR PostgreSQL read every
    # story row to test it (the whole archive's stories, at each ranking), where the list
    # is looked up by the primary key (as SQLite looks up either).
    return (f"id IN (SELECT story_id FROM ({lookup}) AS found"  # noqa: S608
            " UNION ALL SELECT CAST(%s AS BIGINT))", [*params, also])


def story_rows_by_terms(terms: Sequence[str], *, since: datetime,
                        until: datetime | None = None, exclude: int | None = None,
                        limit: int, also: int | None = None) -> list[StoryRow]:
    """``story_rows(stories_by_terms(terms, ...))``, plus story ``also`` whether the terms
    find it or not, in one statement: the look-up is the statement's subquery."""
    terms = list(terms)
    if not terms:
        return story_rows([also] if also is not None else [])
    where, params = _found_or_also(terms, since=since, until=until, exclude=exclude,
                                   limit=limit, also=also)
    return _rows_by_stamp(_rows(f"SELECT id, change_stamp FROM {_STORY}"  # noqa: S608
                                f" WHERE {where}{_STORY_ORDER}", params))


def _story_rows(sql: str, params: Sequence) -> list[StoryRow]:
    return _story_rows_of(_rows(sql, params))


def _rows_by_stamp(found: Sequence[tuple[int, int]]) -> list[StoryRow]:
    """The rows of the stories ``found`` as (id, change stamp), in that order: a row kept
    with the same stamp is the row kept (the database stamps a row anew on every write:
    migration 0025), the others are read in one statement. A story deleted since it was
    found is left out, as a statement run a moment later would have left it out."""
    rows: dict[int, StoryRow] = {}
    missing = []
    for pk, stamp in found:
        kept = _read_rows.get(pk)
        if stamp and kept is not None and kept[2] == stamp:
            _read_rows.move_to_end(pk)
            rows[pk] = kept[1]
        else:
            missing.append(pk)
    if missing:
        values = _rows(f"SELECT {_story_columns()}, change_stamp FROM {_STORY}"  # noqa: S608
                       f" WHERE id IN ({_marks(missing)})", missing)
        for row in _story_rows_of([row[:-1] for row in values],
                                  stamps=[row[-1] for row in values]):
            rows[row.pk] = row
    return [rows[pk] for pk, _stamp in found if pk in rows]


def _story_rows_of(rows: Sequence[tuple], *, stamps: Sequence[int] | None = None
                   ) -> list[StoryRow]:
    """``stamps``: each row's change stamp, read with it (kept with the row)."""
    convert = connection.ops.convert_datetimefield_value if connection.vendor == "sqlite" \
        else None
    found = []
    for index, values in enumerate(rows):
        pk = values[0]
        stamp = stamps[index] if stamps is not None else 0
        kept = _read_rows.get(pk)
        if kept is not None and kept[0] == values:  # every column equal (texts compared,
            _read_rows.move_to_end(pk)              # not hashed: most rows are unchanged)
            if stamps is not None and stamp != kept[2]:
                _read_rows[pk] = (values, kept[1], stamp)
            found.append(kept[1])
            continue
        pk, centroid, anchors, size, last, section, headline, first, chosen = values
        if convert:
            last, first = convert(last, None, connection), convert(first, None, connection)
        centroid = _decode(centroid)
        row = StoryRow(pk, centroid, _decode(anchors), size, last, section, headline, first,
                       chosen, similarity.norm(centroid))
        _read_rows[pk] = (values, row, stamp)
        if len(_read_rows) > _DECODED_KEPT:
            _read_rows.popitem(last=False)
        found.append(row)
    return found


def story_model(row: StoryRow) -> Story:
    """The story as a model to change and save, made from its row read in this
    transaction: what ``tables.story(row.pk)`` would return, without reading it again,
    but for its creation time, left deferred (never changed after the INSERT, read from
    the table if asked for). Its centroid and names are copies (the row's may be shared)."""
    return Story.from_db(connection.alias, _MODEL_FIELDS, [
        row.pk, row.headline, row.first_published_at, row.last_published_at, row.size,
        row.section_id, dict(row.centroid), dict(row.anchors), row.representative_id])


_MODEL_FIELDS = ["id", "headline", "first_published_at", "last_published_at", "size",
                 "section_id", "centroid", "anchors", "representative_id"]


# Story rows as read, by id with every column read and the change stamp read with them (0
# when none was): a row read again unchanged is the same ``StoryRow`` (its time not
# converted again, its JSON not looked up again), and a row found again with the same
# stamp is not read again at all (``_rows_by_stamp``).
_read_rows: OrderedDict[int, tuple[tuple, StoryRow, int]] = OrderedDict()


# Members' decoded vectors and names, by their JSON text (kept apart from the stories': the
# members of the stories compared for a merge outnumber them). Two texts a member: 4,096
# held about 2,000 members, fewer than the joins, splits and merges of a busy day meet,
# so a long-running stage decoded the same members again and again (15 an article at the
# tail of a 10,000-item burst; 3.4 with this bound, about 20 MB more; BENCHMARKS.md).
_MEMBERS_DECODED_KEPT = 16384
_members_decoded: OrderedDict[str, object] = OrderedDict()


def _decode_member(value):
    if not isinstance(value, str):
        return value
    found = _members_decoded.get(value)
    if found is None:
        found = _members_decoded[value] = json.loads(value)
        if len(_members_decoded) > _MEMBERS_DECODED_KEPT:
            _members_decoded.popitem(last=False)
    else:
        _members_decoded.move_to_end(value)
    return found


def recent_members(story_id: int, *, limit: int) -> list[tuple[dict, list]]:
    """(vector, anchors) of the story's newest canonical live members that have a
    signature, newest first (then the highest id), at most ``limit``. Stands for
    ``ArticleSignature.objects.filter(article__story=story_id,
    article__duplicate_of__isnull=True).exclude(article__status=KILLED)
    .order_by("-published_at", "-article_id").values_list("vector", "anchors")[:limit]``.
    A merge compares a story's members with each candidate's, again for each article the
    story gains: their JSON is decoded once, and the values are shared, never to be changed.
    """
    rows = _rows(f"SELECT s.vector, s.anchors FROM {_SIGNATURE} s"  # noqa: S608
                 f" INNER JOIN {_ARTICLE} a ON s.article_id = a.id"
                 " WHERE a.story_id = %s AND a.duplicate_of_id IS NULL AND NOT (a.status = %s)"
                 f" ORDER BY s.published_at DESC, s.article_id DESC LIMIT {int(limit)}",
                 [story_id, Article.Status.KILLED.value])
    return [(_decode_member(vector), _decode_member(anchors)) for vector, anchors in rows]


def all_members(story_id: int) -> list[tuple[dict, list]]:
    """(vector, anchors) of all the story's canonical live members that have a signature,
    oldest first (then the lowest id): what a story is rebuilt from. Stands for
    ``ArticleSignature.objects.filter(article__story=story_id,
    article__duplicate_of__isnull=True).exclude(article__status=KILLED)
    .order_by("published_at", "article_id").values_list("vector", "anchors")``; vectors
    and names shared as ``recent_members``'."""
    rows = _rows(f"SELECT s.vector, s.anchors FROM {_SIGNATURE} s"  # noqa: S608
                 f" INNER JOIN {_ARTICLE} a ON s.article_id = a.id"
                 " WHERE a.story_id = %s AND a.duplicate_of_id IS NULL AND NOT (a.status = %s)"
                 " ORDER BY s.published_at ASC, s.article_id ASC",
                 [story_id, Article.Status.KILLED.value])
    return [(_decode_member(vector), _decode_member(anchors)) for vector, anchors in rows]


def live_span(story_id: int) -> tuple[int, datetime | None, datetime | None]:
    """How many of the story's articles are not killed (copies too), and the first and last
    publication among them (None when none is). Stands for ``alive.count()`` and
    ``alive.aggregate(Min("published_at"), Max("published_at"))`` of
    ``Article.objects.filter(story=story_id).exclude(status=KILLED)``, in one statement."""
    count, first, last = _rows(
        f"SELECT count(*), min(published_at), max(published_at) FROM {_ARTICLE}"  # noqa: S608
        " WHERE story_id = %s AND NOT (status = %s)",
        [story_id, Article.Status.KILLED.value])[0]
    if connection.vendor == "sqlite":  # an aggregate's value has no declared type: text
        convert = connection.ops.convert_datetimefield_value
        first, last = (convert(value, None, connection) if value is not None else None
                       for value in (first, last))
    return count, first, last


def split_members(story_id: int, *, article_id: int, limit: int
                  ) -> list[tuple[int, dict, list, bool, datetime]]:
    """(article id, vector, anchors, placed by an editor, publication time) of the story's
    newest canonical live members with a signature but ``article_id``, newest first (then
    the highest id), at most ``limit``: what a blend check splits. Stands for
    ``ArticleSignature.objects.filter(article__story=story_id,
    article__duplicate_of__isnull=True).exclude(article=article_id)
    .exclude(article__status=KILLED).order_by("-published_at", "-article_id")
    .values_list("article_id", "vector", "anchors", "article__intel_locked",
    "published_at")[:limit]``; vectors and names shared as ``recent_members``'."""
    rows = _rows(f"SELECT s.article_id, s.vector, s.anchors, a.intel_locked, s.published_at"  # noqa: S608
                 f" FROM {_SIGNATURE} s INNER JOIN {_ARTICLE} a ON s.article_id = a.id"
                 " WHERE a.story_id = %s AND a.duplicate_of_id IS NULL AND NOT (a.id = %s)"
                 " AND NOT (a.status = %s)"
                 f" ORDER BY s.published_at DESC, s.article_id DESC LIMIT {int(limit)}",
                 [story_id, article_id, Article.Status.KILLED.value])
    convert = connection.ops.convert_datetimefield_value if connection.vendor == "sqlite" \
        else None
    return [(pk, _decode_member(vector), _decode_member(anchors), bool(locked),
             convert(when, None, connection) if convert else when)
            for pk, vector, anchors, locked, when in rows]


def representative_candidates(story_id: int, *, current: int | None, limit: int
                              ) -> list[tuple[int, str, dict]]:
    """(article id, headline, vector) of a story's canonical live members that have a
    signature: the current representative first, then newest first (then highest id), at
    most ``limit``. Stands for ``ArticleSignature.objects.filter(article__story=story_id,
    article__duplicate_of__isnull=True).exclude(article__status=KILLED)`` ordered by
    ``current`` (0 for the representative, 1 for the others: ``Case(When(...))``),
    ``-published_at``, ``-article_id``, ``.values_list("article_id", "article__headline",
    "vector")[:limit]``. The vectors are decoded once per text and shared
    (``recent_members``): never to be changed."""
    order = "s.published_at DESC, s.article_id DESC"
    params: list = [story_id, Article.Status.KILLED.value]
    if current is not None:
        order = f"CASE WHEN s.article_id = %s THEN 0 ELSE 1 END ASC, {order}"
        params.append(current)
    rows = _rows(f"SELECT s.article_id, a.headline, s.vector FROM {_SIGNATURE} s"  # noqa: S608
                 f" INNER JOIN {_ARTICLE} a ON s.article_id = a.id"
                 " WHERE a.story_id = %s AND a.duplicate_of_id IS NULL"
                 f" AND NOT (a.status = %s) ORDER BY {order} LIMIT {int(limit)}", params)
    return [(pk, headline, _decode_member(vector)) for pk, headline, vector in rows]
