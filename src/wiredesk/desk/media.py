"""The media library: stored pictures, newest first, searchable; uploads into it; a
picture picked for an article (``?for=<draft id>`` or ``?for=new``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache

from wiredesk.desk import services
from wiredesk.desk.forms import UploadForm
from wiredesk.desk.views import desk_context
from wiredesk.newsroom.models import Article, PictureAsset
from wiredesk.newsroom.models.files import picture_files

PAGE_SIZE = 40


def library(query: str):
    """Every stored picture, newest first; ``query`` matches what the desk said of it
    or the caption and credit of an article that shows it."""
    pictures = PictureAsset.objects.order_by("-created_at", "-pk")
    if query:
        shown_with = Article.objects.filter(
            Q(image_caption__icontains=query) | Q(image_credit__icontains=query),
            picture_source__asset=OuterRef("pk"))
        pictures = pictures.filter(Q(caption__icontains=query) | Q(credit__icontains=query)
                                   | Exists(shown_with))
    return pictures


def _target(value: str) -> str:
    return value if value == "new" or value.isdigit() else ""


def _use_url(target: str, asset: PictureAsset) -> str:
    if target == "new":
        return f"{reverse('desk:write')}?picture={asset.pk}"
    return f"{reverse('desk:write-draft', args=[int(target)])}?picture={asset.pk}"


@never_cache
def media_library(request):
    if not services.may_write(request.user):
        raise PermissionDenied
    target = _target(request.GET.get("for", ""))
    form = UploadForm()
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                upload = data["upload"]
                limit = services.upload_limit()
                if upload.size is not None and upload.size > limit:
                    raise services.DeskError(
                        f"the picture is larger than {limit // (1024 * 1024)} MB")
                asset = services.picture_upload(
                    actor=request.user, data=upload.read(limit + 1),
                    caption=data["caption"], credit=data["credit"], alt=data["alt"])
            except services.DeskError as exc:
                form.add_error("upload", str(exc))
            else:
                messages.success(request, "Picture stored in the media library.")
                if target:
                    return redirect(_use_url(target, asset))
                return redirect(reverse("desk:media"))
    query = request.GET.get("q", "").strip()
    page = Paginator(library(query), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for asset in page:
        files = picture_files(asset.renditions)
        rows.append({"asset": asset, "thumb": files[0] if files else None,
                     "use": _use_url(target, asset) if target else ""})
    return TemplateResponse(request, "desk/media.html", desk_context(
        request, "Media library", page=page, rows=rows, query=query, target=target,
        form=form, upload_limit=services.upload_limit()))
