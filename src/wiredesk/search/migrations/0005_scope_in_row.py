from django.db import migrations


def add_scope(apps, schema_editor):
    """PostgreSQL: each search row gets its article's scope (status, embargo end,
    publication time, section, agency, editions), filled from the tables in one statement,
    and the triggers that keep it right from now on (``backends.postgres``). SQLite's index
    has none: nothing to do."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    from wiredesk.search.backends import backend_for
    from wiredesk.search.backends.pg_scope import TABLE, create_scope_triggers, fill_scope

    backend = backend_for(connection)
    with connection.cursor() as cursor:
        backend.create_schema(cursor)  # the columns, if missing
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {TABLE} WHERE editions IS NULL)")
        if cursor.fetchone()[0]:
            # As in 0004: the GIN index made again after the update rather than updated
            # row by row (every row gets a new version).
            cursor.execute(f"DROP INDEX IF EXISTS {TABLE}_document_gin")
            fill_scope(cursor)
            cursor.execute("SELECT set_config('maintenance_work_mem', '256MB', true)")
            backend.create_schema(cursor)  # the index again
        create_scope_triggers(cursor)


def remove_scope(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    from wiredesk.search.backends.pg_scope import SCOPE_COLUMNS, TABLE, drop_scope_triggers

    with connection.cursor() as cursor:
        drop_scope_triggers(cursor)
        cursor.execute(f"ALTER TABLE {TABLE} "
                       + ", ".join(f"DROP COLUMN IF EXISTS {c}" for c in SCOPE_COLUMNS))


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0004_id_blocks"),
        ("newsroom", "0024_storyterm_covering_index"),
        ("editions", "0006_front_slots"),
    ]

    operations = [migrations.RunPython(add_scope, remove_scope)]
