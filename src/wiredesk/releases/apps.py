from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    name = "wiredesk.releases"
    label = "releases"
    verbose_name = "News releases"
    default_auto_field = "django.db.models.BigAutoField"
