"""An article's desk page: edit its copy, answer the agency's later update, restore.

Thin: each POST parses a form and calls one service of ``newsroom.services.desk_edits``;
a refusal (another editor's change, a killed article) is shown with what was typed kept.
"""

from __future__ import annotations

import difflib
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from wiredesk.desk.views import desk_context
from wiredesk.editions.links import article_path, edition_path
from wiredesk.newsroom.desk import desk_state
from wiredesk.newsroom.errors import ServiceError
from wiredesk.newsroom.models import Article, Revision, Section, Tag
from wiredesk.newsroom.services import desk_edits
from wiredesk.wire.markup import BODY_HELP, body_to_html, html_to_markdown
from wiredesk.wire.sanitize import html_to_text

PERMISSION = "newsroom.change_article"


class CopyForm(forms.Form):
    headline = forms.CharField(max_length=500, widget=forms.TextInput(attrs={"size": 90}))
    lead = forms.CharField(label="Standfirst", required=False, widget=forms.Textarea(
        attrs={"rows": 3}))
    body = forms.CharField(label="Body (Markdown)", required=False, help_text=BODY_HELP,
                           widget=forms.Textarea(attrs={"rows": 18, "cols": 90}))
    byline = forms.CharField(max_length=300, required=False)
    section = forms.ModelChoiceField(Section.objects.all(), required=False)
    tags = forms.CharField(required=False, help_text="Names, comma separated")
    image_caption = forms.CharField(label="Picture caption", required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}))
    image_credit = forms.CharField(label="Picture credit", max_length=300, required=False)
    image_alt = forms.CharField(label="Picture alt text", required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))
    edit_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    # The body as the form showed it: an untouched body is no edit of the body.
    body_shown = forms.CharField(widget=forms.HiddenInput, required=False)


def _initial(article: Article) -> dict:
    markdown = html_to_markdown(article.body_html)
    names = Tag.objects.filter(article_tags__article=article).order_by(
        "article_tags__position").values_list("name", flat=True)
    return {"headline": article.headline, "lead": article.lead, "body": markdown,
            "body_shown": markdown, "byline": article.byline, "section": article.section_id,
            "tags": ", ".join(names), "image_caption": article.image_caption,
            "image_credit": article.image_credit, "image_alt": article.image_alt,
            "edit_version": article.edit_version}


def _article(request, article_id: int) -> Article:
    article = (Article.objects.select_related("agency", "section", "desk_edited_by",
                                              "pending_revision")
               .filter(pk=article_id).first())
    if article is None:
        raise Http404("No such article")
    if not request.user.has_perm(PERMISSION, article):
        raise PermissionDenied
    return article


def _editions(article: Article) -> list:
    return sorted((p.edition for p in article.placements.select_related("edition")),
                  key=lambda edition: edition.name)


def _zone(editions: list):
    """The edition's zone when the article is in one edition, else the site's."""
    zones = {edition.time_zone for edition in editions}
    return ZoneInfo(zones.pop()) if len(zones) == 1 else timezone.get_current_timezone()


def _diff(pending: Revision, article: Article) -> list[dict]:
    """Each copy field the agency's update changes: the desk's text, the agency's, a diff."""
    shown = desk_edits.snapshot(article, tags=[])
    sent = desk_edits.revision_copy(pending)
    rows = []
    for name in desk_edits.COPY_FIELDS:
        if name == "tags" or name not in sent or shown.get(name) == sent[name]:
            continue
        if name == "section":
            names = dict(Section.objects.values_list("pk", "name"))
            desk, agency = names.get(shown[name], "none"), names.get(sent[name], "none")
        elif name == "body_html":
            desk, agency = html_to_text(shown[name]), html_to_text(sent[name])
        else:
            desk, agency = shown[name], sent[name]
        lines = list(difflib.unified_diff(desk.splitlines(), agency.splitlines(),
                                          "desk", "agency", lineterm="", n=1))[2:]
        rows.append({"name": name, "label": desk_edits.FIELD_LABELS[name],
                     "desk": desk, "agency": agency,
                     "lines": [{"kind": {"+": "add", "-": "del", "@": "hunk"}.get(line[:1],
                                                                                  "same"),
                                "text": line} for line in lines]})
    return rows


def _page(request, article: Article, form: CopyForm, *, status: int = 200):
    state = desk_state(article)
    editions = _editions(article)
    zone = _zone(editions)
    # On this host, each edition's page is under /<edition-slug>/.
    public_pages = [(edition.name, edition_path(edition) + article_path(article))
                    for edition in editions]
    revisions = list(Revision.objects.filter(article=article).select_related("author")
                     .order_by("-id"))
    for revision in revisions:
        revision.changed_shown = ", ".join(desk_edits.FIELD_LABELS.get(name, name)
                                           for name in revision.changed_fields or [])
    pending = article.pending_revision if state.agency_update_pending else None
    killed_by_agency = (article.status == Article.Status.KILLED
                        and article.status_reason.startswith("withdrawn by the source"))
    context = desk_context(
        request, f"Edit: {article.headline}", article=article, form=form, state=state,
        zone=zone, revisions=revisions, pending=pending,
        diff=_diff(pending, article) if pending is not None else [],
        killed_by_agency=killed_by_agency, public_pages=public_pages,
        field_labels=desk_edits.FIELD_LABELS, now=timezone.now())
    return TemplateResponse(request, "desk/article_edit.html", context, status=status)


@never_cache
def desk_edited(request):
    """Articles the desk has edited, those with an agency update waiting first."""
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    articles = (Article.objects.filter(desk_edited_at__isnull=False)
                .select_related("agency", "desk_edited_by", "pending_revision")
                .order_by(F("pending_revision").desc(nulls_last=True),
                          "-desk_edited_at")[:200])
    return TemplateResponse(request, "desk/articles_edited.html",
                            desk_context(request, "Desk edits", articles=articles))


@never_cache
def article_edit(request, article_id: int):
    article = _article(request, article_id)
    if request.method != "POST":
        return _page(request, article, CopyForm(initial=_initial(article)))
    form = CopyForm(request.POST)
    if not form.is_valid():
        return _page(request, article, form, status=400)
    data = form.cleaned_data
    changes = {name: data[name] for name in ("headline", "lead", "byline", "image_caption",
                                             "image_credit", "image_alt")}
    changes["section"] = data["section"]
    if data["body"].replace("\r\n", "\n").strip() != data["body_shown"].replace(
            "\r\n", "\n").strip():
        changes["body_html"] = body_to_html(data["body"])
    try:
        changes["tags"] = desk_edits.tags_from_names(data["tags"])
        desk_edits.desk_edit(article, changes, actor=request.user,
                             expected_edit_version=data["edit_version"])
    except desk_edits.EditConflict as refused:
        form.add_error(None, str(refused))
        return _page(request, article, form, status=409)
    except ServiceError as refused:
        form.add_error(None, str(refused))
        return _page(request, article, form, status=400)
    messages.success(request, "Saved: the desk's copy is what readers see.")
    return HttpResponseRedirect(reverse("desk:article-edit", args=[article.pk]))


def _answer(request, article: Article, action, success: str):
    try:
        version = int(request.POST.get("edit_version", ""))
    except ValueError:
        version = None
    if version is None:
        messages.error(request, "The form was incomplete: reload the page and try again.")
    else:
        try:
            action(version)
        except ServiceError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, success)
    return HttpResponseRedirect(reverse("desk:article-edit", args=[article.pk]))


@never_cache
@require_POST
def agency_update(request, article_id: int):
    """Take, merge or keep: the desk's answer to the agency's update."""
    article = _article(request, article_id)
    choice = request.POST.get("choice")
    if choice == "take":
        return _answer(request, article, lambda v: desk_edits.take_agency_update(
            article, actor=request.user, expected_edit_version=v),
            "The agency's update is now the copy.")
    if choice == "merge":
        fields = request.POST.getlist("fields")
        return _answer(request, article, lambda v: desk_edits.merge_agency_update(
            article, fields, actor=request.user, expected_edit_version=v),
            "The chosen parts of the agency's update are in the copy.")
    if choice == "keep":
        return _answer(request, article, lambda v: desk_edits.keep_desk_version(
            article, actor=request.user, expected_edit_version=v),
            "The desk's version is kept; the agency's update stays on record.")
    messages.error(request, "Choose take, merge or keep.")
    return HttpResponseRedirect(reverse("desk:article-edit", args=[article.pk]))


@never_cache
@require_POST
def restore(request, article_id: int, revision_id: int):
    article = _article(request, article_id)
    return _answer(request, article, lambda v: desk_edits.restore_revision(
        article, revision_id, actor=request.user, expected_edit_version=v),
        f"Revision #{revision_id} restored.")
