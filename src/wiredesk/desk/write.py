"""The writing view: the desk's own articles, written, previewed and published.

Thin: parse the form, call one service (``desk.services``), render. Staff only (see
``urls.staff``); each view asks for ``newsroom.add_article``.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from wiredesk.desk import services
from wiredesk.desk.forms import WriteForm
from wiredesk.desk.models import Manuscript
from wiredesk.desk.views import desk_context
from wiredesk.editions.links import article_path, edition_path
from wiredesk.editions.models import Edition
from wiredesk.editions.overrides import edition_templates
from wiredesk.editions.pages import edition_locale
from wiredesk.editions.views import render_article
from wiredesk.newsroom.models import Article, PictureAsset


def _may_write(request, article: Article | None = None) -> None:
    if not services.may_write(request.user):
        raise PermissionDenied
    if article is not None and not request.user.has_perm(services.WRITE, article):
        raise PermissionDenied  # another edition's draft


def _desk_article(article_id: int) -> Article:
    return get_object_or_404(Article.objects.select_related("agency", "section"),
                             pk=article_id, kind=Article.Kind.DESK)


def _initial(article: Article | None) -> dict:
    if article is None:
        return {}
    manuscript = Manuscript.objects.filter(article=article).first()
    initial = {"headline": article.headline, "byline": article.byline,
               "dateline": article.dateline, "section": article.section,
               "caption": article.image_caption, "credit": article.image_credit,
               "alt": article.image_alt}
    if manuscript is not None:
        initial.update(standfirst=manuscript.standfirst, body=manuscript.body,
                       tags=manuscript.tags, editions=list(manuscript.editions.all()),
                       picture=manuscript.picture)
    return initial


def _chosen_picture(request, initial: dict) -> None:
    """``?picture=<id>``: the media library's "use this picture"."""
    picked = request.GET.get("picture", "")
    asset = PictureAsset.objects.filter(pk=picked).first() if picked.isdigit() else None
    if asset is not None:
        initial["picture"] = asset
        for name in ("caption", "credit", "alt"):
            initial[name] = getattr(asset, name) or initial.get(name, "")


@never_cache
def write(request, article_id: int | None = None):
    article = _desk_article(article_id) if article_id is not None else None
    _may_write(request, article)
    if article is not None and article.status != Article.Status.DRAFT:
        return TemplateResponse(request, "desk/published.html", desk_context(
            request, article.headline, article=article, shown=_shown_in(article)))
    if request.method == "POST":
        form = WriteForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            saved = _save(request, form, article)
            if saved is not None:
                if "publish" in request.POST:
                    return _publish(request, form, saved)
                messages.success(request, "Draft saved. Nobody else can see it until it "
                                          "is published.")
                return redirect("desk:write-draft", article_id=saved.pk)
    else:
        initial = _initial(article)
        _chosen_picture(request, initial)
        form = WriteForm(initial=initial, user=request.user)
    picture = _form_picture(form)
    return TemplateResponse(request, "desk/write.html", desk_context(
        request, "Write an article" if article is None else "Draft: " + article.headline,
        form=form, article=article, picture=picture,
        previews=_preview_editions(article), upload_limit=services.upload_limit()))


def _form_picture(form: WriteForm) -> PictureAsset | None:
    value = form["picture"].value()
    if isinstance(value, PictureAsset):
        return value
    return PictureAsset.objects.filter(pk=value).first() if str(value or "").isdigit() else None


def _save(request, form: WriteForm, article: Article | None) -> Article | None:
    data = form.cleaned_data
    picture = None if data["remove_picture"] else data["picture"]
    upload = data.get("upload")
    try:
        if upload is not None:
            if not data["alt"].strip():
                form.add_error("alt", "A picture needs its alt text: say what it shows.")
                return None
            picture = services.picture_upload(
                actor=request.user, data=_read(upload), caption=data["caption"],
                credit=data["credit"], alt=data["alt"])
            # Shown again if the draft itself is refused: the file input cannot be.
            form.data = form.data.copy()
            form.data["picture"] = str(picture.pk)
        draft = services.Draft(
            headline=data["headline"], body=data["body"], standfirst=data["standfirst"],
            byline=data["byline"], dateline=data["dateline"], section=data["section"],
            tags=form.tag_list(), editions=list(data["editions"]), picture=picture,
            caption=data["caption"], credit=data["credit"], alt=data["alt"])
        return services.draft_save(actor=request.user, draft=draft, article=article)
    except PermissionDenied as exc:  # an edition the writer may not write for
        form.add_error("editions", str(exc))
        return None
    except services.DeskError as exc:
        form.add_error("upload" if upload is not None and picture is None else None,
                       str(exc))
        return None


def _read(upload) -> bytes:
    limit = services.upload_limit()
    if upload.size is not None and upload.size > limit:
        raise services.DeskError(f"the picture is larger than {limit // (1024 * 1024)} MB")
    return upload.read(limit + 1)


def _publish(request, form: WriteForm, article: Article):
    try:
        services.article_publish(actor=request.user, article=article)
    except services.DeskError as exc:
        messages.error(request, str(exc))
        return redirect("desk:write-draft", article_id=article.pk)
    messages.success(request, "Published.")
    return redirect("desk:write-draft", article_id=article.pk)


def _placed_editions(article: Article | None) -> list[Edition]:
    if article is None:
        return []
    return list(Edition.objects.filter(placements__article=article).order_by("name"))


def _preview_editions(article: Article | None) -> list[Edition]:
    return _placed_editions(article)


def _shown_in(article: Article) -> list[tuple[Edition, str, str]]:
    """Each edition showing it, the article's address there, and when it was published
    on that edition's clock."""
    return [(edition, edition_path(edition) + article_path(article),
             timezone.localtime(article.published_at, ZoneInfo(edition.time_zone))
             .strftime("%Y-%m-%d %H:%M %Z"))
            for edition in _placed_editions(article)]


@never_cache
def preview(request, article_id: int, edition_slug: str):
    """The draft exactly as the edition's article page will show it: the same renderer,
    in the edition's look, templates and time zone; never cached, never indexed."""
    article = _desk_article(article_id)
    _may_write(request, article)
    edition = get_object_or_404(Edition, slug=edition_slug)
    if not request.user.has_perm(services.WRITE, edition):
        raise PermissionDenied
    if not article.placements.filter(edition=edition).exists():
        raise Http404("this article is not placed in that edition")
    request.edition = edition
    request.edition_base = edition_path(edition)
    with edition_locale(edition), edition_templates(edition):
        response = render_article(request, article, preview=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
