from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "wiredesk.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        # The index follows every article save inside the same transaction.
        from wiredesk.search import receivers  # noqa: F401
