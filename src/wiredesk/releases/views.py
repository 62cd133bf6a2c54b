"""Public pages of the news-release channel: submit, confirm, follow the status.

Views parse the request, run the guards and call one service; every refusal is a
message on the page and a line in the operator's log.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from wiredesk.core.clients import client_ip
from wiredesk.core.origin import same_origin_posts
from wiredesk.editions.links import article_path, edition_path
from wiredesk.editions.pages import edition_page, page_context
from wiredesk.releases import abuse, images, services
from wiredesk.releases.forms import ReleaseForm, editions_accepting_releases
from wiredesk.releases.models import Release, ReleaseEvent

log = logging.getLogger("wiredesk.releases")

_KEPT_IMAGE_SALT = "wiredesk.releases.image"
_IMAGE_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png)$")
# Room for the form fields besides the image, multipart framing included.
_FORM_OVERHEAD = 256 * 1024
PUBLIC_EVENTS = {ReleaseEvent.Action.SUBMITTED, ReleaseEvent.Action.VERIFIED,
                 ReleaseEvent.Action.APPROVED, ReleaseEvent.Action.REJECTED}


def _render_form(request, form, *, status=200, refusal=""):
    form.data = form.data.copy() if form.is_bound else form.data
    if form.is_bound:
        form.data["started"] = abuse.started_token()  # a fresh clock for the next try
    return render(request, "releases/submit.html", page_context(
        request, form=form, refusal=refusal,
        honeypot=form[abuse.HONEYPOT_FIELD], kept_image=bool(form.data.get("image_token"))),
        status=status)


def _kept_image(form) -> images.StoredImage | None:
    """An image checked and stored on an earlier attempt of this same form."""
    token = form.data.get("image_token", "")
    if not token:
        return None
    try:
        name, width, height = signing.loads(token, salt=_KEPT_IMAGE_SALT, max_age=86400)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not (Path(settings.MEDIA_ROOT) / name).is_file():
        return None
    return images.StoredImage(name=name, width=int(width), height=int(height))


def _store_processed(form) -> images.StoredImage | None:
    if form.processed_image is None:
        return None
    encoded, extension, width, height = form.processed_image
    return images.save_encoded(encoded, extension, width, height,
                               media_root=Path(settings.MEDIA_ROOT))


# No token in the form (core.origin): the page is the same for every reader, linked from
# the cached and static pages; posts are taken from the site's own pages only.
@never_cache
@same_origin_posts
@require_http_methods(["GET", "POST"])
@edition_page
def submit(request):
    edition = request.edition
    if not editions_accepting_releases().filter(pk=edition.pk).exists():
        return render(request, "releases/refused.html", page_context(
            request, message=_("%(edition)s does not take news releases.") % {
                "edition": edition.name}), status=404)
    if request.method == "GET":
        form = ReleaseForm(initial={"editions": [edition.pk], "started": abuse.started_token()})
        return _render_form(request, form)

    ip = client_ip(request)
    limit = settings.WIREDESK_RELEASE_MAX_IMAGE_BYTES + _FORM_OVERHEAD
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        log.warning("release submission refused: reason=too-large bytes=%s ip=%s edition=%s",
                    length, ip, edition.slug)
        return render(request, "releases/refused.html", page_context(
            request, message=_("The submission is too large. An image may be at most "
                               "%(size)s MB.") % {
                "size": f"{settings.WIREDESK_RELEASE_MAX_IMAGE_BYTES / (1024 * 1024):g}"}),
            status=413)

    # The requested release time is read in the edition's zone, which edition_page set.
    form = ReleaseForm(request.POST, request.FILES)
    try:
        abuse.check_ip_rate(ip)
        abuse.check_honeypot(request.POST.get(abuse.HONEYPOT_FIELD, ""))
        abuse.check_fill_time(request.POST.get("started", ""))
    except abuse.Refused as refused:
        abuse.log_refusal(refused, ip=ip, edition=edition.slug)
        form.is_valid()  # show field errors too, and keep what was typed
        status = 429 if refused.reason.startswith("rate") else 400
        return _render_form(request, form, status=status, refusal=str(refused))
    valid = form.is_valid()
    try:
        stored = _store_processed(form) or _kept_image(form)
    except images.ImageNotStored as exc:  # disk full: logged for the operator where it failed
        form.add_error("image", _("Image not saved: %(reason)s.") % {"reason": exc})
        stored, valid = None, False
    if not valid:
        if stored is not None:
            # The image passed: keep it so the submitter need not choose it again.
            form.data = form.data.copy()
            form.data["image_token"] = signing.dumps(
                [stored.name, stored.width, stored.height], salt=_KEPT_IMAGE_SALT)
        log.info("release form errors from %s: %s", ip, ", ".join(form.errors))
        return _render_form(request, form)
    data = form.cleaned_data
    try:
        abuse.check_sender_rate(email=data["email"], organisation=data["organisation"])
    except abuse.Refused as refused:
        abuse.log_refusal(refused, ip=ip, edition=edition.slug)
        if stored is not None:
            services.delete_image_file(stored.name)
        return _render_form(request, form, status=429, refusal=str(refused))
    services.release_submit(submission=services.Submission(
        organisation=data["organisation"], contact_name=data["contact_name"],
        email=data["email"], phone=data["phone"], headline=data["headline"],
        body=data["body"], category=data["category"], editions=list(data["editions"]),
        submitted_via=edition, image=stored, image_caption=data["image_caption"],
        image_credit=data["image_credit"],
        requested_release_at=data["requested_release_at"], ip=ip))
    return HttpResponseRedirect(f"{request.edition_base}/releases/sent")


@edition_page
def sent(request):
    return render(request, "releases/sent.html", page_context(request))


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
@edition_page
def verify(request, token: str):
    """GET shows a button, POST confirms: mail scanners that open links confirm nothing."""
    release = services.release_from_token(token, purpose="verify")
    if release is None:
        log.warning("release verify link refused (bad or expired) from %s",
                    client_ip(request))
        return render(request, "releases/refused.html", page_context(
            request, message=_("This confirmation link is not valid or has expired. "
                               "Please submit your release again.")), status=400)
    if request.method == "POST":
        release = services.release_verify(release=release)
        return render(request, "releases/receipt.html", page_context(
            request, release=release, status_path=(
                f"{request.edition_base}/releases/status/{services.status_token(release)}")))
    return render(request, "releases/verify.html", page_context(request, release=release))


@never_cache
@edition_page
def status(request, token: str):
    release = services.release_from_token(token, purpose="status")
    if release is None:
        raise Http404("no such release")
    events = release.events.filter(action__in=PUBLIC_EVENTS)
    article_links = []
    if release.status == Release.Status.APPROVED and release.article is not None:
        # Each edition under its slug: the page may name editions other than this host's.
        article_links = [(e, edition_path(e) + article_path(release.article))
                         for e in release.editions.all()]
    response = render(request, "releases/status.html", page_context(
        request, release=release, events=events, article_links=article_links))
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"  # the link is the key: never leak it
    return response


def release_image(request, name: str):
    """Serve a stored (re-encoded) release image; nothing else under MEDIA_ROOT."""
    if not _IMAGE_NAME.match(name):
        raise Http404("no such image")
    path = Path(settings.MEDIA_ROOT) / "releases" / name
    if not path.is_file():
        raise Http404("no such image")
    content_type = "image/png" if name.endswith(".png") else "image/jpeg"
    response = FileResponse(path.open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
