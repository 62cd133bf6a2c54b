"""The desk's article list and change page."""

import hashlib
import uuid
from zoneinfo import ZoneInfo

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import PermissionDenied, ValidationError
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
from wiredesk.newsroom.admin.article_form import ArticleForm, RevisionInline
from wiredesk.newsroom.admin.article_list import (
    ArticleStatusFilter,
    EditionFilter,
    desk_flags,
    edition_scoped,
    shown_status,
)
from wiredesk.newsroom.admin.sources import URLS_AS_HTTPS
from wiredesk.newsroom.audit import audit
from wiredesk.newsroom.models import Agency, Article, Section
from wiredesk.newsroom.services import desk_edits, picture_sources
from wiredesk.wire.sanitize import html_to_text, sanitize_html

# How many matches a search in the article list pages through (its newest ones).
SEARCH_CAP = 1000


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
        picture_sources.link_source(obj, previous_url=form.initial.get("image_url"))
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
