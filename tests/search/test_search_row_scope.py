"""Issue 16 item 6: PostgreSQL tests an edition's scope in the search row.

Each search row holds its article's status, embargo end, publication time, section, agency
and editions, written with the row and kept right by triggers on the article and placement
tables. These tests change those through every kind of write (saves, bulk ``update()`` and
``delete()`` that no receiver sees, placements moved) and check after each that the rows
still say what the tables say, that searches follow at once, and that the ranking with the
scope in the row is the ranking with the scope joined, page for page, filters included.
"""

import importlib
import threading
from datetime import timedelta

import pytest
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from tests.search.test_search_windows import (  # noqa: F401 (fixtures)
    ARTICLES,
    FILTERS,
    NOW,
    PAGE,
    archive,
    resolved,
    small_id_blocks,
)
from wiredesk.editions.models import Edition, Placement
from wiredesk.newsroom.models import Article, Section
from wiredesk.search.backends import backend_for, pg_scope, postgres
from wiredesk.search.query import parse_query
from wiredesk.search.services import (
    SearchFilters,
    row_scope,
    scope_queryset,
    search_edition,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL keeps the scope in the search row")


def rows_unlike_their_tables() -> list[int]:
    """Ids of search rows whose scope is not what the article and its placements say."""
    columns = ", ".join(f"d.{column}" for column in pg_scope.SCOPE_COLUMNS)
    from_tables = ", ".join(sql for _type, sql in pg_scope.SCOPE_COLUMNS.values())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT d.article_id FROM {postgres.TABLE} d"
                       " JOIN newsroom_article a ON a.id = d.article_id"
                       f" WHERE ({columns}) IS DISTINCT FROM ({from_tables})")
        return [row[0] for row in cursor.fetchall()]


def found(edition, raw, **filters) -> list[int]:
    results = search_edition(edition, raw, filters=SearchFilters(**filters), page_size=50)
    return [hit.article.pk for hit in results.hits]


def test_the_row_scope_follows_every_kind_of_write(archive):  # noqa: F811
    port = archive
    bay = Edition.objects.create(name="Bay", slug="bay", time_zone="UTC")
    article = Article.objects.filter(placements__edition=port,
                                     headline__icontains="harbour").order_by("-id").first()
    assert rows_unlike_their_tables() == []
    assert article.pk in found(port, "harbour")

    # Bulk writes no receiver sees: a hold, an embargo, each undone.
    Article.objects.filter(pk=article.pk).update(status=Article.Status.HELD)
    assert rows_unlike_their_tables() == [] and article.pk not in found(port, "harbour")
    Article.objects.filter(pk=article.pk).update(status=Article.Status.PUBLISHED,
                                                 embargo_until=NOW + timedelta(hours=1))
    assert rows_unlike_their_tables() == [] and article.pk not in found(port, "harbour")
    Article.objects.filter(pk=article.pk).update(embargo_until=NOW - timedelta(minutes=1))
    assert article.pk in found(port, "harbour")

    # Section, agency and publication time, which the filters read.
    sport = Section.objects.get(slug="sport")
    Article.objects.filter(pk=article.pk).update(section=sport)
    assert article.pk in found(port, "harbour", section=sport)
    Article.objects.filter(pk=article.pk).update(published_at=NOW - timedelta(days=400))
    assert rows_unlike_their_tables() == []
    assert article.pk not in found(port, "harbour", since=NOW - timedelta(days=30))
    Article.objects.filter(pk=article.pk).update(published_at=NOW - timedelta(hours=1))
    assert article.pk in found(port, "harbour", since=NOW - timedelta(days=30))

    # Placements: deleted in bulk, made in bulk, moved to another edition.
    Placement.objects.filter(article=article).delete()
    assert rows_unlike_their_tables() == [] and article.pk not in found(port, "harbour")
    Placement.objects.bulk_create([Placement(edition=bay, article=article, published_at=NOW),
                                   Placement(edition=port, article=article, published_at=NOW)])
    assert rows_unlike_their_tables() == []
    assert article.pk in found(port, "harbour") and article.pk in found(bay, "harbour")
    Placement.objects.filter(article=article, edition=port).update(
        article=Article.objects.exclude(placements__edition=port).first())
    assert rows_unlike_their_tables() == []
    assert article.pk not in found(port, "harbour") and article.pk in found(bay, "harbour")

    # A save through the model, and a row written again (an edit): still the tables' state.
    article.refresh_from_db()
    article.status = Article.Status.HELD
    article.headline = article.headline + " again"
    article.save()
    assert rows_unlike_their_tables() == [] and article.pk not in found(bay, "harbour")


def test_an_article_gone_by_raw_sql_takes_its_row_with_it(archive):  # noqa: F811
    article = Article.objects.filter(placements__edition=archive,
                                     headline__icontains="harbour").order_by("-id").first()
    assert article.pk in found(archive, "harbour")
    with connection.cursor() as cursor:  # no receiver sees it
        cursor.execute("DELETE FROM editions_placement WHERE article_id = %s", [article.pk])
        cursor.execute("DELETE FROM newsroom_article WHERE id = %s", [article.pk])
        cursor.execute(f"SELECT count(*) FROM {postgres.TABLE} WHERE article_id = %s",
                       [article.pk])
        assert cursor.fetchone()[0] == 0


def test_articles_truncated_take_the_index_with_them(archive):  # noqa: F811
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the fixture's checks, before
        cursor.execute("TRUNCATE newsroom_article CASCADE")
        cursor.execute(f"SELECT count(*) FROM {postgres.TABLE}")
        assert cursor.fetchone()[0] == 0


@pytest.mark.parametrize("raw", ["harbour", "storm ferry", '"harbour storm"'])
def test_the_scope_in_the_row_ranks_as_the_scope_joined(archive, raw):  # noqa: F811
    # Some articles held, some under embargo, some no longer carried, all by bulk writes.
    Article.objects.filter(pk__in=range(3, ARTICLES, 23)).update(status=Article.Status.HELD)
    Article.objects.filter(pk__in=range(9, ARTICLES, 31)).update(
        embargo_until=NOW + timedelta(days=1))
    Placement.objects.filter(article_id__in=range(2, ARTICLES, 19)).delete()
    backend = backend_for(connection)
    for filters in map(lambda f: resolved(*f), FILTERS):
        scope_sql, scope_params = scope_queryset(archive, filters).query.sql_with_params()
        scope = row_scope(archive, filters)
        assert scope.now == NOW
        with connection.cursor() as cursor:
            joined = backend.count(cursor, scope_sql=scope_sql, scope_params=scope_params,
                                   query=parse_query(raw), cap=ARTICLES)
            in_row = backend.count(cursor, scope_sql="", scope_params=(), row_scope=scope,
                                   query=parse_query(raw), cap=ARTICLES)
            assert in_row == joined > 0
            for many in (False, True):
                for page in range(1, -(-joined // PAGE) + 2):
                    pages = [[(hit.article_id, round(hit.score, 12)) for hit in backend.search(
                        cursor, scope_sql=sql, scope_params=params, row_scope=scoped,
                        query=parse_query(raw), limit=PAGE, offset=(page - 1) * PAGE,
                        many=many, now=NOW)]
                        for sql, params, scoped in ((scope_sql, scope_params, None),
                                                    ("", (), scope))]
                    assert pages[0] == pages[1], (raw, filters, many, page)


@pytest.mark.django_db(transaction=True)
def test_a_placement_written_while_its_article_is_written_waits_for_it(archive):  # noqa: F811
    # Else an article indexed again while a placement changed could keep the editions its
    # statement read before the placement committed.
    article = Article.objects.filter(placements__edition=archive).first()
    bay = Edition.objects.create(name="Bay", slug="bay", time_zone="UTC")
    outcomes = []

    def place_in_bay():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '300ms'")
                Placement.objects.create(edition=bay, article=article, published_at=NOW)
            outcomes.append("placed")
        except OperationalError as exc:
            outcomes.append(type(exc.__cause__).__name__)
        finally:
            connection.close()

    def in_another_connection(work):
        thread = threading.Thread(target=work)
        thread.start()
        thread.join()

    with transaction.atomic():
        Article.objects.filter(pk=article.pk).update(headline="Harbour news, edited")
        in_another_connection(place_in_bay)  # the article's row is held until the commit
    assert outcomes == ["LockNotAvailable"]
    in_another_connection(place_in_bay)
    assert outcomes[-1] == "placed"
    assert rows_unlike_their_tables() == [] and article.pk in found(bay, "harbour")


def test_the_migration_fills_the_scope_of_rows_made_before_it(archive):  # noqa: F811
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {postgres.TABLE} SET status = NULL, editions = NULL,"
                       " published_at = NULL, section_id = NULL")
    assert len(rows_unlike_their_tables()) == ARTICLES
    migration = importlib.import_module("wiredesk.search.migrations.0005_scope_in_row")

    class SchemaEditor:
        pass

    editor = SchemaEditor()
    editor.connection = connection
    migration.add_scope(None, editor)
    assert rows_unlike_their_tables() == []
    assert timezone.now() == NOW  # the archive's clock: nothing above read another


def test_the_gin_index_keeps_no_pending_list(archive):  # noqa: F811
    """Every search statement would read a GIN pending list whole: the index has none
    (``fastupdate`` off), made so (``create_schema``), and a migration takes an existing
    index's off, so what a live site stores between two vacuums is in the index itself."""

    def options(cursor) -> list[str]:
        cursor.execute("SELECT reloptions FROM pg_class WHERE oid = %s::regclass",
                       [postgres.GIN_INDEX])
        return cursor.fetchone()[0] or []

    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {postgres.GIN_INDEX}")
        backend_for(connection).create_schema(cursor)
        assert "fastupdate=off" in options(cursor)
        cursor.execute(f"ALTER INDEX {postgres.GIN_INDEX} RESET (fastupdate)")
        assert options(cursor) == []
        importlib.import_module("wiredesk.search.migrations.0006_gin_without_pending_list") \
            .no_pending_list(None, connection.schema_editor())
        assert "fastupdate=off" in options(cursor)
    assert search_edition(archive, "harbour").total  # still answers


def test_the_search_table_is_vacuumed_at_one_percent_of_dead_rows(archive):  # noqa: F811
    """Articles indexed again leave dead rows among the newest ids every search reads:
    autovacuum takes them at 1% of the table (``create_schema``, and a migration for an
    existing table), not PostgreSQL's default 20%."""

    def options(cursor) -> list[str]:
        cursor.execute("SELECT reloptions FROM pg_class WHERE oid = %s::regclass",
                       [pg_scope.TABLE])
        return cursor.fetchone()[0] or []

    expected = f"autovacuum_vacuum_scale_factor={postgres.VACUUM_SCALE_FACTOR}"
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {pg_scope.TABLE} RESET (autovacuum_vacuum_scale_factor)")
        assert options(cursor) == []
        backend_for(connection).create_schema(cursor)
        assert expected in options(cursor)
        cursor.execute(f"ALTER TABLE {pg_scope.TABLE} RESET (autovacuum_vacuum_scale_factor)")
        importlib.import_module("wiredesk.search.migrations.0007_search_table_vacuumed_sooner") \
            .vacuumed_sooner(None, connection.schema_editor())
        assert expected in options(cursor)
