import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("editions", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="EditionStamp",
            fields=[
                ("edition", models.OneToOneField(
                    on_delete=django.db.models.deletion.CASCADE, primary_key=True,
                    related_name="stamp", serialize=False, to="editions.edition")),
                ("generation", models.PositiveBigIntegerField(default=1)),
                ("changed_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("next_embargo_at", models.DateTimeField(blank=True, null=True)),
            ],
        ),
    ]
