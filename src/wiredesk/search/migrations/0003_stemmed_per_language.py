from django.db import migrations


def rebuild(apps, schema_editor):
    """The index made again: each article stemmed in its own language (FTS5's columns
    hold tagged terms and the text as written; PostgreSQL's tsvectors each their own
    configuration), and the ledger of indexed languages."""
    from wiredesk.search.backends import backend_for
    from wiredesk.search.services import INDEXED_FIELDS, index_row

    connection = schema_editor.connection
    backend = backend_for(connection)
    Article = apps.get_model("newsroom", "Article")
    with connection.cursor() as cursor:
        backend.drop_schema(cursor)
        backend.create_schema(cursor)
        batch = []
        for article in Article.objects.exclude(status="killed").only(
                *INDEXED_FIELDS).iterator(chunk_size=500):
            batch.append(index_row(article))
            if len(batch) >= 500:
                backend.index(cursor, batch)
                batch = []
        if batch:
            backend.index(cursor, batch)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_bounded_body"),
        ("newsroom", "0017_article_language"),
    ]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
