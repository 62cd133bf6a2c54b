from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    name = "wiredesk.newsroom"
    label = "newsroom"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        # Make the configured Celery app the current one, so shared tasks queue to
        # the broker named in settings (not Celery's built-in default).
        from wiredesk import taskqueue  # noqa: F401
        from wiredesk.newsroom import signals  # noqa: F401  (connects the receivers)
