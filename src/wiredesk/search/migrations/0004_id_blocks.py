from django.db import migrations


def add_id_blocks(apps, schema_editor):
    """PostgreSQL: every indexed document gets the lexemes of its article's id blocks
    (``backends.postgres.ID_BLOCK_SHIFTS``), which the ranking in windows reads through
    the GIN index. Rows that have them (written by 0003's rebuild) are left as they are;
    when some lack them, the GIN index is made again after the update rather than updated
    row by row (several times faster at a million articles). SQLite's index has none:
    nothing to do."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    from wiredesk.search.backends import backend_for
    from wiredesk.search.backends.postgres import ID_BLOCK_SHIFTS, TABLE, id_blocks_sql

    finest = ID_BLOCK_SHIFTS[0]
    lacking = (f"NOT tsvector_to_array(document) @> ARRAY['id {finest} ' ||"
               f" (article_id >> {finest})]")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {TABLE} WHERE {lacking})")
        if not cursor.fetchone()[0]:
            return
        cursor.execute(f"DROP INDEX IF EXISTS {TABLE}_document_gin")
        cursor.execute(f"UPDATE {TABLE} SET document = document || {id_blocks_sql('article_id')}"
                       f" WHERE {lacking}")
        cursor.execute("SELECT set_config('maintenance_work_mem', '256MB', true)")
        backend_for(connection).create_schema(cursor)  # the index again


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0003_stemmed_per_language"),
    ]

    operations = [migrations.RunPython(add_id_blocks, migrations.RunPython.noop)]
