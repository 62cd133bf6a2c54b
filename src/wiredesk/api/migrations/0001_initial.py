from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="ApiKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                           serialize=False, verbose_name="ID")),
                ("name", models.CharField(help_text="Who the key is for", max_length=100,
                                          unique=True)),
                ("prefix", models.CharField(
                    db_index=True, editable=False, max_length=12,
                    help_text="First characters of the key, to recognise it")),
                ("key_hash", models.CharField(
                    editable=False, max_length=64, unique=True,
                    help_text="SHA-256 of the key; the key itself is never stored")),
                ("can_write", models.BooleanField(
                    default=False, help_text="May submit items to ingest and kill articles")),
                ("requests_per_minute", models.PositiveIntegerField(default=600)),
                ("revoked", models.BooleanField(default=False)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("last_used_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={"ordering": ["name"], "verbose_name": "API key"},
        ),
    ]
