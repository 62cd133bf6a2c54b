"""PostgreSQL's search rows hold their article's scope: the columns, the triggers that keep
them right on every write, and the test of a row against an edition's scope (``RowScope``).

Why and how the search reads them: ``backends.postgres``.
"""

from __future__ import annotations

from wiredesk.newsroom.models import Article
from wiredesk.search.backends import RowScope

TABLE = "search_document"

# The article's scope in its search row, each with its type and the SQL that reads it from
# the article ``a`` (the editions from its placements).
SCOPE_COLUMNS = {
    "status": ("text", "a.status"),
    "embargo_until": ("timestamptz", "a.embargo_until"),
    "published_at": ("timestamptz", "a.published_at"),
    "section_id": ("bigint", "a.section_id"),
    "agency_id": ("bigint", "a.agency_id"),
    "editions": ("bigint[]", "ARRAY(SELECT p.edition_id FROM editions_placement p"
                             " WHERE p.article_id = a.id ORDER BY p.edition_id)"),
}
ARTICLE_SCOPE = ("status", "embargo_until", "published_at", "section_id", "agency_id")
# Row triggers: an article's update that changes its scope, and a placement's insert,
# delete or move, write the scope of the article's search row again (if it has one: a
# killed article has none, and a row written later reads the tables itself). A placement's
# trigger first locks its article's row as an update of the article does: a search row is
# written only after its article's row is written (or, by a rebuild, locked) in the same
# transaction, so the two wait for each other and the later one reads what the earlier one
# committed (without it, an article indexed again while a placement changed could keep the
# editions it read before).
SCOPE_TRIGGERS = [
    f"""CREATE OR REPLACE FUNCTION search_document_article_scope() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN
        UPDATE {TABLE} SET {", ".join(f"{c} = NEW.{c}" for c in ARTICLE_SCOPE)}
        WHERE article_id = NEW.id;
        RETURN NULL;
    END $$""",
    f"""CREATE OR REPLACE TRIGGER search_document_article_scope AFTER UPDATE ON newsroom_article
    FOR EACH ROW WHEN ({" OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in ARTICLE_SCOPE)})
    EXECUTE FUNCTION search_document_article_scope()""",
    f"""CREATE OR REPLACE FUNCTION search_document_placement_scope() RETURNS trigger
    LANGUAGE plpgsql AS $$ DECLARE articles bigint[]; BEGIN
        IF TG_OP = 'INSERT' THEN articles := ARRAY[NEW.article_id];
        ELSIF TG_OP = 'DELETE' THEN articles := ARRAY[OLD.article_id];
        ELSE articles := ARRAY[OLD.article_id, NEW.article_id];
        END IF;
        PERFORM 1 FROM newsroom_article WHERE id = ANY(articles) FOR NO KEY UPDATE;
        UPDATE {TABLE} d SET editions = ARRAY(SELECT p.edition_id FROM editions_placement p
            WHERE p.article_id = d.article_id ORDER BY p.edition_id)
        WHERE d.article_id = ANY(articles);
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE TRIGGER search_document_placement_scope
    AFTER INSERT OR DELETE OR UPDATE OF article_id, edition_id ON editions_placement
    FOR EACH ROW EXECUTE FUNCTION search_document_placement_scope()""",
    # An article gone takes its row with it however it went (a raw DELETE, a TRUNCATE):
    # the join that used to hide such rows is not made any more.
    f"""CREATE OR REPLACE FUNCTION search_document_article_gone() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN
        IF TG_OP = 'TRUNCATE' THEN DELETE FROM {TABLE};
        ELSE DELETE FROM {TABLE} WHERE article_id = OLD.id;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE TRIGGER search_document_article_deleted AFTER DELETE ON newsroom_article
    FOR EACH ROW EXECUTE FUNCTION search_document_article_gone()""",
    """CREATE OR REPLACE TRIGGER search_document_articles_truncated
    AFTER TRUNCATE ON newsroom_article
    FOR EACH STATEMENT EXECUTE FUNCTION search_document_article_gone()""",
]


def create_scope_triggers(cursor) -> None:
    for statement in SCOPE_TRIGGERS:
        cursor.execute(statement)


def drop_scope_triggers(cursor) -> None:
    # CASCADE: the triggers go with their functions.
    cursor.execute("DROP FUNCTION IF EXISTS search_document_article_scope() CASCADE")
    cursor.execute("DROP FUNCTION IF EXISTS search_document_placement_scope() CASCADE")
    cursor.execute("DROP FUNCTION IF EXISTS search_document_article_gone() CASCADE")


def fill_scope(cursor) -> None:
    """Every row's scope read again from the tables (the migration that adds it)."""
    cursor.execute(f"UPDATE {TABLE} d SET "
                   + ", ".join(f"{column} = {sql}" for column, (_type, sql)
                               in SCOPE_COLUMNS.items())
                   + " FROM newsroom_article a WHERE a.id = d.article_id")


def row_scope_sql(scope: RowScope) -> tuple[str, list]:
    """SQL testing a search row ``d`` against the scope (``editions.selectors.public_q``,
    the edition's placements, the filters), and its parameters."""
    sql = (" AND d.status = %s AND (d.embargo_until IS NULL OR d.embargo_until <= %s)"
           " AND %s = ANY(d.editions)")
    params: list = [Article.Status.PUBLISHED.value, scope.now, scope.edition_id]
    for test, value in ((" AND d.section_id = %s", scope.section_id),
                        (" AND d.agency_id = %s", scope.agency_id),
                        (" AND d.published_at >= %s", scope.since),
                        (" AND d.published_at < %s", scope.until)):
        if value is not None:
            sql += test
            params.append(value)
    return sql, params
