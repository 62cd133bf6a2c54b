"""The change stream's log (publishing.changes), started with one row per stored article.

The log starts now: a sync from before it (an ``updated_since`` or cursor of the old
stream) replays it from the beginning, which tells of every kill it never told before.
"""

import secrets

import django.utils.timezone
from django.db import migrations, models


def start_the_log(apps, schema_editor):
    Article = apps.get_model("newsroom", "Article")
    Change = apps.get_model("publishing", "Change")
    ChangeLog = apps.get_model("publishing", "ChangeLog")
    PendingLift = apps.get_model("publishing", "PendingLift")
    now = django.utils.timezone.now()
    with schema_editor.connection.cursor() as cursor:
        # One statement, whatever the archive's size.
        cursor.execute(
            f"INSERT INTO {Change._meta.db_table} (article_id, edition_id, at, txid, version)"  # noqa: S608
            f" SELECT id, NULL, modified_at, 0, version FROM {Article._meta.db_table}"
            " ORDER BY modified_at, id")
    PendingLift.objects.bulk_create(
        [PendingLift(article_id=pk, due_at=until) for pk, until in
         Article.objects.filter(embargo_until__gt=now).values_list("pk", "embargo_until")],
        batch_size=500)
    ChangeLog.objects.update_or_create(
        pk=1, defaults={"epoch": secrets.token_hex(4), "started_at": now})


class Migration(migrations.Migration):

    dependencies = [
        ("publishing", "0001_initial"),
        ("newsroom", "0006_joblock_to_core"),
    ]

    operations = [
        migrations.CreateModel(
            name="ChangeLog",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True,
                                                        serialize=False)),
                ("epoch", models.CharField(max_length=16)),
                ("started_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("pruned_txid", models.BigIntegerField(default=0)),
                ("pruned_id", models.BigIntegerField(default=0)),
                ("pruned_at", models.DateTimeField(blank=True, null=True)),
                ("prunes", models.PositiveIntegerField(default=0,
                                                       help_text="Prunes that deleted rows")),
            ],
        ),
        migrations.CreateModel(
            name="PendingLift",
            fields=[
                ("article_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("due_at", models.DateTimeField(db_index=True)),
            ],
        ),
        migrations.CreateModel(
            name="Change",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("article_id", models.BigIntegerField()),
                ("edition_id", models.BigIntegerField(blank=True, null=True)),
                ("at", models.DateTimeField()),
                ("txid", models.BigIntegerField(default=0)),
                ("version", models.PositiveIntegerField(
                    default=0, help_text="The article's version then")),
            ],
            options={
                "indexes": [
                    models.Index(fields=["txid", "id"], name="change_position"),
                    models.Index(fields=["article_id", "edition_id"], name="change_scope"),
                    models.Index(fields=["at"], name="change_at"),
                ],
            },
        ),
        migrations.RunPython(start_the_log, migrations.RunPython.noop),
    ]
