from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "wiredesk.ops"
    label = "ops"
    verbose_name = "Operations"
