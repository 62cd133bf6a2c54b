# Issue 23, item 5: write keys are bound to agencies. Existing write keys get none, so
# they are refused until an operator binds them (`wiredesk apikey bind NAME --agency X`).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('api', '0001_initial'),
        ('newsroom', '0006_joblock_to_core'),
    ]

    operations = [
        migrations.AddField(
            model_name='apikey',
            name='agencies',
            field=models.ManyToManyField(blank=True, help_text='The agencies a write key may submit and kill items for; a write key with none may write for no agency', related_name='+', to='newsroom.agency'),
        ),
    ]
