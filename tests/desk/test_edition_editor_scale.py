"""An edition editor's held articles and audit log at a million articles (issue 14,
"Measured"; 3.4 s and 1.3 s at 1M before, times in BENCHMARKS.md from benchmarks/desk.py).
Pinned here: what they see, the same queries whatever the size, and the plans: the held
list walks the (status, published_at, id) index with one probe of (edition, article) per
article, and the log asks per entry whether the editor's editions carry its article (no
list of every article they carry, no hash of them on PostgreSQL, no cast of target_id)."""

from importlib import import_module

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler

from tests.newsroom.test_desk_admin_scale import archive, queries, site  # noqa: F401
from wiredesk.core.audit import record
from wiredesk.core.models import AuditEntry
from wiredesk.desk.views import audit_entries
from wiredesk.editions import roles
from wiredesk.editions.models import Placement
from wiredesk.newsroom.models import Article

pytestmark = pytest.mark.django_db

HELD = "/admin/newsroom/article/?shown=held"


@pytest.fixture
def euro_editor(client, site):  # noqa: F811
    """An editor of Euro Ledger, which carries every other article of the archive and
    none of its held ones (as the benchmark's Chile Sun): the list must not read the
    archive to find that out."""
    User.objects.create_user("ana", password="x", is_staff=True)
    roles.role_grant(actor="cli", username="ana", edition="euro-ledger")
    client.force_login(User.objects.get(username="ana"))
    return client


def plan(sql: str, params) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Tiny tables: a sequential scan is always cheapest; what is pinned is that
            # an index serves the query's order and filter when it matters.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def list_query(client, url: str) -> tuple[str, tuple]:
    """The list's page of articles (the query that orders them), as sent, and its plan."""
    seen = []
    original = SQLCompiler.execute_sql

    def spy(self, *args, **kwargs):
        if self.query.model is Article and self.query.order_by:
            seen.append(self.as_sql())
        return original(self, *args, **kwargs)

    SQLCompiler.execute_sql = spy
    try:
        assert client.get(url).status_code == 200
    finally:
        SQLCompiler.execute_sql = original
    assert seen, "the list read no page of articles"
    return seen[-1]


def test_an_edition_editor_sees_their_editions_held_articles_only(euro_editor, site):  # noqa: F811
    archive(site, 12)
    held = Article.objects.filter(status="held").order_by("pk")
    placed = held.first()
    Placement.objects.create(edition=site["editions"][1], article=placed,
                             published_at=placed.published_at)
    page = euro_editor.get(HELD).content.decode()
    assert placed.headline in page
    assert all(other.headline not in page for other in held[1:])


def test_an_edition_editors_held_list_costs_the_same_queries_small_and_large(
        euro_editor, site):  # noqa: F811
    held = next(a for a in archive(site, 5) if a.status == "held")
    Placement.objects.create(edition=site["editions"][1], article=held,
                             published_at=held.published_at)  # a page with rows
    small = queries(euro_editor, HELD)
    archive(site, 60)
    assert queries(euro_editor, HELD) == small


def test_an_edition_editors_held_list_walks_the_status_index(euro_editor, site):  # noqa: F811
    archive(site, 20)
    sql, params = list_query(euro_editor, HELD)
    shown = plan(sql, params)
    assert "article_status_time" in shown, shown
    if connection.vendor == "sqlite":
        # Not every article by time with a probe each (3 s at 1M), nor a sort.
        assert "SCAN newsroom_article" not in shown, shown
        assert "TEMP B-TREE" not in shown, shown
        assert "sqlite_autoindex_editions_placement_1 (edition_id=? AND article_id=?)" \
            in shown, shown
    else:
        assert "Index Scan Backward using article_status_time" in shown, shown
        assert "Sort" not in shown, shown


def test_record_keeps_an_articles_id_as_a_number(site):  # noqa: F811
    article = archive(site, 1)[0]
    assert record("cli", "article.edit", article).article_id == article.pk
    assert record("cli", "edition.edit", site["editions"][0]).article_id is None


def test_the_migration_fills_the_article_id_of_entries_written_before(db):
    migration = import_module("wiredesk.core.migrations.0003_audit_article_id")
    entries = AuditEntry.objects.bulk_create([
        AuditEntry(actor_label="cli", action="article.edit", target_type="article",
                   target_id="42"),
        AuditEntry(actor_label="cli", action="article.edit", target_type="article",
                   target_id="4x2"),
        AuditEntry(actor_label="cli", action="edition.edit", target_type="edition",
                   target_id="7")])
    with connection.cursor() as cursor:
        cursor.execute(migration.fill_sql(connection.vendor))
    assert [AuditEntry.objects.get(pk=e.pk).article_id for e in entries] == [42, None, None]


def test_an_edition_editor_reads_entries_about_what_their_editions_carry(
        euro_editor, site):  # noqa: F811
    articles = archive(site, 4)  # Euro Ledger carries the 1st and 3rd
    for article in articles:
        record("cli", "article.edit", article)
    record("cli", "front.feature", site["editions"][1], edition=site["editions"][1])
    record("cli", "front.feature", site["editions"][0], edition=site["editions"][0])
    ana = User.objects.get(username="ana")
    seen = {(e.target_type, e.target_id) for e in audit_entries(ana)}
    assert seen == {("article", str(articles[0].pk)), ("article", str(articles[2].pk)),
                    ("edition", str(site["editions"][1].pk)),
                    ("user", str(ana.pk))}  # the role's grant names the edition


def test_an_edition_editors_log_asks_per_entry_without_listing_their_articles(
        euro_editor, site):  # noqa: F811
    for article in archive(site, 20):
        record("cli", "article.edit", article)
    ana = User.objects.get(username="ana")
    sql, params = audit_entries(ana)[:101].query.sql_with_params()
    assert "CAST" not in sql.upper()
    shown = plan(sql, params)
    if connection.vendor == "sqlite":
        # The placements reached by the entry's article, never listed whole (the IN over
        # every article of the edition: 1.3 s at 1M).
        assert "LIST SUBQUERY" not in shown, shown
        assert "SCAN U0" not in shown and "SCAN editions_placement" not in shown, shown
        assert "TEMP B-TREE" not in shown, shown
    else:
        assert "hashed SubPlan" not in shown, shown


def test_an_edition_editors_log_costs_the_same_queries_small_and_large(
        euro_editor, site):  # noqa: F811
    for article in archive(site, 5):
        record("cli", "article.edit", article)
    small = queries(euro_editor, "/desk/audit/")
    for article in archive(site, 60):
        record("cli", "article.edit", article)
    assert queries(euro_editor, "/desk/audit/") == small
