"""MetricCounter now belongs to the plumbing (core); its table stays where it is."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("ops", "0001_initial"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="MetricCounter")],
            database_operations=[],
        ),
    ]
