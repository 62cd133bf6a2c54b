from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    name = "wiredesk.newsroom"
    label = "newsroom"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        from wiredesk.newsroom import signals  # noqa: F401  (connects the receivers)
