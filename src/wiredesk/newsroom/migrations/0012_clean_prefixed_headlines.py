# Hand-written (a data migration): if the schema migration before it is regenerated with
# another number, keep this file and point its dependency at that migration.
"""Headlines stored before agency prefixes were read keep no ``CORRECTED-``/``UPDATE 1-``.

Only the headline changes (and a correction's date, from the version that said so): the
slug stays, so no stored article's URL moves."""

from django.db import migrations

# A cheap filter in the database; ``parse_prefixes`` decides.
_MAY_HAVE_PREFIX = (r"^\s*(corrected|correction|correcting|corrects|update|updated|refile|"
                    r"refiled|rpt|repeat|wrapup|wrap|flash|alert|bulletin|breaking|urgent|"
                    r"advisory|exclusive)")


def clean_headlines(apps, schema_editor):
    from wiredesk.wire.prefixes import parse_prefixes

    Article = apps.get_model("newsroom", "Article")
    candidates = (Article.objects.filter(headline__iregex=_MAY_HAVE_PREFIX)
                  .only("headline", "signal", "corrected_at", "source_updated_at",
                        "published_at", "flags"))
    for article in candidates.iterator(chunk_size=500):
        found = parse_prefixes(article.headline)
        if not found.words:
            continue
        article.headline = found.headline[:500]
        article.flags = [*(article.flags or []), *found.flags]
        if found.is_correction:
            article.signal = "correction"
            article.corrected_at = article.corrected_at or (article.source_updated_at
                                                            or article.published_at)
        article.save(update_fields=["headline", "flags", "signal", "corrected_at"])


class Migration(migrations.Migration):

    dependencies = [
        ("newsroom", "0011_article_correction"),
    ]

    operations = [
        migrations.RunPython(clean_headlines, migrations.RunPython.noop, elidable=True),
    ]
