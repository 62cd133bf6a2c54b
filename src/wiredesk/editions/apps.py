from django.apps import AppConfig


class EditionsConfig(AppConfig):
    name = "wiredesk.editions"
    label = "editions"
    verbose_name = "Editions"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from wiredesk.editions import receivers  # noqa: F401  (connects the receivers)
        from wiredesk.editions.models import Edition
        from wiredesk.newsroom.intelligence.enrich import (
            NEVER_TAG_SOURCES,
            forget_never_tag_names,
        )

        if edition_names not in NEVER_TAG_SOURCES:
            NEVER_TAG_SOURCES.append(edition_names)
        # A new or renamed edition's name is never a tag from its next item on.
        post_save.connect(forget_never_tag_names, sender=Edition,
                          dispatch_uid="wiredesk-never-tag-edition")
        post_delete.connect(forget_never_tag_names, sender=Edition,
                            dispatch_uid="wiredesk-never-tag-edition-gone")


def edition_names() -> list[str]:
    """An edition's own name is never a tag of the articles it carries."""
    from wiredesk.editions.models import Edition

    return list(Edition.objects.values_list("name", flat=True))
