"""The intelligence step's plain-SQL reads and writes answer what the ORM queries they
stand for answer (``newsroom.intelligence.tables``), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.db.models import Count

from wiredesk.newsroom import saves, services
from wiredesk.newsroom.intelligence import story_reads, tables
from wiredesk.newsroom.models import (
    Article,
    DuplicateVeto,
    LshBand,
    RelatedStory,
    SourceLine,
    Story,
    StoryTerm,
    TermFrequency,
)

T0 = datetime(2025, 7, 11, 6, 0, tzinfo=UTC)


def _article(n: int, story: Story | None, *, at: datetime) -> Article:
    agency = services.agency_ensure(code="TBL")
    return Article.objects.create(
        agency=agency, identity=f"tbl-{n}", fingerprint=f"f{n}", headline=f"Item {n}",
        slug=f"item-{n}", body_html="<p>x</p>", published_at=at, first_seen_at=at,
        modified_at=at, story=story)


@pytest.fixture
def stories():
    made = []
    for n in range(8):
        at = T0 + timedelta(hours=n)
        made.append(Story.objects.create(
            headline=f"Story {n}", first_published_at=at - timedelta(days=n % 3),
            last_published_at=at, size=n + 1, centroid={"quake": 1.0 + n, f"t{n}": 0.5},
            anchors={"Tarven": n % 2 + 1}))
    # Terms so that hits tie (the id decides), one story outside the window, one excluded.
    for story, terms in zip(made, [("quake", "tarven", "rescue"), ("quake", "tarven"),
                                   ("quake", "tarven"), ("quake",), ("rescue",), (),
                                   ("quake", "rescue", "tarven"), ("flood",)], strict=True):
        for term in terms:
            StoryTerm.objects.create(term=term, story=story,
                                     last_published_at=story.last_published_at)
    return made


def _orm_stories_by_terms(terms, *, since, until=None, exclude=None, limit):
    qs = StoryTerm.objects.filter(term__in=terms, last_published_at__gte=since)
    if until is not None:
        qs = qs.filter(last_published_at__lte=until)
    if exclude is not None:
        qs = qs.exclude(story_id=exclude)
    return list(qs.values("story_id").annotate(hits=Count("id")).order_by("-hits", "story_id")
                .values_list("story_id", flat=True)[:limit])


def _lookup_cases(stories):
    """Windows, an end, and the story to leave out: each lookup is asked all of them."""
    return [dict(since=T0), dict(since=T0 + timedelta(hours=2)),
            dict(since=T0, until=T0 + timedelta(hours=4)),
            dict(since=T0, exclude=stories[6].pk), dict(since=T0, exclude=stories[0].pk)]


@pytest.mark.django_db
def test_stories_by_terms_is_the_orm_lookup(stories):
    terms = ["quake", "tarven", "rescue"]
    cases = _lookup_cases(stories)
    for case in cases:
        for limit in (1, 2, 20):
            expected = _orm_stories_by_terms(terms, limit=limit, **case)
            assert tables.stories_by_terms(terms, limit=limit, **case) == expected
    # Most hits first, a tie broken by the lower id.
    assert tables.stories_by_terms(terms, since=T0, limit=3) == [
        stories[0].pk, stories[6].pk, stories[1].pk]
    assert tables.stories_by_terms([], since=T0, limit=5) == []


@pytest.mark.django_db
def test_story_terms_replaced_and_restamped(stories):
    story = stories[0]
    later = T0 + timedelta(days=2)
    tables.store_story_terms(story.pk, ["quake", "aftershock"], later)
    assert sorted(StoryTerm.objects.filter(story=story)
                  .values_list("term", "last_published_at")) == [
        ("aftershock", later), ("quake", later)]
    assert StoryTerm.objects.filter(story=stories[1]).count() == 2  # others untouched
    tables.store_story_terms(story.pk, [], later)
    assert not StoryTerm.objects.filter(story=story).exists()


def _row_versions(story_id: int) -> dict[str, object]:
    """Each of the story's term rows' version: PostgreSQL's xmin (a new one for every
    write of the row); on SQLite, which keeps no row version, its stamp (the rows it writes
    are counted by ``total_changes`` instead)."""
    from django.db import connection

    column = "xmin::text" if connection.vendor == "postgresql" else "last_published_at"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT term, {column} FROM newsroom_storyterm"
                       " WHERE story_id = %s", [story_id])
        return dict(cursor.fetchall())


def _rows_written(action) -> int | None:
    """How many rows ``action`` wrote on SQLite (None elsewhere)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        action()
        return None
    raw = connection.connection
    before = raw.total_changes
    action()
    return raw.total_changes - before


@pytest.mark.django_db(transaction=True)
def test_terms_already_stamped_are_not_written_again(stories):
    story = stories[0]  # quake, tarven, rescue, stamped with its last publication
    stamp = story.last_published_at
    before = _row_versions(story.pk)
    written = _rows_written(lambda: tables.store_story_terms(
        story.pk, ["quake", "tarven", "rescue", "aftershock"], stamp))
    after = _row_versions(story.pk)
    assert sorted(after) == ["aftershock", "quake", "rescue", "tarven"]
    if written is not None:
        assert written == 1  # the new term alone
    else:
        assert {t: after[t] for t in before} == before  # the same row versions
    later = stamp + timedelta(days=1)
    written = _rows_written(lambda: tables.store_story_terms(
        story.pk, ["quake", "tarven", "rescue", "aftershock"], later))
    assert sorted(StoryTerm.objects.filter(story=story)
                  .values_list("term", "last_published_at")) == [
        ("aftershock", later), ("quake", later), ("rescue", later), ("tarven", later)]
    if written is not None:
        assert written == 4  # each re-stamped


@pytest.mark.django_db
def test_story_rows_times_are_parsed_only_when_a_row_changed(stories, monkeypatch):
    """On SQLite the driver does not parse the story rows' two times (a cached row read
    again is compared as stored text); a changed row's are parsed once, to the same aware
    datetimes the ORM reads."""
    import sqlite3

    from django.db import connection
    from django.db.backends.sqlite3.base import decoder
    from django.utils.dateparse import parse_datetime

    if connection.vendor != "sqlite":
        pytest.skip("the driver's converters are SQLite's")
    parsed = []

    def counting(value: bytes):
        parsed.append(value)
        return parse_datetime(value.decode())

    for name in ("datetime", "timestamp"):
        sqlite3.register_converter(name, counting)
    try:
        ids = [s.pk for s in stories]
        first = story_reads.story_rows(ids)
        again = story_reads.story_rows(ids)
        Story.objects.filter(pk=stories[2].pk).update(size=99)
        changed = story_reads.story_rows(ids)
    finally:
        for name in ("datetime", "timestamp"):
            sqlite3.register_converter(name, decoder(parse_datetime))  # Django's own
    assert parsed == []
    assert [a is b for a, b in zip(first, again, strict=True)] == [True] * len(ids)
    assert [a is b for a, b in zip(first, changed, strict=True)] == [
        s.pk != stories[2].pk for s in first]
    for row in changed:
        model = Story.objects.get(pk=row.pk)
        assert (row.last_published_at, row.first_published_at) == (
            model.last_published_at, model.first_published_at)
        assert row.last_published_at.tzinfo is not None


@pytest.mark.django_db
def test_story_rows_are_the_stories_in_the_models_order(stories):
    ids = [s.pk for s in stories[::-1]] + [999_999]
    rows = story_reads.story_rows(ids)
    models = list(Story.objects.filter(pk__in=ids))
    assert [r.pk for r in rows] == [s.pk for s in models]
    for row, story in zip(rows, models, strict=True):
        assert (row.centroid, row.anchors, row.size, row.last_published_at, row.section_id) \
            == (story.centroid, story.anchors, story.size, story.last_published_at,
                story.section_id)
    assert story_reads.story_rows([]) == []


@pytest.mark.django_db
def test_related_picks_and_replace(stories):
    a, b, c = stories[0], stories[1], stories[2]
    holder_a = _article(1, a, at=T0)
    holder_a2 = _article(2, a, at=T0)
    holder_b = _article(3, b, at=T0)
    orphan = _article(4, None, at=T0)  # an article with no story holds a row too
    for holder, picked in [(holder_a, c), (holder_a2, c), (holder_b, c), (orphan, c),
                           (holder_b, stories[3]), (holder_a, stories[3]),
                           (orphan, stories[4])]:
        RelatedStory.objects.create(article=holder, story=picked, score=0.5)
    ids = [c.pk, stories[3].pk, stories[4].pk]
    for own in (a.pk, b.pk, stories[7].pk):
        expected = dict(RelatedStory.objects.filter(story_id__in=ids)
                        .exclude(article__story=own).values("story_id")
                        .annotate(n=Count("article__story", distinct=True))
                        .values_list("story_id", "n"))
        assert tables.related_picks(ids, own_story=own) == expected
    assert tables.related_picks(ids, own_story=a.pk) == {c.pk: 1, stories[3].pk: 1,
                                                         stories[4].pk: 0}

    tables.replace_related(a.pk, holder_a2.pk, [(stories[4].pk, 0.9), (b.pk, 0.4)])
    assert sorted(RelatedStory.objects.filter(article__story=a)
                  .values_list("article_id", "story_id", "score")) == sorted(
        [(holder_a2.pk, stories[4].pk, 0.9), (holder_a2.pk, b.pk, 0.4)])
    assert RelatedStory.objects.filter(article=holder_b).count() == 2  # b's rows stay
    tables.replace_related(a.pk, holder_a.pk, [])
    assert not RelatedStory.objects.filter(article__story=a).exists()


@pytest.mark.django_db
def test_bands_vetoes_frequencies_and_lines(stories):
    first = _article(1, stories[0], at=T0)
    near = _article(2, stories[1], at=T0 + timedelta(days=1))
    far = _article(3, stories[2], at=T0 + timedelta(days=9))
    tables.store_bands(first.pk, [11, 12], first.published_at)
    tables.store_bands(near.pk, [12, 13], near.published_at)
    tables.store_bands(far.pk, [11], far.published_at)
    assert sorted(LshBand.objects.values_list("key", "article_id", "published_at")) == sorted(
        [(11, first.pk, T0), (12, first.pk, T0), (12, near.pk, near.published_at),
         (13, near.pk, near.published_at), (11, far.pk, far.published_at)])
    window = dict(since=T0 - timedelta(days=3), until=T0 + timedelta(days=3))
    expected = list(LshBand.objects.filter(
        key__in=[11, 12, 13], published_at__gte=window["since"],
        published_at__lte=window["until"]).exclude(article=first)
        .values_list("article_id", flat=True).distinct()[:500])
    assert tables.lsh_candidates([11, 12, 13], article_id=first.pk, limit=500,
                                 **window) == expected == [near.pk]

    DuplicateVeto.objects.create(article=first, other=near)
    DuplicateVeto.objects.create(article=far, other=first)
    assert tables.vetoed(first.pk) == {near.pk, far.pk}
    assert tables.vetoed(near.pk) == {first.pk}

    TermFrequency.objects.bulk_create([TermFrequency(term=f"w{n}", documents=n)
                                       for n in range(1200)])
    wanted = [*(f"w{n}" for n in range(1200)), "never-seen"]
    assert tables.term_documents(wanted) == dict(
        TermFrequency.objects.values_list("term", "documents"))

    SourceLine.objects.bulk_create([SourceLine(source="agency:1", key=k, items=k % 4)
                                    for k in range(1000)]
                                   + [SourceLine(source="agency:2", key=5, items=9)])
    keys = [*range(1000), 5]
    assert tables.repeated_lines("agency:1", keys, min_items=3) == set(
        SourceLine.objects.filter(source="agency:1", key__in=keys, items__gte=3)
        .values_list("key", flat=True))


@pytest.mark.django_db
def test_counts_upserted_in_bulk_add_to_what_is_stored():
    """The stage's count upserts (term frequencies, source lines) insert the new keys and
    add to the stored ones; on PostgreSQL in one statement of one array per column,
    however many rows (more than one multi-row VALUES could hold), and a term too long for
    its column is refused as before, not cut by the arrays' cast."""
    from django.db import DataError, connection
    from django.test.utils import CaptureQueriesContext

    from wiredesk.newsroom.intelligence import store

    TermFrequency.objects.bulk_create([TermFrequency(term=f"t{n}", documents=n)
                                       for n in range(0, 40_000, 2)])
    pending = {(f"t{n}",): 1 + n % 3 for n in range(40_000)}
    with CaptureQueriesContext(connection) as seen:
        store._upsert_increment(TermFrequency._meta.db_table, ["term"], "documents",
                                list(pending), by=pending)
    stored = dict(TermFrequency.objects.values_list("term", "documents"))
    assert stored == {f"t{n}": (n if n % 2 == 0 else 0) + 1 + n % 3 for n in range(40_000)}
    if connection.vendor == "postgresql":
        assert len(seen.captured_queries) == 1
        assert "unnest" in seen.captured_queries[0]["sql"]

    SourceLine.objects.create(source="agency:1", key=7, items=2)
    store._upsert_increment(SourceLine._meta.db_table, ["source", "key"], "items",
                            [("agency:1", 7), ("agency:1", 2**40), ("agency:2", 7)])
    assert sorted(SourceLine.objects.values_list("source", "key", "items")) == [
        ("agency:1", 7, 3), ("agency:1", 2**40, 1), ("agency:2", 7, 1)]
    assert SourceLine.objects.filter(last_seen_at__isnull=True).count() == 0

    if connection.vendor == "postgresql":  # SQLite does not hold a varchar to its length
        with pytest.raises(DataError), transaction.atomic():
            store._upsert_increment(TermFrequency._meta.db_table, ["term"], "documents",
                                    [("x" * 41,)])


@pytest.mark.django_db
def test_tag_article_makes_new_tags_and_links_them_in_order(stories):
    from wiredesk.newsroom.models import ArticleTag, Tag

    known = Tag.objects.create(key="tarven", name="Tarven", kind="place", country="")
    article = _article(1, stories[0], at=T0)
    tables.tag_article(article.pk, [("mirena-aid", "Mirena Aid", "organisation", ""),
                                    ("tarven", "Tarven (new name)", "place", "XX"),
                                    ("mirena-aid", "Mirena Aid again", "organisation", ""),
                                    ("ana-lopez", "Ana López", "person", "")])
    links = list(ArticleTag.objects.filter(article=article).order_by("position")
                 .values_list("tag__key", "position"))
    assert links == [("mirena-aid", 0), ("tarven", 1), ("ana-lopez", 3)]
    known.refresh_from_db()
    assert (known.name, known.country) == ("Tarven", "")  # a known tag is left as it was
    assert Tag.objects.get(key="mirena-aid").name == "Mirena Aid"
    tables.tag_article(article.pk, [("tarven", "Tarven", "place", "")])  # linked already
    assert ArticleTag.objects.filter(article=article).count() == 3
    tables.tag_article(article.pk, [])


@pytest.mark.django_db
def test_story_is_the_model_as_the_orm_reads_it(stories):
    picked = stories[3]
    read = tables.story(picked.pk)
    expected = Story.objects.get(pk=picked.pk)
    assert isinstance(read, Story) and read.pk == picked.pk
    for field in Story._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(expected, field.attname), field.name
    assert tables.story(10**9) is None


@pytest.mark.django_db
def test_insert_signature_stores_what_the_orm_would():
    from wiredesk.newsroom.models import ArticleSignature

    first, second = _article(90, None, at=T0), _article(91, None, at=T0)
    values = {"minhash": bytes(range(40)), "word_set_size": 57,
              "vector": {"quake": 0.5, "tbilisi": 0.25, "ünïcode": 0.125},
              "anchors": ["Tbilisi", "7.1"], "published_at": T0 + timedelta(minutes=7)}
    ArticleSignature.objects.create(article=first, **values)
    tables.insert_signature(second.pk, **values)
    by_orm, by_sql = (ArticleSignature.objects.values(
        "minhash", "word_set_size", "vector", "anchors", "published_at").get(article=a)
        for a in (first, second))
    by_orm["minhash"], by_sql["minhash"] = bytes(by_orm["minhash"]), bytes(by_sql["minhash"])
    assert by_sql == by_orm
    assert list(by_sql["vector"]) == ["quake", "tbilisi", "ünïcode"]  # the order kept


@pytest.mark.django_db
def test_live_signatures_are_the_orm_rows_in_its_order():
    from wiredesk.newsroom.models import ArticleSignature

    made = [_article(100 + n, None, at=T0) for n in range(6)]
    for n, article in enumerate(made):
        if n != 4:
            ArticleSignature.objects.create(article=article, minhash=bytes([n]) * 8,
                                            word_set_size=n, published_at=T0)
    Article.objects.filter(pk=made[2].pk).update(status=Article.Status.KILLED)
    ids = [made[n].pk for n in (5, 0, 2, 4, 3, 1)]
    expected = list(ArticleSignature.objects.filter(article_id__in=ids)
                    .exclude(article__status=Article.Status.KILLED)
                    .values_list("article_id", "minhash", "word_set_size"))
    found = tables.live_signatures(ids)
    assert [(a, bytes(m), n) for a, m, n in found] == [(a, bytes(m), n) for a, m, n in expected]
    assert {row[0] for row in found} == {made[n].pk for n in (0, 1, 3, 5)}
    assert tables.live_signatures([]) == []


def _signed(article: Article, *, at: datetime, vector: dict | None = None) -> None:
    from wiredesk.newsroom.models import ArticleSignature

    ArticleSignature.objects.create(article=article, minhash=b"\0" * 8, word_set_size=1,
                                    vector=vector or {}, published_at=at)


@pytest.mark.django_db
def test_story_mates_are_the_orm_rows_in_its_order(stories):
    from wiredesk.newsroom.models import ArticleSignature

    story, other = stories[0], stories[1]
    # Several published at one moment (the ORM's order decides among them), one without a
    # signature, one in another story, and more than the limit.
    made = [_article(200 + n, story, at=T0 + timedelta(minutes=n % 3)) for n in range(9)]
    for article in made[:-1]:
        _signed(article, at=article.published_at)
    _signed(_article(220, other, at=T0), at=T0)
    for own in (made[0], made[4]):
        for limit in (30, 5):
            expected = list(ArticleSignature.objects.filter(article__story=story)
                            .exclude(article=own).order_by("-published_at")
                            .values_list("article_id", flat=True)[:limit])
            assert tables.story_mates(story.pk, article_id=own.pk, limit=limit) == expected
    assert len(tables.story_mates(story.pk, article_id=made[0].pk, limit=30)) == 7
    assert tables.story_mates(stories[5].pk, article_id=made[0].pk, limit=30) == []


@pytest.mark.django_db
def test_newest_shown_is_the_orm_first_row_of_each_story(stories):
    first, second, empty = stories[0], stories[1], stories[2]
    a = [_article(300 + n, first, at=T0 + timedelta(hours=n % 2)) for n in range(4)]
    b = [_article(310 + n, second, at=T0 + timedelta(hours=n)) for n in range(3)]
    # The newest of the second story is a copy, the next one killed: the one before shows.
    Article.objects.filter(pk=b[2].pk).update(duplicate_of=b[0])
    Article.objects.filter(pk=b[1].pk).update(status=Article.Status.KILLED)
    _article(320, empty, at=T0).delete()
    picked = [second.pk, first.pk, empty.pk]
    expected: dict[int, int] = {}
    for story_id, article_id in (
            Article.objects.filter(story_id__in=picked, duplicate_of__isnull=True)
            .exclude(status=Article.Status.KILLED).order_by("-published_at", "-id")
            .values_list("story_id", "id")):
        expected.setdefault(story_id, article_id)
    assert tables.newest_shown(picked) == expected
    assert expected == {first.pk: a[3].pk, second.pk: b[0].pk}
    assert tables.newest_shown([]) == {}


@pytest.mark.django_db
def test_story_lookups_read_the_term_index_alone(stories):
    """The look-up behind a story's candidates counts postings in the term index without
    reading a table row for each (the story is a column of the index)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the plan is read on SQLite; PostgreSQL's depends on its statistics")
    sql, params = tables._terms_lookup(["quake", "tarven"], since=T0 - timedelta(days=3),
                                       until=T0 + timedelta(days=3), exclude=None, limit=20)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "COVERING INDEX storyterm_term_time_story" in plan, plan


@pytest.mark.django_db
def test_newest_shown_reads_its_stories_by_their_index(stories):
    """Its statement is planned as a look-up of these stories' articles, not a walk of
    every canonical article (what SQLite chose with a "duplicate_of_id IS NULL" term)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        tables.newest_shown([s.pk for s in stories[:3]])
    (statement,) = [q["sql"] for q in captured.captured_queries]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + statement)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "story_id" in plan and "duplicate_of" not in plan, plan
    assert "duplicate_of_id IS NULL" not in statement


@pytest.mark.django_db
def test_representative_candidates_are_the_orm_rows_in_its_order(stories):
    from django.db.models import Case, IntegerField, Value, When

    from wiredesk.newsroom.models import ArticleSignature

    story = stories[0]
    made = [_article(400 + n, story, at=T0 + timedelta(minutes=n % 3)) for n in range(8)]
    for n, article in enumerate(made):
        _signed(article, at=article.published_at,
                vector={"quake": 0.1 * n, "ünïcode": 1 / (n + 3), "z": n})
    Article.objects.filter(pk=made[1].pk).update(duplicate_of=made[0])
    Article.objects.filter(pk=made[2].pk).update(status=Article.Status.KILLED)
    _signed(_article(420, stories[1], at=T0), at=T0)
    for current in (None, made[0].pk, made[3].pk, made[2].pk):
        for limit in (20, 3):
            members = (ArticleSignature.objects.filter(article__story=story,
                                                       article__duplicate_of__isnull=True)
                       .exclude(article__status=Article.Status.KILLED))
            order = ["-published_at", "-article_id"]
            if current is not None:
                members = members.annotate(current=Case(
                    When(article_id=current, then=Value(0)), default=Value(1),
                    output_field=IntegerField()))
                order.insert(0, "current")
            expected = list(members.order_by(*order).values_list(
                "article_id", "article__headline", "vector")[:limit])
            found = story_reads.representative_candidates(story.pk, current=current, limit=limit)
            assert found == expected
            assert [list(row[2]) for row in found] == [list(row[2]) for row in expected]
    found = story_reads.representative_candidates(story.pk, current=made[3].pk, limit=20)
    assert found[0][0] == made[3].pk and len(found) == 6
    assert story_reads.representative_candidates(stories[5].pk, current=None, limit=20) == []


@pytest.mark.django_db
def test_articles_by_date_are_the_orm_models_in_its_order(stories):
    made = [_article(500 + n, stories[n % 2], at=T0 + timedelta(minutes=(7 - n) % 3))
            for n in range(7)]
    Article.objects.filter(pk=made[3].pk).update(duplicate_of=made[0],
                                                 status=Article.Status.KILLED)
    ids = [made[n].pk for n in (5, 0, 3, 6, 2)] + [10**9]
    expected = list(Article.objects.filter(pk__in=ids).order_by("published_at", "id"))
    found = tables.articles_by_date(ids)
    assert [a.pk for a in found] == [a.pk for a in expected]
    assert [a.pk for a in found] != sorted(a.pk for a in found)  # the date decides first
    for read, model in zip(found, expected, strict=True):
        assert isinstance(read, Article) and not read.get_deferred_fields()
        for field in Article._meta.concrete_fields:
            assert getattr(read, field.attname) == getattr(model, field.attname), field.name
    assert found[[a.pk for a in found].index(made[3].pk)].duplicate_of == made[0]
    assert tables.articles_by_date([]) == []


def _row(model, pk):
    """The stored row as the ORM reads it, every concrete column."""
    return model.objects.filter(pk=pk).values(
        *[field.attname for field in model._meta.concrete_fields]).get()


@pytest.mark.django_db
def test_save_fields_writes_what_save_with_update_fields_writes(stories):
    from django.db.models.signals import post_save, pre_save

    by_orm, by_sql = _article(40, stories[0], at=T0), _article(41, stories[0], at=T0)
    sent = []

    def heard(signal):
        def receiver(sender, instance, **kwargs):
            sent.append((signal, instance.pk, kwargs["update_fields"], kwargs.get("created"),
                         kwargs["raw"], kwargs["using"]))
        return receiver

    on_pre, on_post = heard("pre"), heard("post")
    pre_save.connect(on_pre, sender=Article)
    post_save.connect(on_post, sender=Article)
    try:
        for article in (by_orm, by_sql):
            article.story = stories[2]
            article.duplicate_of = by_orm if article is by_sql else None
            article.flags = 5
            article.section_id = None
            fields = ["story", "duplicate_of", "section", "flags", "modified_at"]
            if article is by_orm:
                article.save(update_fields=fields)
            else:
                saves.save_fields(article, fields)
    finally:
        pre_save.disconnect(on_pre, sender=Article)
        post_save.disconnect(on_post, sender=Article)
    orm_row, sql_row = _row(Article, by_orm.pk), _row(Article, by_sql.pk)
    assert sql_row["modified_at"] > T0  # auto_now: stamped by the save
    for row in (orm_row, sql_row):
        row.pop("id"), row.pop("identity"), row.pop("fingerprint"), row.pop("headline")
        row.pop("slug"), row.pop("modified_at"), row.pop("first_seen_at")
    assert sql_row.pop("duplicate_of_id") == by_orm.pk and orm_row.pop("duplicate_of_id") is None
    assert sql_row == orm_row
    # The same signals, with the same arguments (the fields as a frozenset).
    assert [(s, u, c, r, w) for s, _pk, u, c, r, w in sent[:2]] == [
        (s, u, c, r, w) for s, _pk, u, c, r, w in sent[2:]]
    assert sent[1][2] == frozenset(fields) and sent[1][3] is False
    # A row that is gone: the error save() raises.
    from django.db import DatabaseError

    gone = Article.objects.get(pk=by_sql.pk)
    Article.objects.filter(pk=gone.pk).delete()
    with pytest.raises(DatabaseError):
        saves.save_fields(gone, ["flags"])
    with pytest.raises(ValueError):
        saves.save_fields(by_orm, ["flags", "no_such_field"])


@pytest.mark.django_db
def test_save_new_and_save_fields_store_a_story_as_save_does(stories):
    from wiredesk.newsroom.intelligence.stories import STORY_FIELDS

    article = _article(50, None, at=T0)
    values = dict(headline="Quake in Tarven", first_published_at=T0,
                  last_published_at=T0 + timedelta(hours=1), section_id=None,
                  representative=article, centroid={"quake": 0.75, "ünï": 0.25},
                  anchors={"Tarven": 2}, size=3)
    by_orm, by_sql = Story(**values), Story(**values)
    by_orm.save()
    saves.save_new(by_sql)
    assert by_sql.pk is not None and by_sql.pk != by_orm.pk and not by_sql._state.adding

    def same(a, b):
        ra, rb = _row(Story, a.pk), _row(Story, b.pk)
        for row in (ra, rb):
            row.pop("id")
            assert row.pop("created_at") >= T0  # auto_now_add
        assert ra == rb
        return rb

    assert list(same(by_orm, by_sql)["centroid"]) == ["quake", "ünï"]  # the order kept
    for story in (by_orm, by_sql):
        story.size, story.centroid = 4, {"quake": 1.0}
        story.headline, story.representative_id = "Quake: the toll", None
        story.last_published_at = T0 + timedelta(hours=3)
        if story is by_orm:
            story.save()
        else:
            saves.save_fields(story, STORY_FIELDS)
    same(by_orm, by_sql)


@pytest.mark.django_db
def test_saves_prepare_every_value_as_the_field_would(stories):
    """The values written as they are (``saves._values``) are what each field's own
    ``get_db_prep_save(pre_save(...))`` gives, for every column of the models saved this
    way, with the awkward values too: a lazy string, a bool or a str in an integer
    column, a float in a text column, None."""
    from django.db import connection
    from django.utils.functional import lazy

    lazy_text = lazy(lambda: "Tarven", str)()
    odd = {str: [lazy_text, 7.5, None, "plain"], int: [True, "12", 12.0, None, 3],
           bool: [1, 0, None, False]}
    for model, instance in ((Article, _article(60, stories[0], at=T0)),
                            (Story, stories[1])):
        plan = saves._plan([f for f in model._meta.local_concrete_fields
                            if not f.primary_key], connection.vendor)
        assert any(kind is not None for _f, _a, kind in plan)
        assert any(kind is None for _f, _a, kind in plan)  # dates and JSON prepared
        for field, attname, kind in plan:
            if kind is None or getattr(field, "auto_now", False):
                continue
            for value in [getattr(instance, attname), *odd[kind]]:
                setattr(instance, attname, value)
                try:
                    expected = field.get_db_prep_save(field.pre_save(instance, False),
                                                      connection)
                except (TypeError, ValueError) as error:
                    with pytest.raises(type(error)):
                        saves._values(instance, [(field, attname, kind)], adding=False)
                    continue
                got = saves._values(instance, [(field, attname, kind)], adding=False)
                assert got == [expected] and type(got[0]) is type(expected), (
                    field.name, value)


@pytest.mark.django_db
def test_frequencies_in_a_batch_are_read_as_if_written_at_once():
    """Inside the stage's batch the document counts are written once as it ends; every
    read before then answers what one write per article would have left, and a turn that
    fails takes its counts back."""
    from wiredesk.newsroom.intelligence import DbFrequencies
    from wiredesk.newsroom.runs import batch, batch_savepoint

    TermFrequency.objects.bulk_create([TermFrequency(term="quake", documents=4),
                                       TermFrequency(term="", documents=10)])
    long_term = "x" * 45  # stored cut to 40 characters, never found by its whole self
    articles = [["quake", "tarven"], ["quake", long_term], ["tarven", "rescue"]]

    def run(in_batch: bool) -> list:
        seen = []
        for n, terms in enumerate(articles):
            frequencies = DbFrequencies()
            if in_batch and n == 2:
                with pytest.raises(RuntimeError), batch_savepoint():
                    frequencies.add(["rescue", "flood"])
                    raise RuntimeError("this turn fails")
                frequencies = DbFrequencies()
            frequencies.add(terms)
            frequencies.prefetch([*terms, "flood", long_term[:40]])
            seen.append((frequencies.total(), dict(frequencies.counts(terms)),
                         dict(frequencies.counts(["flood", long_term[:40]])),
                         dict(frequencies.counts(["quake"]))))  # not all prefetched: read
        return seen

    with transaction.atomic():
        immediate = run(False)
        after_immediate = sorted(TermFrequency.objects.values_list("term", "documents"))
        transaction.set_rollback(True)
    with transaction.atomic():
        with batch():
            batched = run(True)
            # Nothing written yet: the counts wait for the batch's end.
            assert sorted(TermFrequency.objects.values_list("term", "documents")) == [
                ("", 10), ("quake", 4)]
        after_batch = sorted(TermFrequency.objects.values_list("term", "documents"))
    assert batched == immediate
    assert immediate[-1][0] == 13 and immediate[1][1] == {"quake": 6}
    assert after_batch == after_immediate
    assert ("flood", 1) not in after_batch  # the failed turn's count went with it


@pytest.mark.django_db
def test_set_story_count_copy_and_repeated_lines_of_are_their_orm_queries(stories):
    from django.db.models import F, Value
    from django.db.models.functions import Greatest

    article = _article(60, stories[0], at=T0)
    tables.set_story(article.pk, stories[1].pk)
    assert Article.objects.get(pk=article.pk).story_id == stories[1].pk

    later, earlier = T0 + timedelta(days=2), T0 - timedelta(days=2)
    for when in (later, earlier):
        by_orm, by_sql = stories[2], stories[3]
        Story.objects.filter(pk=by_orm.pk).update(
            size=F("size") + 1, last_published_at=Greatest("last_published_at", Value(when)))
        before = Story.objects.get(pk=by_sql.pk)
        tables.count_copy(by_sql.pk, when)
        after = Story.objects.get(pk=by_sql.pk)
        assert after.size == before.size + 1
        assert after.last_published_at == max(before.last_published_at, when)
    assert Story.objects.get(pk=stories[3].pk).last_published_at == later

    SourceLine.objects.bulk_create([SourceLine(source=f"agency:{k % 3}", key=k, items=k % 5)
                                    for k in range(600)])
    sources, keys = ["agency:0", "agency:2", "agency:9"], list(range(0, 600, 2))
    assert sorted(tables.repeated_lines_of(sources, keys, min_items=3)) == sorted(
        SourceLine.objects.filter(source__in=sources, key__in=keys, items__gte=3)
        .values_list("source", "key"))
    assert tables.repeated_lines_of([], keys, min_items=3) == []


@pytest.mark.django_db
def test_story_rows_by_terms_are_the_rows_of_the_stories_found(stories):
    terms = ["quake", "tarven", "rescue"]
    cases = _lookup_cases(stories)
    for case in cases:
        for limit in (1, 2, 20):
            found = tables.stories_by_terms(terms, limit=limit, **case)
            assert story_reads.story_rows_by_terms(terms, limit=limit, **case) == \
                story_reads.story_rows(found)
            # A story added whether the terms find it or not (found already: once).
            for also in (stories[5].pk, stories[7].pk, found[0] if found else None):
                wanted = [*found, also] if also is not None and also not in found else found
                assert story_reads.story_rows_by_terms(terms, limit=limit, also=also, **case) \
                    == story_reads.story_rows(wanted)
    assert story_reads.story_rows_by_terms([], since=T0, limit=5) == []
    assert [r.pk for r in story_reads.story_rows_by_terms([], since=T0, limit=5,
                                                     also=stories[2].pk)] == [stories[2].pk]


@pytest.mark.django_db
def test_related_picks_count_the_other_stories_that_show_each(stories):
    # SEE ALSO rows: stories 1, 2 and 6 (through their articles) show others.
    holders = {n: _article(200 + n, stories[n], at=T0) for n in (1, 2, 6)}
    orphan = _article(299, None, at=T0)
    tables.replace_related(stories[1].pk, holders[1].pk, [(stories[0].pk, 0.5),
                                                          (stories[3].pk, 0.4)])
    tables.replace_related(stories[2].pk, holders[2].pk, [(stories[0].pk, 0.3)])
    tables.replace_related(stories[6].pk, holders[6].pk, [(stories[0].pk, 0.2),
                                                          (stories[1].pk, 0.1)])
    RelatedStory.objects.create(article=orphan, story=stories[3], score=0.1)
    ids = [s.pk for s in stories]
    # An article without a story shows story 3 too: counted as no story (distinct stories).
    assert tables.related_picks(ids, own_story=stories[4].pk) == {
        stories[0].pk: 3, stories[1].pk: 1, stories[3].pk: 1}
    # The story asking is not counted; a story only it shows is left out.
    assert tables.related_picks(ids, own_story=stories[6].pk) == {
        stories[0].pk: 2, stories[3].pk: 1}
    # Only the storyless article shows story 3 to story 1: there it is, with 0.
    assert tables.related_picks([stories[3].pk], own_story=stories[1].pk) == {stories[3].pk: 0}


@pytest.mark.django_db
def test_a_story_looked_up_with_another_is_read_by_its_key_not_by_a_scan(stories):
    """The stories the terms find, plus the one that picked this story (``also``), are
    read by the primary key: with ``IN (...) OR id = %s`` PostgreSQL walked the whole
    story table at every ranking, testing each row against the look-up's list (with
    sequential scans forbidden, an index of it)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for read in (lambda: story_reads.story_rows_by_terms(
                     ["quake", "tarven"], since=T0, exclude=stories[4].pk, limit=20,
                     also=stories[7].pk),
                 lambda: story_reads.story_rows_by_terms(
                     ["quake", "tarven"], since=T0, limit=20, also=stories[7].pk)):
        with CaptureQueriesContext(connection) as captured:
            read()
        statement = captured.captured_queries[0]["sql"]
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute("EXPLAIN " + statement)
                plan = " ".join(row[0] for row in cursor.fetchall())
                # Not a walk of the table or of an index of it, testing each row.
                assert "newsroom_story_pkey on newsroom_story" in plan, plan
                assert "hashed SubPlan" not in plan, plan
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + statement)
                plan = " ".join(str(row[-1]) for row in cursor.fetchall())
                assert "SCAN s" not in plan and "SCAN newsroom_story" not in plan, plan


@pytest.mark.django_db
def test_a_new_storys_terms_are_inserted_without_a_delete(stories):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fresh = Story.objects.create(headline="New", first_published_at=T0, last_published_at=T0)
    with CaptureQueriesContext(connection) as captured:
        tables.store_story_terms(fresh.pk, ["quake", "dam"], T0, new=True)
    assert not any(q["sql"].startswith("DELETE") for q in captured.captured_queries)
    assert sorted(StoryTerm.objects.filter(story=fresh).values_list("term", flat=True)) == [
        "dam", "quake"]
    with CaptureQueriesContext(connection) as captured:
        tables.store_story_terms(fresh.pk, ["dam"], T0)
    assert captured.captured_queries[0]["sql"].startswith("DELETE")
    assert list(StoryTerm.objects.filter(story=fresh).values_list("term", flat=True)) == ["dam"]


@pytest.mark.django_db
def test_source_lines_in_a_batch_are_read_as_if_written_at_once():
    """Inside the stage's batch each article's lines are counted in memory and written as
    the batch ends; both readers (the article's own features, the candidates' boilerplate)
    see what one write per article would have left; a failed turn's lines go with it."""
    from wiredesk.newsroom.intelligence import DbLineMemory
    from wiredesk.newsroom.intelligence.store import repeated_lines_of
    from wiredesk.newsroom.runs import batch, batch_savepoint
    from wiredesk.wire.similarity import BOILERPLATE_MIN_ITEMS as MIN

    SourceLine.objects.bulk_create([SourceLine(source="agency:1", key=1, items=MIN - 1),
                                    SourceLine(source="agency:1", key=2, items=MIN - 2),
                                    SourceLine(source="agency:2", key=1, items=MIN)])
    turns = [("agency:1", [1, 2, 3, 3]), ("agency:2", [4]), ("agency:1", [2, 3]),
             ("agency:1", [3, 5])] + [("agency:1", [5])] * MIN

    def run(in_batch: bool) -> list:
        seen = []
        for n, (source, keys) in enumerate(turns):
            memory = DbLineMemory()
            if in_batch and n == 1:
                with pytest.raises(RuntimeError), batch_savepoint():
                    memory.remember("agency:1", [7, 8])
                    raise RuntimeError("this turn fails")
            wanted = {"agency:1": {1, 2, 3, 5, 7}, "agency:2": {1, 4}}
            seen.append((memory.repeated(source, [1, 2, 3, 4, 5, 7]),
                         repeated_lines_of(wanted)))
            memory.remember(source, keys)
        return seen

    def stored():
        return sorted(SourceLine.objects.values_list("source", "key", "items"))

    with transaction.atomic():
        immediate, after_immediate = run(False), stored()
        transaction.set_rollback(True)
    with transaction.atomic():
        with batch():
            batched = run(True)
            assert len(stored()) == 3  # nothing written before the batch ends
        after_batch = stored()
    assert batched == immediate
    assert immediate[1][0] == {1} and immediate[2][0] == {1}  # agency:1, key 2 one short
    assert immediate[-1][1]["agency:1"] == {1, 2, 5} | ({3} if MIN <= 3 else set())
    assert after_batch == after_immediate
    assert not any(key in (7, 8) for _source, key, _n in after_batch)


@pytest.mark.django_db
def test_story_rows_read_again_are_kept_only_while_every_column_is_unchanged(stories):
    first = story_reads.story_rows([stories[1].pk, stories[2].pk])
    again = story_reads.story_rows([stories[2].pk, stories[1].pk])
    assert [a is b for a, b in zip(first, again, strict=True)] == [True, True]
    # A centroid of the same length, one figure changed; a size; a time.
    Story.objects.filter(pk=stories[1].pk).update(centroid={"quake": 3.0, "t1": 0.5})
    Story.objects.filter(pk=stories[2].pk).update(size=99)
    changed = {r.pk: r for r in story_reads.story_rows([stories[1].pk, stories[2].pk])}
    assert changed[stories[1].pk].centroid == {"quake": 3.0, "t1": 0.5}
    assert changed[stories[2].pk].size == 99
    assert changed[stories[2].pk].centroid is again[0].centroid  # same text: shared


@pytest.mark.django_db
def test_recent_members_are_the_orm_rows_in_its_order(stories):
    from wiredesk.newsroom.models import ArticleSignature

    story = stories[0]
    made = [_article(500 + n, story, at=T0 + timedelta(minutes=n % 3)) for n in range(8)]
    for n, article in enumerate(made):
        _signed(article, at=article.published_at,
                vector={"quake": 0.1 * n, "ünïcode": 1 / (n + 3), "z": n})
    ArticleSignature.objects.filter(article=made[4]).update(anchors=["Tarven", "2025"])
    Article.objects.filter(pk=made[1].pk).update(duplicate_of=made[0])
    Article.objects.filter(pk=made[2].pk).update(status=Article.Status.KILLED)
    _signed(_article(520, stories[1], at=T0), at=T0)
    for limit in (20, 3):
        expected = list(ArticleSignature.objects.filter(
            article__story=story, article__duplicate_of__isnull=True)
            .exclude(article__status=Article.Status.KILLED)
            .order_by("-published_at", "-article_id").values_list("vector", "anchors")[:limit])
        found = story_reads.recent_members(story.pk, limit=limit)
        assert found == expected
        assert [list(v) for v, _a in found] == [list(v) for v, _a in expected]
    assert len(story_reads.recent_members(story.pk, limit=20)) == 6
    # Read again unchanged: the same decoded objects, on a driver that hands over text.
    from django.db import connection

    again = story_reads.recent_members(story.pk, limit=3)
    if connection.vendor == "sqlite":
        assert again[0][0] is story_reads.recent_members(story.pk, limit=3)[0][0]


@pytest.mark.django_db
def test_split_members_are_the_orm_rows_in_its_order(stories):
    from wiredesk.newsroom.models import ArticleSignature

    story = stories[0]
    made = [_article(600 + n, story, at=T0 + timedelta(minutes=n % 3)) for n in range(8)]
    for n, article in enumerate(made):
        _signed(article, at=article.published_at, vector={"quake": 0.1 * n, "z": n})
    ArticleSignature.objects.filter(article=made[4]).update(anchors=["Tarven"])
    Article.objects.filter(pk=made[5].pk).update(intel_locked=True)
    Article.objects.filter(pk=made[1].pk).update(duplicate_of=made[0])
    Article.objects.filter(pk=made[2].pk).update(status=Article.Status.KILLED)
    _signed(_article(620, stories[1], at=T0), at=T0)
    for own in (made[3], made[0]):
        for limit in (20, 3):
            expected = list(ArticleSignature.objects.filter(
                article__story=story, article__duplicate_of__isnull=True)
                .exclude(article=own).exclude(article__status=Article.Status.KILLED)
                .order_by("-published_at", "-article_id")
                .values_list("article_id", "vector", "anchors", "article__intel_locked",
                             "published_at")[:limit])
            found = story_reads.split_members(story.pk, article_id=own.pk, limit=limit)
            assert found == expected
            assert [type(row[3]) for row in found] == [bool] * len(found)
    assert [row[0] for row in story_reads.split_members(story.pk, article_id=made[3].pk,
                                                        limit=20)] == \
        [made[n].pk for n in (5, 7, 4, 6, 0)]


@pytest.mark.django_db
def test_a_story_model_made_from_its_row_is_the_model_as_the_orm_reads_it(stories):
    from wiredesk.wire import similarity

    Story.objects.filter(pk=stories[2].pk).update(centroid={"quake": 0.25, "ünïcode": 0.5},
                                                  anchors={"Tarven": 2})
    for row in story_reads.story_rows([s.pk for s in stories]):
        made = story_reads.story_model(row)
        expected = Story.objects.get(pk=row.pk)
        assert isinstance(made, Story) and not made._state.adding
        for field in Story._meta.concrete_fields:
            assert getattr(made, field.attname) == getattr(expected, field.attname), field.name
        assert row.norm == similarity.norm(expected.centroid)
        # The model's JSON is its own: changing it leaves the (shared) row as read.
        assert made.centroid is not row.centroid and made.anchors is not row.anchors
    made = story_reads.story_model(story_reads.story_rows([stories[2].pk])[0])
    made.size = 41
    made.save(update_fields=["size"])
    assert Story.objects.get(pk=stories[2].pk).size == 41


@pytest.mark.django_db
def test_all_members_and_the_live_span_are_what_the_orm_reads(stories):
    from django.db.models import Max, Min

    from wiredesk.newsroom.models import ArticleSignature

    story = stories[0]
    made = [_article(700 + n, story, at=T0 + timedelta(minutes=(5 - n) % 4)) for n in range(7)]
    for n, article in enumerate(made):
        _signed(article, at=article.published_at, vector={"quake": 0.1 * n, "ünïcode": n})
    ArticleSignature.objects.filter(article=made[3]).update(anchors=["Tarven", "2025"])
    Article.objects.filter(pk=made[1].pk).update(duplicate_of=made[0])
    Article.objects.filter(pk=made[2].pk).update(status=Article.Status.KILLED)
    _article(720, story, at=T0 - timedelta(days=1))  # no signature: counted, not a member
    _signed(_article(721, stories[1], at=T0), at=T0)  # another story's
    expected = list(ArticleSignature.objects.filter(
        article__story=story, article__duplicate_of__isnull=True)
        .exclude(article__status=Article.Status.KILLED)
        .order_by("published_at", "article_id").values_list("vector", "anchors"))
    assert story_reads.all_members(story.pk) == [tuple(row) for row in expected]
    assert len(expected) == 5
    alive = Article.objects.filter(story=story).exclude(status=Article.Status.KILLED)
    dates = alive.aggregate(first=Min("published_at"), last=Max("published_at"))
    assert story_reads.live_span(story.pk) == (alive.count(), dates["first"], dates["last"])
    assert story_reads.live_span(story.pk)[:2] == (7, T0 - timedelta(days=1))
    assert story_reads.live_span(stories[7].pk) == (0, None, None)
    assert story_reads.all_members(stories[7].pk) == []


def test_members_are_decoded_once_per_text_and_the_memory_is_bounded(monkeypatch):
    """A member's vector met again is the object decoded the first time (what the step's
    own caches key on), until the bound evicts its text, oldest unused first."""
    monkeypatch.setattr(story_reads, "_members_decoded", type(story_reads._members_decoded)())
    monkeypatch.setattr(story_reads, "_MEMBERS_DECODED_KEPT", 3)
    texts = [f'{{"term{n}": 0.{n}1}}' for n in range(5)]
    first = story_reads._decode_member(texts[0])
    assert first == {"term0": 0.01}
    assert story_reads._decode_member(texts[0]) is first
    for text in texts[1:3]:
        story_reads._decode_member(text)
    story_reads._decode_member(texts[0])  # used again: the newest now
    story_reads._decode_member(texts[3])  # evicts texts[1], the oldest unused
    assert len(story_reads._members_decoded) == 3
    assert list(story_reads._members_decoded) == [texts[2], texts[0], texts[3]]
    assert story_reads._decode_member(texts[0]) is first
    assert story_reads._decode_member(texts[1]) == {"term1": 0.11}  # decoded afresh


def test_the_members_memory_holds_a_busy_days_members():
    """Sized for the members a long-running stage meets (BENCHMARKS.md): the stories'
    bound (two texts for each of ~2,000 members) made it decode the same members again."""
    assert story_reads._MEMBERS_DECODED_KEPT >= 4 * story_reads._DECODED_KEPT
