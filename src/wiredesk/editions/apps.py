from django.apps import AppConfig


class EditionsConfig(AppConfig):
    name = "wiredesk.editions"
    label = "editions"
    verbose_name = "Editions"
