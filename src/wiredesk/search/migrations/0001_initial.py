from django.db import migrations


def create_index(apps, schema_editor):
    from wiredesk.search.backends import backend_for

    with schema_editor.connection.cursor() as cursor:
        backend = backend_for(schema_editor.connection)
        backend.create_schema(cursor)
        # An existing archive is indexed right away, so search works after the upgrade.
        from wiredesk.search.text import clean_plain, plain_text

        Article = apps.get_model("newsroom", "Article")
        batch = []
        for a in Article.objects.exclude(status="killed").only(
                "id", "headline", "lead", "body_html").iterator(chunk_size=500):
            batch.append((a.pk, clean_plain(a.headline),
                          plain_text(a.body_html) or plain_text(a.lead)))
            if len(batch) >= 500:
                backend.index(cursor, batch)
                batch = []
        if batch:
            backend.index(cursor, batch)


def drop_index(apps, schema_editor):
    from wiredesk.search.backends import backend_for

    with schema_editor.connection.cursor() as cursor:
        backend_for(schema_editor.connection).drop_schema(cursor)


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
