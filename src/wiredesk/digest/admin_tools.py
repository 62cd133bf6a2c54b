"""The digest's operator pages in the admin: preview any digest as any reader, send a
test copy, and each send's figures with their chart. Mounted by ``DigestAdmin.get_urls``
behind ``admin_view`` (staff only); each view checks its own permission too.

Views parse the request and call one function: ``previews.digest_preview`` /
``digest_test_send``, ``figures.send_rows`` / ``chart_svg``.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin

from wiredesk.core import ratelimit
from wiredesk.core.headers import MAIL_FRAME_SANDBOX, MAIL_PART_POLICY, content_security_policy
from wiredesk.digest import figures, previews
from wiredesk.digest.models import Digest, Subscriber
from wiredesk.editions.models import Edition

PREVIEW_PERMISSION = "digest.view_subscriber"  # the preview shows a reader's own copy
FIGURES_PERMISSION = "digest.view_delivery"
LINKS_TO_WINDOW = '<base target="_top">'


class PreviewForm(forms.Form):
    edition = forms.ModelChoiceField(Edition.objects.all())
    email = forms.CharField(required=False, max_length=254, label="Reader's address",
                            help_text="Empty: a reader with the edition's defaults")
    digest = forms.ModelChoiceField(Digest.objects.none(), required=False,
                                    label="Issue", empty_label="their next digest")

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        edition_id = (data or {}).get("edition")
        if edition_id and str(edition_id).isdigit():
            self.fields["digest"].queryset = Digest.objects.filter(
                edition_id=int(edition_id)).order_by("-issue_date")

    def clean(self):
        cleaned = super().clean()
        edition, email = cleaned.get("edition"), (cleaned.get("email") or "").strip().lower()
        cleaned["subscriber"] = None
        if edition and email:
            subscriber = Subscriber.objects.filter(edition=edition, email=email).first()
            if subscriber is None:
                self.add_error("email", f"{email} is not a subscriber of {edition.name}")
            cleaned["subscriber"] = subscriber
        return cleaned


class TestSendForm(forms.Form):
    to = forms.EmailField(label="Send a test copy to", max_length=254)


def _preview_form(request) -> PreviewForm:
    if not request.user.has_perm(PREVIEW_PERMISSION):
        raise PermissionDenied
    return PreviewForm(request.GET or None)


def _make_preview(form: PreviewForm):
    data = form.cleaned_data
    return previews.digest_preview(edition=data["edition"], subscriber=data["subscriber"],
                                   digest=data["digest"])


@never_cache
def preview_view(request, model_admin):
    form = _preview_form(request)
    preview = error = None
    test_form = TestSendForm(initial={"to": request.user.email})
    if form.is_bound and form.is_valid():
        try:
            preview = _make_preview(form)
        except previews.PreviewError as exc:
            error = str(exc)
        if preview is not None and request.method == "POST":
            test_form = TestSendForm(request.POST)
            if test_form.is_valid():
                _test_send(request, preview, test_form.cleaned_data["to"])
                return redirect(f"{request.path}?{request.GET.urlencode()}")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta, "title": "Preview a digest as a reader",
        "form": form, "preview": preview, "error": error, "test_form": test_form,
        "html_url": f"{request.path}html/?{request.GET.urlencode()}",
        "sandbox": MAIL_FRAME_SANDBOX,
    }
    response = TemplateResponse(request, "admin/digest/preview.html", context)
    response["Content-Security-Policy"] = content_security_policy(
        inline_styles=True, https=settings.WIREDESK_HTTPS, frames="'self'")
    return response


def _test_send(request, preview, to: str) -> None:
    rate = ratelimit.Rate.parse(settings.WIREDESK_DIGEST_TEST_SEND_RATE)
    if not ratelimit.hit("digest-test-send", str(request.user.pk), rate):
        messages.error(request, f"Test copies are limited to "
                                f"{settings.WIREDESK_DIGEST_TEST_SEND_RATE} per editor; "
                                "try again later.")
        return
    try:
        result = previews.digest_test_send(preview=preview, to=to,
                                           sent_by=request.user.get_username())
    except previews.PreviewError as exc:
        messages.error(request, str(exc))
        return
    if result.ok:
        messages.success(request, f"A test copy went to {to} (not recorded as a delivery).")
    else:
        messages.error(request, f"The test copy to {to} was not sent: {result.error}")


@never_cache
@xframe_options_sameorigin
def preview_html_view(request, model_admin):
    form = _preview_form(request)
    if not (form.is_bound and form.is_valid()):
        return HttpResponse("Choose an edition.", content_type="text/plain", status=400)
    try:
        preview = _make_preview(form)
    except previews.PreviewError as exc:
        return HttpResponse(str(exc), content_type="text/plain; charset=utf-8", status=404)
    response = HttpResponse(LINKS_TO_WINDOW + preview.html,
                            content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = MAIL_PART_POLICY
    return response


@never_cache
def figures_view(request, model_admin):
    if not request.user.has_perm(FIGURES_PERMISSION):
        raise PermissionDenied
    editions = list(Edition.objects.all())
    chosen = next((e for e in editions if str(e.pk) == request.GET.get("edition")), None)
    try:
        limit = min(max(int(request.GET.get("sends", 30)), 2), 365)
    except ValueError:
        limit = 30
    rows = figures.send_rows(edition_id=chosen.pk if chosen else None, limit=limit)
    title = f"{chosen.name if chosen else 'Every edition'}: the last {len(rows)} sends"
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta, "title": "Digest sends: figures",
        "editions": editions, "chosen": chosen, "limit": limit, "rows": rows,
        "figures": figures.FIGURES, "labels": figures.LABELS, "chart_title": title,
        # Built from numbers, dates and escaped names only (figures.chart_svg).
        "charts": [mark_safe(figures.chart_svg(rows, title=f"{title}: {what}", series=series))
                   for what, series in (("volume", figures.VOLUME),
                                        ("trouble", figures.TROUBLE))],
    }
    return TemplateResponse(request, "admin/digest/figures.html", context)
