"""What the desk's article list shows and filters by, as small functions and filters."""


from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from wiredesk.newsroom.models import Article


class ArticleStatusFilter(admin.SimpleListFilter):
    """What a reader gets: an embargoed article is published but not yet public."""

    title = "status"
    parameter_name = "shown"

    def lookups(self, request, model_admin):
        return [("public", "public"), ("embargoed", "embargoed"), ("held", "held"),
                ("killed", "killed"), ("draft", "draft")]

    def queryset(self, request, queryset):
        now = timezone.now()
        published = Q(status=Article.Status.PUBLISHED)
        embargoed = published & Q(embargo_until__gt=now)
        match self.value():
            case "public":
                return queryset.filter(published).exclude(embargoed)
            case "embargoed":
                return queryset.filter(embargoed)
            case "held":
                return queryset.filter(status=Article.Status.HELD)
            case "killed":
                return queryset.filter(status=Article.Status.KILLED)
            case "draft":
                return queryset.filter(status=Article.Status.DRAFT)
        return queryset


class EditionFilter(admin.SimpleListFilter):
    """The articles one edition carries, as a semi-join (EXISTS): the field filter on
    ``placements__edition`` joins and makes the admin add DISTINCT, which at a million
    articles sorts every placement of the edition to show fifty. The parameter keeps the
    field filter's name, so addresses made before still work. Editions and placements are
    reached through the reverse relation, never imported (they sit above the newsroom)."""

    title = "edition"
    parameter_name = "placements__edition__id__exact"

    @staticmethod
    def placement_model():
        return Article._meta.get_field("placements").related_model

    def lookups(self, request, model_admin):
        edition = self.placement_model()._meta.get_field("edition").related_model
        return [(str(pk), name) for pk, name in
                edition.objects.order_by("name").values_list("pk", "name")]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not value.isdigit():
            return queryset.none()
        placed = self.placement_model().objects.filter(article=OuterRef("pk"),
                                                       edition_id=int(value))
        return queryset.filter(Exists(placed))


def shown_status(article: Article) -> str:
    if article.status == Article.Status.PUBLISHED and not article.is_public:
        return "embargoed"
    return {Article.Status.PUBLISHED: "public"}.get(article.status, article.status)


def desk_flags(article: Article, copies: int) -> list[str]:
    """The article's flags as the desk list shows them, short words in a fixed order."""
    flags = []
    if article.signal == "correction":
        flags.append("correction")
    if article.image_renditions or article.image_url:
        flags.append("picture")
    if article.embargo_until and not article.is_public:
        flags.append("embargo")
    if article.duplicate_of_id:
        flags.append("duplicate")
    if copies:
        flags.append(f"{copies} cop{'y' if copies == 1 else 'ies'}")
    if article.desk_edited_at is not None:
        flags.append("desk edit")
    if article.pending_revision_id is not None:
        flags.append("agency update")
    return flags


def edition_scoped(user) -> bool:
    """An edition editor (not a desk editor, not an administrator): the list and its
    actions hold the articles of their editions only. Their roles live in the editions
    layer (``editions.roles``), reached here by reverse names only (``edition_roles``,
    ``placements__edition__roles``), never imported."""
    scoped = getattr(user, "_wiredesk_edition_scoped", None)
    if scoped is None:  # asked several times a request: once per user object
        roles = getattr(user, "edition_roles", None)
        scoped = not (user.is_superuser or user.has_perm("newsroom.change_article")) \
            and roles is not None and roles.exists()
        user._wiredesk_edition_scoped = scoped
    return scoped
