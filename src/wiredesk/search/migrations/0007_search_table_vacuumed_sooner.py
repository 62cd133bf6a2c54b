from django.db import migrations


def vacuumed_sooner(apps, schema_editor):
    """PostgreSQL: autovacuum takes the search table's dead rows (articles indexed again)
    at 1% of the table instead of 20% (``PostgresBackend.create_schema``). SQLite's index
    has none: nothing to do."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    from wiredesk.search.backends.pg_scope import TABLE
    from wiredesk.search.backends.postgres import VACUUM_SCALE_FACTOR

    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE IF EXISTS {TABLE} SET"
                       f" (autovacuum_vacuum_scale_factor = {VACUUM_SCALE_FACTOR})")


def vacuumed_as_default(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    from wiredesk.search.backends.pg_scope import TABLE

    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE IF EXISTS {TABLE} RESET (autovacuum_vacuum_scale_factor)")


class Migration(migrations.Migration):
    dependencies = [("search", "0006_gin_without_pending_list")]

    operations = [migrations.RunPython(vacuumed_sooner, vacuumed_as_default)]
