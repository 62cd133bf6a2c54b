from django.apps import AppConfig


class EditionsConfig(AppConfig):
    name = "wiredesk.editions"
    label = "editions"
    verbose_name = "Editions"

    def ready(self) -> None:
        from wiredesk.editions import receivers  # noqa: F401  (connects the receivers)
