from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "wiredesk.publishing"
    label = "publishing"
    verbose_name = "Publishing"

    def ready(self) -> None:
        from wiredesk.publishing import receivers  # noqa: F401
