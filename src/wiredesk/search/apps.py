from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "wiredesk.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from wiredesk.newsroom import textsearch

        # The index follows every article save inside the same transaction.
        from wiredesk.search import receivers  # noqa: F401
        from wiredesk.search.services import matching_article_ids_sql

        # The desk's article list finds words through this index (newsroom.textsearch).
        textsearch.provide(matching_article_ids_sql)
