from django.db import migrations


def bound_bodies(apps, schema_editor):
    """The index holds a bounded body, and highlights come from its head only: 0003
    rebuilds the whole index in its present shape, which holds both."""


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
        ("newsroom", "0001_initial"),
    ]

    operations = [migrations.RunPython(bound_bodies, migrations.RunPython.noop)]
