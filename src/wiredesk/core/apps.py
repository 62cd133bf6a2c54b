from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "wiredesk.core"
    label = "core"
    verbose_name = "Plumbing"

    def ready(self) -> None:
        # Make the configured Celery app the current one, so shared tasks queue to
        # the broker named in settings (not Celery's built-in default).
        from wiredesk.core import collector, taskqueue  # noqa: F401

        # Every model is imported by now: the heap start-up made is frozen with them.
        collector.tune()
