"""Issue 16 item 6: ranking newest first in windows, stopped early, is exact.

Very common queries are ranked window by window of article ids, newest first, and the walk
stops when no older match can reach the page under the recency-weighted score. These tests
compare every page with the ranking of every match (``many=False``), on an archive where
ids and publication times disagree (backdated and late-published articles), with filters
and an edition that carries only part of the archive.
"""

import importlib
import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wiredesk.editions.models import Edition, Placement
from wiredesk.newsroom.models import Agency, Article, Section
from wiredesk.search import services as search_services
from wiredesk.search.backends import backend_for, pg_count, postgres, windows
from wiredesk.search.query import parse_query
from wiredesk.search.services import SearchFilters, index_articles, row_scope, scope_queryset

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
WORDS = ["harbour", "storm", "ferry", "council", "budget", "rail", "school", "river"]
ARTICLES = 400
PAGE = 5


@pytest.fixture(autouse=True)
def small_id_blocks(monkeypatch):
    """PostgreSQL: id blocks of 2, 8 and 32 ids (before the archive is indexed), so the
    400 articles' windows are covered by blocks of every size."""
    monkeypatch.setattr(postgres, "ID_BLOCK_SHIFTS", (1, 3, 5))


def sentence(rng: random.Random, words: int, *, common: int = 0) -> str:
    picked = rng.choices(WORDS, weights=[8, 4, 3, 2, 2, 1, 1, 1], k=words)
    return " ".join(["harbour"] * common + picked)


@pytest.fixture
def archive(monkeypatch):
    """400 articles over 200 days, ids growing with time except a few: backdated items
    (new id, old time) and late ones (old id, published recently, as an embargo does)."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    rng = random.Random(16)
    agencies = [Agency.objects.create(code=code, name=code) for code in ("AAA", "BBB")]
    sections = [Section.objects.create(slug=slug, name=slug) for slug in ("city", "sport")]
    edition = Edition.objects.create(name="Port", slug="port", time_zone="UTC")
    articles, placements = [], []
    for n in range(ARTICLES):
        published = NOW - timedelta(hours=(ARTICLES - n) * 12)
        if n % 37 == 5:
            published = NOW - timedelta(hours=rng.randrange(1, 48))  # old id, recent time
        if n % 41 == 7:
            published = NOW - timedelta(days=rng.randrange(150, 300))  # new id, old time
        # A few old articles are very strong matches: they may still reach deep pages.
        headline = sentence(rng, 6, common=6 if n % 53 == 0 or n == 5 else 0).capitalize()
        body = sentence(rng, 40)
        articles.append(Article(
            id=n + 1, agency=agencies[n % 2], identity=f"id{n}", fingerprint="x",
            headline=headline, slug=f"a-{n}", lead=body[:100], teaser=body[:100],
            body_html=f"<p>{body}</p>", language="en", published_at=published,
            first_seen_at=published, modified_at=published, section=sections[n % 3 % 2]))
        if n % 5 != 4:  # the edition carries four articles in five
            placements.append(Placement(edition=edition, article_id=n + 1, placed_at=published,
                                        published_at=published))
    Article.objects.bulk_create(articles)
    Placement.objects.bulk_create(placements)
    index_articles(Article.objects.all(), fresh=True)
    return edition


def ranked_ids(edition, raw, filters, *, many, page, page_size=PAGE):
    scope_sql, scope_params = scope_queryset(edition, filters).query.sql_with_params()
    with connection.cursor() as cursor:
        hits = backend_for(connection).search(
            cursor, scope_sql=scope_sql, scope_params=scope_params, query=parse_query(raw),
            limit=page_size, offset=(page - 1) * page_size, many=many, now=NOW)
    return [(hit.article_id, round(hit.score, 12)) for hit in hits]


# (section slug, agency code, since, until)
FILTERS = [
    (None, None, None, None),
    ("sport", None, None, None),
    (None, "BBB", None, None),
    (None, None, NOW - timedelta(days=120), NOW - timedelta(days=3)),
]


def resolved(section, agency, since, until) -> SearchFilters:
    return SearchFilters(
        section=Section.objects.get(slug=section) if section else None,
        agency=Agency.objects.get(code=agency) if agency else None, since=since, until=until)


@pytest.mark.parametrize("raw", ["harbour", "storm ferry", '"harbour storm"', "council"])
@pytest.mark.parametrize("filter_index", range(len(FILTERS)))
def test_windowed_ranking_equals_ranking_every_match(archive, monkeypatch, raw, filter_index):
    monkeypatch.setattr(windows, "FIRST_WINDOW", 8)
    monkeypatch.setattr(windows, "GROWTH", 2)
    filters = resolved(*FILTERS[filter_index])
    every = ranked_ids(archive, raw, filters, many=False, page=1, page_size=ARTICLES)
    assert every, "the query matches nothing: the comparison would prove nothing"
    pages = -(-len(every) // PAGE)
    for page in range(1, pages + 2):
        windowed = ranked_ids(archive, raw, filters, many=True, page=page)
        assert windowed == every[(page - 1) * PAGE:page * PAGE], (raw, page)


def test_the_walk_stops_before_the_oldest_match_yet_finds_late_published_ones(archive,
                                                                            monkeypatch):
    monkeypatch.setattr(windows, "FIRST_WINDOW", 8)
    monkeypatch.setattr(windows, "GROWTH", 2)
    late = Article.objects.get(pk=5 + 1)  # n = 5: an old id published hours ago
    every = ranked_ids(archive, "harbour", SearchFilters(), many=False, page=1)
    with CaptureQueriesContext(connection) as queries:
        first = ranked_ids(archive, "harbour", SearchFilters(), many=True, page=1)
    assert first == every
    ranking = [q["sql"] for q in queries.captured_queries if "scope.published_at" in q["sql"]]
    # Windows of 8, 16, 32, ... ids: the whole archive would take 6 of them; the late
    # articles below the last window are ranked by their ids, in one more query.
    assert 2 <= len(ranking) < 6
    assert "harbour" in late.headline.lower()
    assert late.pk in [article_id for article_id, _ in first]


def test_search_edition_ranks_very_common_queries_exactly(archive, monkeypatch):
    monkeypatch.setattr(windows, "FIRST_WINDOW", 16)
    monkeypatch.setattr(search_services, "COUNT_CAP", 10)  # every query counts as "many"
    every = ranked_ids(archive, "harbour", SearchFilters(), many=False, page=1,
                       page_size=ARTICLES)
    for page in (1, 2, 7):
        results = search_services.search_edition(archive, "harbour", page=page, page_size=PAGE)
        assert results.total == 10  # capped
        assert [hit.article.pk for hit in results.hits] == \
            [article_id for article_id, _ in every[(page - 1) * PAGE:page * PAGE]]


@pytest.mark.parametrize("shifts", [(1, 3, 5), (6, 9, 12, 15, 18, 21, 24, 27)])
def test_id_blocks_cover_a_range_and_little_more(monkeypatch, shifts):
    monkeypatch.setattr(postgres, "ID_BLOCK_SHIFTS", shifts)
    finest = 1 << shifts[0]
    rng = random.Random(6)
    for _ in range(300):
        low = rng.randrange(0, 3_000_000)
        high = low + rng.choice([1, 7, 64, 512, 4096, 32768, 262144, rng.randrange(1, 10**6)])
        held = []
        for lexeme in postgres.covering_blocks(low, high):
            _, shift, block = lexeme.split(" ")
            size = 1 << int(shift)
            held.append((int(block) * size, (int(block) + 1) * size))
        held.sort()
        assert held[0][0] <= low and held[-1][1] >= high, (low, high)
        assert held[0][0] > low - finest and held[-1][1] < high + finest, (low, high)
        assert all(a[1] == b[0] for a, b in itertools.pairwise(held)), "contiguous, disjoint"
        # A few per size at each end, and the largest blocks in between.
        few = 2 * len(shifts) * (1 << (shifts[1] - shifts[0]))
        assert len(held) <= few + ((high - low) >> shifts[-1]), len(held)
        # An article in the range is in one of the blocks: its lexemes name one.
        article_id = rng.randrange(low, high)
        assert set(postgres.id_block_lexemes(article_id)) & set(
            postgres.covering_blocks(low, high))


def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's index")


def test_id_blocks_change_no_rank_and_are_what_the_migration_writes(archive):
    postgres_only()
    migration = importlib.import_module("wiredesk.search.migrations.0004_id_blocks")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT article_id, document::text FROM {postgres.TABLE} ORDER BY 1")
        indexed = cursor.fetchall()
        # The index as an installation before 0004 has it: no blocks.
        cursor.execute(f"UPDATE {postgres.TABLE} SET document = ts_filter(document, '{{a,b,c,d}}')"
                       " WHERE article_id % 2 = 0")
        cursor.execute(f"SELECT article_id FROM {postgres.TABLE} WHERE document @@ %s::tsquery",
                       (postgres.any_of_sql_value(["id 1 5"]),))
        assert [row[0] for row in cursor.fetchall()] == [11]  # 10 lost its blocks
        cursor.execute(
            f"SELECT count(*) FROM {postgres.TABLE}, plainto_tsquery('english', 'harbour') q,"
            " phraseto_tsquery('english', 'harbour storm') p"
            " WHERE ts_rank_cd(document, q) <> ts_rank_cd(ts_filter(document, '{a,b,c,d}'), q)"
            " OR ts_rank_cd(document, p) <> ts_rank_cd(ts_filter(document, '{a,b,c,d}'), p)")
        assert cursor.fetchone()[0] == 0
        migration.add_id_blocks(None, type("Editor", (), {"connection": connection}))
        cursor.execute(f"SELECT article_id, document::text FROM {postgres.TABLE} ORDER BY 1")
        assert cursor.fetchall() == indexed
        assert all("'id 5 " in document for _, document in indexed)
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s",
                       (f"{postgres.TABLE}_document_gin",))
        assert "gin (document)" in cursor.fetchone()[0]


def test_a_killed_article_leaves_the_windowed_ranking_at_once(archive, monkeypatch):
    monkeypatch.setattr(windows, "FIRST_WINDOW", 8)
    monkeypatch.setattr(windows, "GROWTH", 2)
    first = ranked_ids(archive, "harbour", SearchFilters(), many=True, page=1)
    killed = Article.objects.get(pk=first[0][0])
    killed.status = Article.Status.KILLED
    killed.save()  # the receiver drops its index row in the same transaction
    after = ranked_ids(archive, "harbour", SearchFilters(), many=True, page=1)
    assert killed.pk not in [article_id for article_id, _ in after]
    assert after == ranked_ids(archive, "harbour", SearchFilters(), many=False, page=1)


def count_of(edition, raw, filters, cap) -> int:
    with connection.cursor() as cursor:
        return backend_for(connection).count(
            cursor, scope_sql="", scope_params=(), query=parse_query(raw), cap=cap,
            row_scope=row_scope(edition, filters))


@pytest.mark.parametrize("raw", ["harbour", "storm ferry", '"river rail"', "nothingmatches"])
@pytest.mark.parametrize("filter_index", range(len(FILTERS)))
def test_a_count_among_the_newest_is_the_capped_count_of_every_match(archive, monkeypatch, raw,
                                                                     filter_index):
    postgres_only()
    filters = resolved(*FILTERS[filter_index])
    every = count_of(archive, raw, filters, ARTICLES + 1)  # 400 ids: counted whole, at once
    # Every query that matches among the newest 16 ids is counted among the newest first.
    monkeypatch.setattr(pg_count, "PROBE", 16)
    monkeypatch.setattr(pg_count, "FROM_SPAN", 32)
    monkeypatch.setattr(pg_count, "DENSE", 1.01)
    among_newest = []
    for cap in (1, 3, 10, 40, every, every + 1):
        with CaptureQueriesContext(connection) as queries:
            assert count_of(archive, raw, filters, cap) == min(cap, every), (raw, cap)
        among_newest.append("d.article_id + 0 >=" in queries.captured_queries[-1]["sql"])
    if raw != "nothingmatches":
        assert any(among_newest), "no count ended among the newest: the test proves nothing"
        assert not all(among_newest)  # a cap above the matches is counted in the whole archive


def test_a_small_archive_is_counted_in_one_statement(archive):
    postgres_only()
    with CaptureQueriesContext(connection) as queries:
        assert count_of(archive, "harbour", SearchFilters(), 10) == 10
    assert len([q for q in queries.captured_queries if "search_document" in q["sql"]]) == 1


def test_the_walk_reads_down_to_the_cut_off_without_asking_first_how_far(archive, monkeypatch):
    monkeypatch.setattr(windows, "FIRST_WINDOW", 8)
    monkeypatch.setattr(windows, "GROWTH", 2)
    monkeypatch.setattr(windows, "MAX_LATE", 4)
    every = ranked_ids(archive, "council", SearchFilters(), many=False, page=1)
    with CaptureQueriesContext(connection) as queries:
        assert ranked_ids(archive, "council", SearchFilters(), many=True, page=1) == every
    asked = ["late" if "status IN" in q["sql"] else "boundary" if "ORDER BY published_at" in
             q["sql"] else "window" for q in queries.captured_queries
             if "newsroom_article" in q["sql"] or "rank0" in q["sql"]]
    # The page is full after the first window: the next one reaches down to where the
    # cut-off is in time, found once, with no question first about how many ids are
    # between; only then are the late articles below asked for.
    assert asked[:3] == ["window", "boundary", "window"], asked
    assert asked.count("boundary") == 1 and "late" in asked, asked


def test_a_query_too_sparse_for_the_newest_to_pay_is_counted_whole_after_the_probe(archive,
                                                                                  monkeypatch):
    postgres_only()
    monkeypatch.setattr(pg_count, "PROBE", 16)
    monkeypatch.setattr(pg_count, "FROM_SPAN", 32)
    monkeypatch.setattr(pg_count, "DENSE", 1.01)
    # The newest 15 ids would hold the cap of 10 (the test's first round); a whole archive
    # expected to hold fewer than 400 caps' worth is counted whole instead (the second).
    for whole_over_cap, among_newest in ((4, True), (ARTICLES, False)):
        monkeypatch.setattr(pg_count, "WHOLE_OVER_CAP", whole_over_cap)
        with CaptureQueriesContext(connection) as queries:
            assert count_of(archive, "harbour", SearchFilters(), 10) == 10
        counts = [q["sql"] for q in queries.captured_queries if "search_document" in q["sql"]]
        assert len(counts) == 3, counts  # the span, the probe, then one count
        assert ("d.article_id + 0 >=" in counts[-1]) == among_newest, counts
