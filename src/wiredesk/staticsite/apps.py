from django.apps import AppConfig


class StaticSiteConfig(AppConfig):
    name = "wiredesk.staticsite"
    label = "staticsite"
    verbose_name = "Static mode"

    def ready(self) -> None:
        from wiredesk.staticsite import receivers  # noqa: F401
