"""The intelligence step's hottest reads and writes, as plain SQL.

Building and compiling a query through the ORM costs about a millisecond of Python per
statement here, many times what SQLite or PostgreSQL then spend answering it, and the step
runs a dozen of these for every article (issue 16: the stage is to keep up with a burst).
Each function states the ORM query it stands for; ``tests/newsroom/test_intelligence_tables.py``
holds them to it on both engines. The SQL is written for both (``ON CONFLICT`` needs
SQLite 3.24+); table names come from the models, values are always parameters.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import connection

from wiredesk.newsroom.models import (
    Article,
    ArticleSignature,
    ArticleTag,
    DuplicateVeto,
    LshBand,
    RelatedStory,
    SourceLine,
    Story,
    StoryTerm,
    Tag,
    TermFrequency,
)

_ARTICLE = Article._meta.db_table
_LSH = LshBand._meta.db_table
_RELATED = RelatedStory._meta.db_table
_STORY_TERM = StoryTerm._meta.db_table
_TERM_FREQUENCY = TermFrequency._meta.db_table
_SOURCE_LINE = SourceLine._meta.db_table
_VETO = DuplicateVeto._meta.db_table
_STORY = Story._meta.db_table
_TAG = Tag._meta.db_table
_ARTICLE_TAG = ArticleTag._meta.db_table
# Stay under SQLite's limit of variables in one statement (32,766 since 3.32; older: 999).
_CHUNK = 900


def _marks(values: Sequence) -> str:
    return ", ".join(["%s"] * len(values))


def _when(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


# PostgreSQL: rows per multi-row INSERT (at most 65,535 parameters in one statement).
_PG_INSERT_PARAMS = 30_000


def insert_rows(cursor, head: str, rows: Sequence[Sequence], tail: str = "", *,
                types: Sequence[str] = ()) -> None:
    """``head`` (``INSERT INTO table (columns)``) for each of ``rows``, then ``tail`` (an
    ``ON CONFLICT`` clause): the rows go in in their order. SQLite: ``executemany`` (one
    statement prepared once, run for each row, in C). PostgreSQL: one multi-row ``VALUES``
    per few thousand rows — psycopg's ``executemany`` sends each row as a query of its own,
    whose Python cost per row was most of the stage's on PostgreSQL — or, given the
    columns' SQL ``types``, one array per column unnested: a statement of the same short
    text whatever the number of rows, which the server parses and plans without a
    constant per value (the stage's batch of term counts, thousands of rows). The rows of
    one statement must not conflict with each other under a ``DO UPDATE`` (callers' keys
    are distinct)."""
    if not rows:
        return
    width = len(rows[0])
    one = f"({', '.join(['%s'] * width)})"
    if connection.vendor != "postgresql":
        cursor.executemany(f"{head} VALUES {one}{tail}", rows)
        return
    if types:
        names = ", ".join(f"c{n}" for n in range(width))
        arrays = ", ".join(f"%s::{kind}[]" for kind in types)
        # WITH ORDINALITY and ORDER BY: the rows go in in the order given (a fixed
        # order keeps concurrent upserts from deadlocking).
        cursor.execute(f"{head} SELECT {names} FROM unnest({arrays}) WITH ORDINALITY"  # noqa: S608
                       f" AS given({names}, n) ORDER BY n{tail}",
                       [list(column) for column in zip(*rows, strict=True)])
        return
    per = max(1, _PG_INSERT_PARAMS // width)
    for start in range(0, len(rows), per):
        part = rows[start:start + per]
        cursor.execute(f"{head} VALUES {', '.join([one] * len(part))}{tail}",
                       [value for row in part for value in row])


def _rows(sql: str, params: Sequence) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _terms_lookup(terms: Sequence[str], *, since: datetime, until: datetime | None,
                  exclude: int | None, limit: int) -> tuple[str, list]:
    where, params = [f"term IN ({_marks(terms)})", "last_published_at >= %s"], \
        [*terms, _when(since)]
    if until is not None:
        where.append("last_published_at <= %s")
        params.append(_when(until))
    if exclude is not None:
        where.append("story_id <> %s")
        params.append(exclude)
    # count(*), not count(id): the same number (the key is never NULL) without reading
    # the key of each of the ~500 postings (5% of the look-ups' time at a burst's tail).
    sql = (f"SELECT story_id FROM {_STORY_TERM} WHERE {' AND '.join(where)}"  # noqa: S608
           f" GROUP BY story_id ORDER BY count(*) DESC, story_id ASC LIMIT {int(limit)}")
    return sql, params


def stories_by_terms(terms: Sequence[str], *, since: datetime, until: datetime | None = None,
                     exclude: int | None = None, limit: int) -> list[int]:
    """Stories holding the most of ``terms`` among those last published in the window,
    most hits first, then by id. Stands for ``StoryTerm.objects.filter(term__in=terms,
    last_published_at__gte=since[, __lte=until]).exclude(story_id=exclude)
    .values("story_id").annotate(hits=Count("id")).order_by("-hits", "story_id")``."""
    terms = list(terms)
    if not terms:
        return []
    sql, params = _terms_lookup(terms, since=since, until=until, exclude=exclude, limit=limit)
    return [row[0] for row in _rows(sql, params)]


def store_story_terms(story_id: int, terms: Sequence[str], last_published_at: datetime,
                      *, new: bool = False) -> None:
    """The story's lookup terms become ``terms``, each stamped with the story's last
    publication: the others deleted, these inserted or re-stamped. ``new``: a story
    inserted in this transaction, which has none to delete."""
    with connection.cursor() as cursor:
        if terms:
            if not new:
                cursor.execute(f"DELETE FROM {_STORY_TERM} WHERE story_id = %s"  # noqa: S608
                               f" AND term NOT IN ({_marks(terms)})", [story_id, *terms])
            when = _when(last_published_at)
            insert_rows(cursor, f"INSERT INTO {_STORY_TERM} (term, story_id, last_published_at)",
                        [(term, story_id, when) for term in dict.fromkeys(terms)],
                        " ON CONFLICT (term, story_id) DO UPDATE"
                        " SET last_published_at = excluded.last_published_at"
                        # A term already stamped so is left alone, not rewritten with
                        # its index entries (a fifth of them at a burst's tail).
                        f" WHERE {_STORY_TERM}.last_published_at"
                        " <> excluded.last_published_at")
        elif not new:
            cursor.execute(f"DELETE FROM {_STORY_TERM} WHERE story_id = %s",  # noqa: S608
                           [story_id])


def related_picks(story_ids: Sequence[int], *, own_story: int) -> dict[int, int]:
    """For each of ``story_ids``, how many stories other than ``own_story`` already show it
    as SEE ALSO. Stands for ``RelatedStory.objects.filter(story_id__in=story_ids)
    .exclude(article__story=own_story).values("story_id")
    .annotate(n=Count("article__story", distinct=True))``."""
    if not story_ids:
        return {}
    sql = (f"SELECT r.story_id, count(DISTINCT a.story_id) FROM {_RELATED} r"  # noqa: S608
           f" JOIN {_ARTICLE} a ON a.id = r.article_id"
           f" WHERE r.story_id IN ({_marks(story_ids)})"
           " AND (a.story_id IS NULL OR a.story_id <> %s) GROUP BY r.story_id")
    return dict(_rows(sql, [*story_ids, own_story]))


def replace_related(story_id: int, holder_id: int, picks: Iterable[tuple[int, float]]
                    ) -> None:
    """The story's SEE ALSO rows become ``picks`` (story id, score), held by article
    ``holder_id``: every row held by any of its articles goes first."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_RELATED} WHERE article_id IN"  # noqa: S608
                       f" (SELECT id FROM {_ARTICLE} WHERE story_id = %s)", [story_id])
        rows = [(holder_id, picked, score) for picked, score in picks]
        insert_rows(cursor, f"INSERT INTO {_RELATED} (article_id, story_id, score)", rows)


def lsh_candidates(bands: Sequence[int], *, article_id: int, since: datetime,
                   until: datetime, limit: int) -> list[int]:
    """Articles sharing a band with this one, published in the window. The statement the
    ORM writes for ``LshBand.objects.filter(key__in=bands, published_at__gte=since,
    published_at__lte=until).exclude(article=article_id).values_list("article_id")
    .distinct()[:limit]``, word for word, so that past ``limit`` the same ones come back."""
    if not bands:
        return []
    sql = (f'SELECT DISTINCT "{_LSH}"."article_id" AS "article_id" FROM "{_LSH}"'  # noqa: S608
           f' WHERE ("{_LSH}"."key" IN ({_marks(bands)})'
           f' AND "{_LSH}"."published_at" >= %s AND "{_LSH}"."published_at" <= %s'
           f' AND NOT ("{_LSH}"."article_id" = %s)) LIMIT {int(limit)}')
    return [row[0] for row in _rows(sql, [*bands, _when(since), _when(until), article_id])]


def store_bands(article_id: int, bands: Iterable[int], published_at: datetime) -> None:
    when = _when(published_at)
    rows = [(key, article_id, when) for key in bands]
    if rows:
        with connection.cursor() as cursor:
            insert_rows(cursor, f"INSERT INTO {_LSH} (key, article_id, published_at)", rows)


def vetoed(article_id: int) -> set[int]:
    """The articles an editor said this one is not a copy of (or they of it)."""
    rows = _rows(f"SELECT article_id, other_id FROM {_VETO}"  # noqa: S608
                 " WHERE article_id = %s OR other_id = %s", [article_id, article_id])
    return {a if a != article_id else o for a, o in rows}


def term_documents(terms: Iterable[str]) -> dict[str, int]:
    """How many articles hold each of ``terms`` (those never seen are left out)."""
    terms = list(terms)
    found: dict[str, int] = {}
    for start in range(0, len(terms), _CHUNK):
        part = terms[start:start + _CHUNK]
        found.update(_rows(f"SELECT term, documents FROM {_TERM_FREQUENCY}"  # noqa: S608
                           f" WHERE term IN ({_marks(part)})", part))
    return found


def repeated_lines(source: str, keys: Iterable[int], *, min_items: int) -> set[int]:
    """The lines among ``keys`` that ``source`` has sent in at least ``min_items`` items."""
    keys = sorted(set(keys))
    found: set[int] = set()
    for start in range(0, len(keys), _CHUNK):
        part = keys[start:start + _CHUNK]
        found.update(row[0] for row in _rows(
            f"SELECT key FROM {_SOURCE_LINE} WHERE source = %s"  # noqa: S608
            f" AND key IN ({_marks(part)}) AND items >= %s", [source, *part, min_items]))
    return found


def line_items(source: str, keys: Iterable[int]) -> dict[int, int]:
    """How many items ``source`` has sent each of the lines ``keys`` in (lines never seen
    left out): what ``repeated_lines`` compares with its minimum, for a caller that adds
    counts not written yet."""
    keys = sorted(set(keys))
    found: dict[int, int] = {}
    for start in range(0, len(keys), _CHUNK):
        part = keys[start:start + _CHUNK]
        found.update(_rows(f"SELECT key, items FROM {_SOURCE_LINE} WHERE source = %s"  # noqa: S608
                           f" AND key IN ({_marks(part)})", [source, *part]))
    return found


def tag_article(article_id: int, tags: Sequence[tuple[str, str, str, str]]) -> None:
    """The article names these tags, as (key, name, kind, country), most mentioned first:
    each tag made if it is new, then linked at its position. Stands for
    ``Tag.objects.bulk_create(..., ignore_conflicts=True)``, the tags' ids read by key,
    and ``ArticleTag.objects.bulk_create(..., ignore_conflicts=True)``."""
    if not tags:
        return
    with connection.cursor() as cursor:
        insert_rows(cursor, f"INSERT INTO {_TAG} (key, name, kind, country)", list(tags),
                    " ON CONFLICT DO NOTHING")
        keys = [tag[0] for tag in tags]
        cursor.execute(f"SELECT key, id FROM {_TAG} WHERE key IN ({_marks(keys)})",  # noqa: S608
                       keys)
        ids = dict(cursor.fetchall())
        rows = [(article_id, ids[key], position) for position, key in enumerate(keys)
                if key in ids]
        if rows:
            insert_rows(cursor, f"INSERT INTO {_ARTICLE_TAG} (article_id, tag_id, position)",
                        rows, " ON CONFLICT DO NOTHING")


def story(story_id: int) -> Story | None:
    """The story as a model, to change and save (its JSON decoded afresh, never shared).
    Stands for ``Story.objects.filter(pk=story_id).first()``."""
    return next(iter(Story.objects.raw(f"SELECT * FROM {_STORY} WHERE id = %s",  # noqa: S608
                                       [story_id])), None)


_SIGNATURE = ArticleSignature._meta.db_table
_SIGNATURE_FIELDS = [ArticleSignature._meta.get_field(name) for name in (
    "article", "minhash", "word_set_size", "vector", "anchors", "published_at")]


def insert_signature(article_id: int, *, minhash: bytes, word_set_size: int, vector: dict,
                     anchors: list, published_at: datetime) -> None:
    """A new article's signature row. Stands for ``ArticleSignature.objects.create(
    article_id=article_id, ...)``: each value prepared for the database by its field."""
    values = [article_id, minhash, word_set_size, vector, anchors, published_at]
    params = [field.get_db_prep_save(value, connection)
              for field, value in zip(_SIGNATURE_FIELDS, values, strict=True)]
    columns = ", ".join(field.column for field in _SIGNATURE_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {_SIGNATURE} ({columns})"  # noqa: S608
                       f" VALUES ({_marks(params)})", params)


def live_signatures(article_ids: Sequence[int]) -> list[tuple[int, bytes, int]]:
    """(article id, MinHash, word set size) of these articles' signatures, killed articles
    left out. The statement the ORM writes for ``ArticleSignature.objects.filter(
    article_id__in=ids).exclude(article__status=KILLED).values_list("article_id",
    "minhash", "word_set_size")``, word for word, so that the rows come in its order."""
    if not article_ids:
        return []
    sql = (f'SELECT "{_SIGNATURE}"."article_id" AS "article_id",'  # noqa: S608
           f' "{_SIGNATURE}"."minhash" AS "minhash",'
           f' "{_SIGNATURE}"."word_set_size" AS "word_set_size" FROM "{_SIGNATURE}"'
           f' INNER JOIN "{_ARTICLE}" ON ("{_SIGNATURE}"."article_id" = "{_ARTICLE}"."id")'
           f' WHERE ("{_SIGNATURE}"."article_id" IN ({_marks(article_ids)})'
           f' AND NOT ("{_ARTICLE}"."status" = %s))')
    return _rows(sql, [*article_ids, Article.Status.KILLED.value])


def story_mates(story_id: int, *, article_id: int, limit: int) -> list[int]:
    """The articles of a story that have a signature, the article itself left out, newest
    first. The statement the ORM writes for ``ArticleSignature.objects.filter(
    article__story=story_id).exclude(article=article_id).order_by("-published_at")
    .values_list("article_id", flat=True)[:limit]``, word for word, so that articles
    published at the same moment come back in its order (and the same ones past ``limit``)."""
    sql = (f'SELECT "{_SIGNATURE}"."article_id" AS "article_id" FROM "{_SIGNATURE}"'  # noqa: S608
           f' INNER JOIN "{_ARTICLE}" ON ("{_SIGNATURE}"."article_id" = "{_ARTICLE}"."id")'
           f' WHERE ("{_ARTICLE}"."story_id" = %s'
           f' AND NOT ("{_SIGNATURE}"."article_id" = %s))'
           f' ORDER BY "{_SIGNATURE}"."published_at" DESC LIMIT {int(limit)}')
    return [row[0] for row in _rows(sql, [story_id, article_id])]


def newest_shown(story_ids: Sequence[int]) -> dict[int, int]:
    """Each story's newest shown article (canonical, not killed; the highest id among those
    published last), by story id; stories without one left out. Stands for
    ``Article.objects.filter(story_id__in=story_ids, duplicate_of__isnull=True)
    .exclude(status=KILLED).order_by("-published_at", "-id").values_list("story_id", "id")``,
    the first row of each story kept."""
    if not story_ids:
        return {}
    newest: dict[int, int] = {}
    # Copies are read and passed over here, not left out by the statement: SQLite, without
    # statistics, took "duplicate_of_id IS NULL" for the narrower index and read every
    # canonical article of the archive (6 ms a call at 10,000 articles) instead of these
    # stories' few.
    for story_id, article_id, copy_of in _rows(
            f"SELECT story_id, id, duplicate_of_id FROM {_ARTICLE}"  # noqa: S608
            f" WHERE story_id IN ({_marks(story_ids)}) AND NOT (status = %s)"
            " ORDER BY published_at DESC, id DESC",
            [*story_ids, Article.Status.KILLED.value]):
        if copy_of is None:
            newest.setdefault(story_id, article_id)
    return newest


def articles_by_date(article_ids: Sequence[int]) -> list[Article]:
    """These articles as models, oldest first (then by id). Stands for
    ``Article.objects.filter(pk__in=article_ids).order_by("published_at", "id")``."""
    if not article_ids:
        return []
    return list(Article.objects.raw(
        f"SELECT * FROM {_ARTICLE} WHERE id IN ({_marks(article_ids)})"  # noqa: S608
        " ORDER BY published_at ASC, id ASC", list(article_ids)))


def set_story(article_id: int, story_id: int) -> None:
    """Stands for ``Article.objects.filter(pk=article_id).update(story=story_id)``."""
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_ARTICLE} SET story_id = %s WHERE id = %s",  # noqa: S608
                       [story_id, article_id])


def count_copy(story_id: int, published_at: datetime) -> None:
    """A copy joins its canonical's story: counted, and the story stays open as long.
    Stands for ``Story.objects.filter(pk=story_id).update(size=F("size") + 1,
    last_published_at=Greatest("last_published_at", Value(published_at)))``."""
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_STORY} SET size = size + 1,"  # noqa: S608
                       f" last_published_at = {greatest}(last_published_at, %s)"
                       " WHERE id = %s", [_when(published_at), story_id])


def repeated_lines_of(sources: Sequence[str], keys: Sequence[int], *, min_items: int
                      ) -> list[tuple[str, int]]:
    """(source, key) of the lines among ``keys`` that any of ``sources`` has sent in at
    least ``min_items`` items. Stands for ``SourceLine.objects.filter(source__in=sources,
    key__in=keys, items__gte=min_items).values_list("source", "key")``."""
    if not sources or not keys:
        return []
    return _rows(f"SELECT source, key FROM {_SOURCE_LINE}"  # noqa: S608
                 f" WHERE source IN ({_marks(sources)}) AND key IN ({_marks(keys)})"
                 " AND items >= %s", [*sources, *keys, min_items])


def line_items_of(sources: Sequence[str], keys: Sequence[int]) -> list[tuple[str, int, int]]:
    """(source, key, items) of the lines among ``keys`` that any of ``sources`` has sent:
    ``repeated_lines_of`` with each line's count instead of a minimum."""
    if not sources or not keys:
        return []
    return _rows(f"SELECT source, key, items FROM {_SOURCE_LINE}"  # noqa: S608
                 f" WHERE source IN ({_marks(sources)}) AND key IN ({_marks(keys)})",
                 [*sources, *keys])
