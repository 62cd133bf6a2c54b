from django.db import migrations


def create_index(apps, schema_editor):
    from wiredesk.search.backends import backend_for

    # An existing archive is indexed by 0003, in the index's present shape.
    with schema_editor.connection.cursor() as cursor:
        backend_for(schema_editor.connection).create_schema(cursor)


def drop_index(apps, schema_editor):
    from wiredesk.search.backends import backend_for

    with schema_editor.connection.cursor() as cursor:
        backend_for(schema_editor.connection).drop_schema(cursor)


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
