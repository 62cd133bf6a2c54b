"""JobLock now belongs to the plumbing (core); its table stays where it is."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("newsroom", "0005_tags"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="JobLock")],
            database_operations=[],
        ),
    ]
