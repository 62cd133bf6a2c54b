from django.apps import AppConfig


class EditionsConfig(AppConfig):
    name = "wiredesk.editions"
    label = "editions"
    verbose_name = "Editions"

    def ready(self) -> None:
        from wiredesk.editions import receivers  # noqa: F401  (connects the receivers)
        from wiredesk.newsroom.intelligence.enrich import NEVER_TAG_SOURCES

        if edition_names not in NEVER_TAG_SOURCES:
            NEVER_TAG_SOURCES.append(edition_names)


def edition_names() -> list[str]:
    """An edition's own name is never a tag of the articles it carries."""
    from wiredesk.editions.models import Edition

    return list(Edition.objects.values_list("name", flat=True))
