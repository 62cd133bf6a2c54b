from django.db import migrations


def bound_bodies(apps, schema_editor):
    """The index holds a bounded body, and highlights come from its head only."""
    from django.conf import settings

    from wiredesk.search.backends import backend_for
    from wiredesk.search.text import SNIPPET_SOURCE_CHARS, bounded, clean_plain, plain_text

    connection = schema_editor.connection
    backend = backend_for(connection)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The tsvectors stand (none can pass 1 MB); only the highlight source shrinks.
            cursor.execute("UPDATE search_document SET body = left(body, %s)"
                           " WHERE length(body) > %s", (SNIPPET_SOURCE_CHARS,
                                                         SNIPPET_SOURCE_CHARS))
            return
        # FTS5 tables take no new column: build the table again (body and tail).
        backend.drop_schema(cursor)
        backend.create_schema(cursor)
        limit = settings.WIREDESK_SEARCH_INDEX_CHARS
        Article = apps.get_model("newsroom", "Article")
        batch = []
        for a in Article.objects.exclude(status="killed").only(
                "id", "headline", "lead", "body_html").iterator(chunk_size=500):
            body = plain_text(a.body_html) or plain_text(a.lead)
            batch.append((a.pk, clean_plain(a.headline), bounded(body, limit)))
            if len(batch) >= 500:
                backend.index(cursor, batch)
                batch = []
        if batch:
            backend.index(cursor, batch)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
        ("newsroom", "0001_initial"),
    ]

    operations = [migrations.RunPython(bound_bodies, migrations.RunPython.noop)]
