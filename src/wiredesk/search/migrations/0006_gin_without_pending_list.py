from django.db import migrations


def no_pending_list(apps, schema_editor):
    """PostgreSQL: the search index's GIN index writes each document's entries into the
    index as it is stored, with no pending list for every search to read
    (``backends.postgres.PostgresBackend.create_schema``), and what an existing list holds
    is merged into the index now. SQLite's index has none: nothing to do."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    from wiredesk.search.backends.postgres import GIN_INDEX

    with connection.cursor() as cursor:
        cursor.execute(f"ALTER INDEX IF EXISTS {GIN_INDEX} SET (fastupdate = off)")
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [GIN_INDEX])
        if cursor.fetchone()[0]:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [GIN_INDEX])


def pending_list_again(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    from wiredesk.search.backends.postgres import GIN_INDEX

    with connection.cursor() as cursor:
        cursor.execute(f"ALTER INDEX IF EXISTS {GIN_INDEX} RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [("search", "0005_scope_in_row")]

    operations = [migrations.RunPython(no_pending_list, pending_list_again)]
