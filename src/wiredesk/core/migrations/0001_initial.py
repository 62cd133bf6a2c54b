"""JobLock (from newsroom) and MetricCounter (from ops) move here with their tables.

State only: the tables already exist, made by the old apps' migrations (a fresh
install runs those first), and keep their names.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("newsroom", "0002_joblock"),
        ("ops", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="JobLock",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                                   serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=200, unique=True)),
                        ("token", models.CharField(max_length=64)),
                        ("expires_at", models.DateTimeField()),
                    ],
                    options={"db_table": "newsroom_joblock"},
                ),
                migrations.CreateModel(
                    name="MetricCounter",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                                   serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=200, unique=True)),
                        ("value", models.BigIntegerField(default=0)),
                    ],
                    options={"db_table": "ops_metriccounter"},
                ),
            ],
            database_operations=[],
        ),
    ]
