import hashlib
import uuid
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from wiredesk.core.audit import AuditEntry
from wiredesk.core.pagination import CappedPaginator
from wiredesk.newsroom import intelligence, services, textsearch
from wiredesk.newsroom.audit import audit
from wiredesk.newsroom.models import (
    Agency,
    Article,
    Feed,
    Intake,
    PictureSource,
    Revision,
    Section,
    Story,
    Tag,
    Tombstone,
    WirePicture,
)
from wiredesk.newsroom.services import desk_edits
from wiredesk.wire.sanitize import html_to_text, plain_text, sanitize_html

# An address typed without a scheme is read as https (Django 6's default). Built with
# Django 5's default, every form with a URLField warns, and the change page failed (500)
# wherever warnings are errors (the test suite).
URLS_AS_HTTPS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "time_zone", "trust_guids"]
    search_fields = ["code", "name"]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "aliases", "position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Intake)
class IntakeAdmin(admin.ModelAdmin):
    """The ledger of drop folders and mailboxes: each file or message taken, and how it
    went. Read-only: a row is what keeps a file from being taken twice."""

    list_display = ["taken_at", "feed", "name", "size", "outcome", "articles", "detail_short"]
    list_filter = ["outcome", "feed"]
    search_fields = ["name", "detail"]
    list_select_related = ["feed"]

    @admin.display(description="detail")
    def detail_short(self, intake):
        return (intake.detail[:120] + "...") if len(intake.detail) > 120 else intake.detail

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    formfield_overrides = URLS_AS_HTTPS
    list_display = ["shown_source", "transport", "agency", "format", "enabled", "last_status",
                    "last_error_short", "last_polled_at", "next_poll_at", "items_created",
                    "items_updated"]
    list_filter = ["transport", "last_status", "enabled", "agency"]
    search_fields = ["source", "title", "last_error"]
    readonly_fields = ["transport", "format", "etag", "last_modified", "last_polled_at",
                       "last_success_at", "last_status", "last_error", "last_error_at",
                       "error_count", "items_seen", "items_created", "items_updated",
                       "created_at", "identity_note"]
    actions = ["poll_now"]

    @admin.display(description="source", ordering="source")
    def shown_source(self, feed):
        return feed.shown_source

    @admin.display(description="last error")
    def last_error_short(self, feed):
        return (feed.last_error[:80] + "...") if len(feed.last_error) > 80 else feed.last_error

    @admin.action(description="Poll the selected feeds now")
    def poll_now(self, request, queryset):
        for feed in queryset.select_related("agency"):
            report = services.feed_poll(feed, force=True)
            level = messages.ERROR if report.errors and not report.seen else messages.INFO
            self.message_user(request, report.summary(), level)


class RevisionInline(admin.TabularInline):
    model = Revision
    extra = 0
    can_delete = False
    fields = ["version", "source", "author_label", "changed_fields", "note", "headline",
              "signal", "source_updated_at", "recorded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class CategoriesField(forms.CharField):
    """The agency's categories as one line, comma separated; blank is none (the model
    keeps a list, and a blank JSON field was a NULL the database refused: a 500)."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(each) for each in value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [part for part in (each.strip() for each in text.split(",")) if part]


# What a desk form's fields may hold: the same allow-list as wire copy for the body, plain
# text (tags dropped, lines kept) for the other text areas, one line for the short fields.
BODY_FIELDS = ("body_html",)
TEXT_AREA_FIELDS = ("lead", "teaser", "image_caption", "image_alt", "image_rights",
                    "status_reason")
LINE_FIELDS = ("byline", "dateline", "credit", "image_credit")


class ArticleForm(forms.ModelForm):
    # No Meta: the admin's form factory adds the model, its fields and formfield_overrides.
    categories = CategoriesField(required=False, help_text="Comma separated; may be empty")
    # Optimistic locking: the article's edit_version this form was drawn from. A save
    # after another editor's change is refused (services.desk_edits); a form posted
    # without it (an older page) is not checked.
    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:  # made from the headline when left empty
            self.fields["slug"].required = False
        if self.instance.pk is not None and "edit_version" in self.fields:
            self.fields["edit_version"].initial = self.instance.edit_version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:
            refusal = desk_edits.conflict(self.instance, cleaned.get("edit_version"))
            if refusal:
                raise forms.ValidationError(refusal, code="edit_conflict")
        for name in BODY_FIELDS:
            if name in cleaned:
                cleaned[name] = sanitize_html(cleaned[name] or "")
        for name in TEXT_AREA_FIELDS:
            if name in cleaned:
                cleaned[name] = html_to_text(cleaned[name] or "")
        for name in LINE_FIELDS:
            if name in cleaned:
                cleaned[name] = plain_text(cleaned[name] or "")
        return cleaned


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


# How many matches a search in the article list pages through (its newest ones).
SEARCH_CAP = 1000


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


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """The desk's list of articles: what an editor needs at a glance, in a constant number
    of queries whatever the page size (editions prefetched, copies counted in a subquery).

    Editions are reached by the reverse relation's name (``placements``), never by
    importing them: the newsroom sits below the editions layer.
    """

    form = ArticleForm
    list_display = ["headline", "editions_shown", "section", "status_shown", "agency",
                    "local_time", "story_size", "flags_shown"]
    # Every edition, section and agency is listed (a few dozen rows): asking which ones
    # the articles use would scan the archive on each page. Dates by period (today, the
    # past 7 days, this month, this year), not by a hierarchy: that lists the years and
    # months the articles fall in, a scan of the archive on every page.
    list_filter = [EditionFilter, "section", ArticleStatusFilter, "agency", "kind",
                   ("published_at", admin.DateFieldListFilter)]
    list_select_related = ["agency", "section", "story"]
    # What the search box looks in (get_search_results): the words of the headline and
    # text through the search index, a killed article's headline, an agency's code, a
    # section's name, a guid or an address typed whole.
    search_fields = ["headline"]
    search_help_text = "Words of the headline or text, agency code, section, guid or address"
    list_per_page = 50
    # A million articles: the count stops at 10,000 and the unfiltered total is not asked.
    paginator = CappedPaginator
    show_full_result_count = False
    # Sorted only by what an index orders (the publication time); the other columns
    # would sort the whole archive for each page.
    sortable_by = ["local_time"]
    readonly_fields = ["desk_page", "identity", "guid", "canonical_url", "fingerprint",
                       "version", "first_seen_at", "modified_at", "flags", "picture_guid",
                       "picture_source"]
    inlines = [RevisionInline]
    actions = ["kill", "hold", "release", "merge_copies", "split_out"]
    raw_id_fields = ["story", "duplicate_of"]
    formfield_overrides = URLS_AS_HTTPS

    def get_queryset(self, request):
        copies = (Article.objects.filter(duplicate_of=OuterRef("pk")).order_by()
                  .values("duplicate_of").annotate(n=Count("pk")).values("n"))
        articles = (super().get_queryset(request)
                    .prefetch_related("placements__edition")
                    .annotate(copy_count=Coalesce(Subquery(copies), 0)))
        if edition_scoped(request.user):
            # A semi-join, read in date order until the page is full: an IN over every
            # article of the editor's editions made SQLite sort them all (22 s at 1M).
            # The editor's editions as a list the database makes once (IN over their
            # roles), so each article is one probe of the (edition, article) index.
            placed = EditionFilter.placement_model().objects.filter(
                article=OuterRef("pk"),
                edition_id__in=request.user.edition_roles.values("edition_id"))
            articles = articles.filter(Exists(placed))
        return articles

    def get_object(self, request, object_id, from_field=None):
        # Found whatever the editor's editions, so that another edition's article is
        # refused (403, by the permission checks) rather than reported missing.
        field = (Article._meta.pk if from_field is None
                 else Article._meta.get_field(from_field))
        try:
            return Article.objects.get(**{field.name: field.to_python(object_id)})
        except (Article.DoesNotExist, ValidationError, ValueError):
            return None

    def has_view_permission(self, request, obj=None):
        if obj is not None and edition_scoped(request.user):
            return request.user.has_perm("newsroom.view_article", obj)
        return super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        if obj is None:  # the list and its actions: each article is asked on its own
            return super().has_change_permission(request) or edition_scoped(request.user)
        return request.user.has_perm("newsroom.change_article", obj)

    def _refuse_unless(self, request, perm, queryset) -> list[Article]:
        """The articles an action was asked for, each allowed ``perm`` (asked with the
        article: an edition editor acts on their editions' articles only); one refused
        refuses the action (403). Ids posted for articles the list did not show count."""
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        asked = set(queryset.values_list("pk", flat=True))
        if selected and request.POST.get("select_across") != "1":
            asked |= {int(pk) for pk in selected if str(pk).isdigit()}
        articles = list(Article.objects.filter(pk__in=asked))
        if any(not request.user.has_perm(perm, article) for article in articles):
            raise PermissionDenied
        return articles

    def get_paginator(self, request, queryset, per_page, orphans=0,
                      allow_empty_first_page=True):
        paginator = super().get_paginator(request, queryset, per_page, orphans,
                                          allow_empty_first_page)
        if request.GET.get(SEARCH_VAR, "").strip():
            # A search lists its newest matches only: more than this, and the editor is
            # better served by another word than by page 21.
            paginator.cap = min(paginator.cap, SEARCH_CAP)
        return paginator

    def lookup_allowed(self, lookup, value, request=None):
        # The edition filter's parameter reads like a field lookup but is its own.
        if lookup == EditionFilter.parameter_name:
            return True
        return super().lookup_allowed(lookup, value, request)

    def get_search_results(self, request, queryset, search_term):
        """Each word through the search index (headline and text, as the public search),
        never a LIKE over the archive; a killed article (out of the index) by its headline
        among the SEARCH_CAP most recent killed ones. The whole term is also tried as an
        agency's code, a section's name, and, when it looks like one, a guid or an
        address."""
        term = search_term.strip()
        if not term or not textsearch.available():
            return super().get_search_results(request, queryset, search_term)
        # The few matches are one list of ids (IN over a UNION ALL): the database looks
        # them up and sorts them. OR-ed with the rest, SQLite would walk the whole archive
        # in date order testing each row, for a rare word all million of them.
        selects = []
        # The newest matches up to the search's cap (get_paginator): past it the list is
        # not paged anyway, and a word in every tenth headline costs no more at a million
        # articles than at ten thousand.
        by_words = textsearch.words_sql(term, newest=SEARCH_CAP + 1)
        if by_words is not None:
            selects.append(by_words)
        # Killed articles are out of the index: the most recent of them by headline (the
        # status filter lists them all).
        recent_killed = (Article.objects.filter(status=Article.Status.KILLED)
                         .order_by("-published_at").values("pk")[:SEARCH_CAP])
        killed = Article.objects.filter(pk__in=Subquery(recent_killed))
        for word in term.split():
            killed = killed.filter(headline__icontains=word)
        selects.append(killed.order_by().values("pk").query.sql_with_params())
        if " " not in term and (":" in term or "/" in term):
            exact = Article.objects.filter(Q(guid=term) | Q(canonical_url=term)
                                           | Q(identity=term))
            selects.append(exact.order_by().values("pk").query.sql_with_params())
        ids = RawSQL(" UNION ALL ".join(sql for sql, _ in selects),  # noqa: S611
                     [param for _, params in selects for param in params])
        found = Q(pk__in=ids)
        # An agency's code or a section's name matches many articles: OR-ed, they are
        # found walking the archive in date order, and the first page fills at once.
        agencies = list(Agency.objects.filter(code__iexact=term).values_list("pk", flat=True))
        if agencies:
            found |= Q(agency__in=agencies)
        sections = list(Section.objects.filter(name__iexact=term).values_list("pk", flat=True))
        if sections:
            found |= Q(section__in=sections)
        return queryset.filter(found), False

    @staticmethod
    def _editions(article):
        return sorted((placement.edition for placement in article.placements.all()),
                      key=lambda edition: edition.name)

    @admin.display(description="editions")
    def editions_shown(self, article):
        return ", ".join(edition.name for edition in self._editions(article)) or "-"

    @admin.display(description="status", ordering="status")
    def status_shown(self, article):
        return shown_status(article)

    @admin.display(description="published", ordering="published_at")
    def local_time(self, article):
        # In the edition's zone when it is in one edition, else in the site's.
        editions = self._editions(article)
        zone = (ZoneInfo(editions[0].time_zone) if len(editions) == 1
                else timezone.get_current_timezone())
        return timezone.localtime(article.published_at, zone).strftime("%Y-%m-%d %H:%M %Z")

    @admin.display(description="story", ordering="story__size")
    def story_size(self, article):
        return article.story.size if article.story_id else "-"

    @admin.display(description="desk")
    def desk_page(self, article):
        """Where the desk answers the agency's updates and restores revisions."""
        if article.pk is None:
            return "-"
        state = desk_edits.desk_state(article)
        note = ("Agency updated since the desk's edit: take, merge or keep it on the desk "
                "page" if state.agency_update_pending
                else "Edited by the desk" if state.desk_edited else "The agency's copy")
        return format_html('{} · <a href="{}">desk page: revisions and agency updates</a>',
                           note, reverse("desk:article-edit", args=[article.pk]))

    @admin.display(description="flags")
    def flags_shown(self, article):
        return ", ".join(desk_flags(article, getattr(article, "copy_count", 0))) or "-"

    def add_view(self, request, form_url="", extra_context=None):
        # An article is written at the desk's writing view, which stores it through the
        # pipeline and places it in editions; the raw database form placed it nowhere.
        if not self.has_add_permission(request):
            raise PermissionDenied
        return redirect("desk:write")

    def save_model(self, request, obj, form, change):
        # The form has sanitized what was typed (ArticleForm.clean); this is the last
        # guard for any other path into the admin.
        obj.body_html = sanitize_html(obj.body_html)
        if not obj.identity:  # the desk's own article: no agency identity to keep
            obj.identity = f"desk:{uuid.uuid4().hex}"
        if not obj.fingerprint:
            copy = f"{obj.headline}\x00{html_to_text(obj.body_html)}".encode()
            obj.fingerprint = hashlib.sha256(copy).hexdigest()[:32]
        # A picture address typed here is fetched by the job like an agency's.
        services.renditions.link_source(obj, previous_url=form.initial.get("image_url"))
        if not change:
            obj.edit_version = 0
            super().save_model(request, obj, form, change)
            # The admin saves in a transaction: the entry commits with the change.
            audit(request.user, "article.add", obj, fields=sorted(form.changed_data))
            return
        # A change is a desk edit: the copy through desk_edits (revision, lock, audit,
        # the agency's later versions kept apart), the other fields under the same lock.
        # Only what the editor changed: after an agency update raced the form, the fields
        # they left as they saw them are theirs too, and the agency's version waits.
        copy = {name: form.cleaned_data[name] for name in desk_edits.COPY_FIELDS
                if name in form.changed_data}
        other_names = [name for name in form.changed_data
                       if name not in copy and name not in ("edit_version", "categories")]
        other = {Article._meta.get_field(name).attname: getattr(
            obj, Article._meta.get_field(name).attname) for name in other_names}
        other |= {"categories": obj.categories, "picture_source_id": obj.picture_source_id,
                  "image_renditions": obj.image_renditions, "slug": obj.slug}
        try:
            saved = desk_edits.desk_edit(obj.pk, copy, actor=request.user,
                                         expected_edit_version=form.cleaned_data.get(
                                             "edit_version"), other=other)
        except services.ServiceError as refused:
            # The lock was checked in the form; this is a change that came in between.
            self.message_user(request, str(refused), messages.ERROR)
            return
        obj.edit_version = saved.edit_version

    @admin.action(description="Kill the selected articles (withdraw everywhere)")
    def kill(self, request, queryset):
        articles = self._refuse_unless(request, "newsroom.kill_article", queryset)
        for article in articles:
            services.article_kill(article=article, reason=f"killed by {request.user}",
                                  actor=request.user)
        self.message_user(request, f"{len(articles)} article(s) killed")

    @admin.action(description="Hold the selected articles")
    def hold(self, request, queryset):
        for article in self._refuse_unless(request, "newsroom.kill_article", queryset):
            services.article_hold(article=article, reason=f"held by {request.user}",
                                  actor=request.user)

    @admin.action(description="Release held articles")
    def release(self, request, queryset):
        for article in self._refuse_unless(request, "newsroom.kill_article", queryset):
            if article.status != Article.Status.KILLED:
                services.article_release(article=article, actor=request.user)

    @admin.action(description="Merge: the selected are copies of one item (earliest shown)")
    def merge_copies(self, request, queryset):
        articles = self._refuse_unless(request, "newsroom.change_article", queryset)
        if len(articles) < 2:
            self.message_user(request, "select at least two articles to merge", messages.ERROR)
            return
        canonical = intelligence.articles_merge(articles=articles, actor=request.user)
        self.message_user(request, f"{len(articles)} article(s) merged under #{canonical.pk}")

    @admin.action(description="Split: the selected are not copies; each stands alone")
    def split_out(self, request, queryset):
        articles = self._refuse_unless(request, "newsroom.change_article", queryset)
        for article in articles:
            intelligence.article_split(article=article, actor=request.user)
        self.message_user(request, f"{len(articles)} article(s) split out")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Its history in the audit log, newest first, under the form.
        extra_context = {**(extra_context or {}), "audit_entries": AuditEntry.objects.filter(
            target_type="article", target_id=str(object_id)).order_by("-at", "-id")[:50]}
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(WirePicture)
class WirePictureAdmin(admin.ModelAdmin):
    """Agency picture items kept for the texts they belong to (shown on those articles)."""

    formfield_overrides = URLS_AS_HTTPS
    list_display = ["guid", "headline", "agency", "status", "version", "modified_at"]
    list_filter = ["status", "agency"]
    search_fields = ["guid", "headline", "caption"]

    # What the agency sent: edited by the agency's next version, not here (an edit here
    # would not reach the articles that show it).
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PictureSource)
class PictureSourceAdmin(admin.ModelAdmin):
    """Agency picture addresses: waiting, stored, or failed with the error (the
    fetch-pictures job tries a failure again with backoff, then gives up)."""

    formfield_overrides = URLS_AS_HTTPS
    list_display = ["url", "status", "attempts", "last_error_short", "last_error_at",
                    "next_attempt_at", "fetched_at"]
    list_filter = ["status"]
    search_fields = ["url", "last_error"]
    readonly_fields = ["url", "url_hash", "status", "asset", "attempts", "next_attempt_at",
                       "last_error", "last_error_at", "fetched_at", "created_at"]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="last error")
    def last_error_short(self, obj):
        return obj.last_error[:120]

    @admin.action(description="Try again now")
    def retry_now(self, request, queryset):
        count = services.pictures_retry(list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} picture(s) will be fetched at the next turn")


class StoryArticleInline(admin.TabularInline):
    model = Article
    fk_name = "story"
    extra = 0
    fields = ["headline", "agency", "status", "published_at", "duplicate_of"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ["headline", "size", "section", "first_published_at", "last_published_at"]
    search_fields = ["headline"]
    readonly_fields = ["centroid", "anchors", "size", "first_published_at", "last_published_at"]
    inlines = [StoryArticleInline]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    """Tags are found in the copy; an editor renames, retypes or deletes a wrong one."""

    list_display = ["name", "kind", "country", "key"]
    list_filter = ["kind"]
    search_fields = ["name", "key"]
    readonly_fields = ["key"]


@admin.register(Tombstone)
class TombstoneAdmin(admin.ModelAdmin):
    """Deleting a tombstone lets the item come back with the next poll."""

    formfield_overrides = URLS_AS_HTTPS
    list_display = ["headline", "agency", "reason", "created_at"]
    list_filter = ["agency"]
    search_fields = ["headline", "canonical_url", "identity"]
    readonly_fields = ["agency", "identity", "canonical_url", "headline", "reason", "created_at"]

    def has_add_permission(self, request):
        return False
