"""Issue 16 item 6: PostgreSQL ranks the top of each window in SQL, Python ranks the page.

A window's statement sends back only the matches whose recency-weighted score, computed in
SQL, can be among the page's (``postgres.top_sql``); Python then ranks those from their
ranks as it always did. These tests build randomized archives (words repeated in headline
and body, so ranks vary; publication times that tie, are backdated or late) and compare
every page with a reference ranking made here, in Python, from every match's ts_rank_cd
read by a plain statement: if SQL's score drifted from Python's (another saturation, another
age, recency left out), the rows it keeps would not be the page's, and the pages differ.
"""

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from wiredesk.editions.models import Edition, Placement
from wiredesk.newsroom.models import Agency, Article, Section
from wiredesk.search.backends import backend_for, postgres, windows
from wiredesk.search.query import parse_query
from wiredesk.search.services import SearchFilters, index_articles, scope_queryset

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
WORDS = ["harbour", "storm", "ferry", "council", "budget", "rail", "school", "river"]
QUERIES = ["harbour", "storm", "storm ferry", '"harbour storm"', "council harbour rail",
           'ferry "storm harbour"']


@pytest.fixture(autouse=True)
def postgres_only(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's ranking in SQL")
    monkeypatch.setattr(postgres, "ID_BLOCK_SHIFTS", (1, 3, 5))  # before indexing


def text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choices(WORDS, weights=[6, 4, 3, 2, 2, 1, 1, 1], k=words))


def build_archive(seed: int, articles: int = 300) -> Edition:
    rng = random.Random(seed)
    agency = Agency.objects.create(code="AAA", name="AAA")
    section = Section.objects.create(slug="city", name="city")
    edition = Edition.objects.create(name="Port", slug="port", time_zone="UTC")
    rows, placements = [], []
    # A few times many articles share (ties broken by id), the rest spread over a year.
    shared = [NOW - timedelta(days=rng.uniform(0, 60)) for _ in range(5)]
    for n in range(articles):
        published = NOW - timedelta(hours=(articles - n) * rng.uniform(2, 30),
                                    microseconds=rng.randrange(10**6))
        if rng.random() < 0.15:
            published = rng.choice(shared)
        elif rng.random() < 0.05:
            published = NOW - timedelta(days=rng.uniform(200, 400))  # backdated
        elif rng.random() < 0.05:
            published = NOW - timedelta(minutes=rng.randrange(1, 3000))  # late
        headline = text(rng, rng.randrange(2, 10)).capitalize()
        body = text(rng, rng.randrange(5, 60))
        rows.append(Article(
            id=n + 1, agency=agency, identity=f"id{n}", fingerprint="x", headline=headline,
            slug=f"a-{n}", lead=body[:100], teaser=body[:100], body_html=f"<p>{body}</p>",
            language="en", published_at=published, first_seen_at=published,
            modified_at=published, section=section))
        if rng.random() < 0.9:
            placements.append(Placement(edition=edition, article_id=n + 1,
                                        placed_at=published, published_at=published))
    Article.objects.bulk_create(rows)
    Placement.objects.bulk_create(placements)
    index_articles(Article.objects.all(), fresh=True)
    return edition


def reference(edition, raw: str, now: datetime) -> list[tuple[int, float]]:
    """Every match in the edition ranked here: each word's and phrase's ts_rank_cd read
    by a plain statement, relevance and recency in Python, sorted by ``rank_key``."""
    query = parse_query(raw)
    parts = ([f"plainto_tsquery('english', '{term}')" for term in query.terms]
             + [f"phraseto_tsquery('english', '{' '.join(p)}')" for p in query.phrases])
    whole = " && ".join(parts)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.id, a.published_at, "
            + ", ".join(f"ts_rank_cd(d.document, {part})" for part in parts)
            + f" FROM {postgres.TABLE} d JOIN newsroom_article a ON a.id = d.article_id"
            " WHERE d.document @@ (" + whole + ") AND a.id IN"
            " (SELECT article_id FROM editions_placement WHERE edition_id = %s)",
            (edition.pk,))
        rows = cursor.fetchall()
    hits = [windows.Scored(row[0], windows.recency_weighted(
        sum(rank / (rank + 0.2) for rank in row[2:] if rank > 0), now, row[1]), row[1])
        for row in rows]
    return [(hit.article_id, hit.score) for hit in sorted(hits, key=windows.rank_key)]


def searched(edition, raw, *, many, offset, limit, now):
    scope_sql, scope_params = scope_queryset(edition, SearchFilters()).query.sql_with_params()
    with connection.cursor() as cursor:
        hits = backend_for(connection).search(
            cursor, scope_sql=scope_sql, scope_params=scope_params, query=parse_query(raw),
            limit=limit, offset=offset, many=many, now=now)
    return [(hit.article_id, hit.score) for hit in hits]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pages_ranked_in_sql_and_python_equal_the_reference(monkeypatch, seed):
    monkeypatch.setattr(windows, "FIRST_WINDOW", 8)
    monkeypatch.setattr(windows, "GROWTH", 2)
    edition = build_archive(seed)
    rng = random.Random(seed)
    for raw in QUERIES:
        for now in (NOW, NOW + timedelta(days=rng.uniform(1, 90), seconds=rng.random())):
            every = reference(edition, raw, now)
            assert len(every) > 20, raw  # else the comparison proves little
            for limit, offset in ((10, 0), (1, 0), (5, 5), (7, 13), (10, len(every) - 4)):
                expected = every[offset:offset + limit]
                for many in (False, True):
                    # The same rows, in the same order, with the same scores to the bit.
                    assert searched(edition, raw, many=many, offset=offset, limit=limit,
                                    now=now) == expected, (raw, now, limit, offset, many)


def test_the_statements_score_is_pythons():
    """SQL's score of every match equals Python's to float rounding (the slack the
    selection allows is far wider), and only a few rows per window come back."""
    edition = build_archive(7)
    for raw in QUERIES:
        query = parse_query(raw)
        languages = backend_for(connection).languages(connection.cursor())
        ranks, ranks_params = postgres.ranks_sql(query, languages)
        parts = len(query.terms) + len(query.phrases)
        score, score_params = postgres.score_sql(parts, NOW)
        tsq, tsq_params = postgres.tsquery_sql(query, languages)
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH matched AS (SELECT d.article_id, a.published_at, {ranks}"
                f" FROM {postgres.TABLE} d JOIN newsroom_article a ON a.id = d.article_id"
                f" WHERE d.document @@ ({tsq}))"
                f" SELECT matched.*, {score} FROM matched",
                (*ranks_params, *tsq_params, *score_params))
            rows = cursor.fetchall()
        assert len(rows) > 20
        for row in rows:
            python = windows.recency_weighted(postgres.relevance(row[2:2 + parts]), NOW, row[1])
            assert row[-1] == pytest.approx(python, rel=1e-6, abs=0), (raw, row)
    # The window's statement sends back the top and little more.
    returned = []
    scope_sql, scope_params = scope_queryset(edition, SearchFilters()).query.sql_with_params()
    with connection.cursor() as cursor:
        execute = cursor.execute

        def counting(sql, params=None):
            result = execute(sql, params)
            if sql.startswith("WITH matched"):
                returned.append(cursor.rowcount)
            return result

        cursor.execute = counting
        backend_for(connection).search(
            cursor, scope_sql=scope_sql, scope_params=scope_params,
            query=parse_query("harbour"), limit=3, offset=0, many=False, now=NOW)
    assert returned and all(count <= 6 for count in returned), returned
