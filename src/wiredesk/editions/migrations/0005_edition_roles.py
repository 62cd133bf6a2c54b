"""Roles: EditionRole, the desk permissions, and the two groups.

"Desk editors" hold the desk permissions for every edition (Django's ModelBackend grants
them). "Edition editors" hold only what lets them reach the lists (view articles, view the
audit log), which show them their editions' rows; what they may do to an edition or an
article is answered per object by editions.roles.EditionRoleBackend from their EditionRole
rows. The lists are frozen here; editions.roles keeps the living copy.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


EDITION_PERMS = ["editions.curate_edition", "newsroom.add_article", "newsroom.change_article",
                 "newsroom.schedule_article", "newsroom.kill_article"]
DESK_EDITORS = ("Desk editors", EDITION_PERMS + ["newsroom.view_article",
                                                  "editions.view_edition",
                                                  "core.view_auditentry"])
EDITION_EDITORS = ("Edition editors", ["newsroom.view_article", "core.view_auditentry"])


def make_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are made after the last migration (post_migrate): make them now.
    for label in ("newsroom", "editions", "core"):
        config = apps.get_app_config(label)
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in (DESK_EDITORS, EDITION_EDITORS):
        group, _ = Group.objects.get_or_create(name=name)
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label,
                                                         codename=codename))


def drop_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=[DESK_EDITORS[0], EDITION_EDITORS[0]]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('editions', '0004_edition_mail'),
        ('newsroom', '0015_article_permissions'),
        ('core', '0002_audit_entry'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='edition',
            options={'ordering': ['position', 'name'], 'permissions': [('curate_edition', "Can curate the edition's fronts")]},
        ),
        migrations.CreateModel(
            name='EditionRole',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('editor', 'editor')], default='editor', max_length=16)),
                ('granted_at', models.DateTimeField(auto_now_add=True)),
                ('edition', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='roles', to='editions.edition')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='edition_roles', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['edition__position', 'edition__name', 'user__username'],
                'constraints': [models.UniqueConstraint(fields=('user', 'edition', 'role'), name='edition_role_unique')],
            },
        ),
        migrations.RunPython(make_groups, drop_groups),
    ]
