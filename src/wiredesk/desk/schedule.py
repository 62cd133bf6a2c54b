"""The desk's schedule: what is to be published or unpublished when, day by day on the
edition's clock (``/desk/schedule/``), and one article's times (``/desk/articles/<id>/
schedule/``). Forms and buttons only: no script needed."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from wiredesk.desk.scheduling import (
    article_editions,
    schedule_from_local,
    scheduled_days,
    site_zone,
    upcoming,
    zone_label,
    zone_now,
)
from wiredesk.desk.views import desk_context
from wiredesk.editions.models import Edition
from wiredesk.newsroom.errors import ServiceError
from wiredesk.newsroom.models import Article, Schedule
from wiredesk.newsroom.services import schedule_cancel

SCHEDULE = "newsroom.schedule_article"
TIME_HELP = ("Local time on the chosen edition's clock, e.g. 2026-12-24 08:00. Where the "
             "clocks go back and a time happens twice, add its offset: 2026-04-04 23:30 -03:00.")


def _may_schedule(request, article: Article) -> bool:
    return request.user.has_perm(SCHEDULE, article)


@never_cache
def schedule_list(request):
    if not request.user.has_perm("newsroom.view_article"):
        raise PermissionDenied
    wanted = request.GET.get("article", "").strip()
    if wanted.isdigit():
        return redirect("desk:article-schedule", article_id=int(wanted))
    editions = list(Edition.objects.order_by("position", "name"))
    slug = request.GET.get("edition", "")
    edition = next((e for e in editions if e.slug == slug), None)
    schedules = upcoming(edition)
    may_cancel = {s.article_id for s in schedules if _may_schedule(request, s.article)}
    days = scheduled_days(schedules, zone=edition.time_zone if edition else "")
    return TemplateResponse(request, "desk/schedule.html", desk_context(
        request, "Scheduled", days=days, editions=editions, edition=edition,
        zone=zone_now(edition.time_zone) if edition else "", may_cancel=may_cancel))


class ScheduleForm(forms.Form):
    edition = forms.ChoiceField(required=False, label="On the clock of")
    publish_at = forms.CharField(required=False, label="Publish at", help_text=TIME_HELP,
                                 widget=forms.TextInput(attrs={"placeholder":
                                                               "YYYY-MM-DD HH:MM"}))
    unpublish_at = forms.CharField(required=False, label="Unpublish at",
                                   widget=forms.TextInput(attrs={"placeholder":
                                                                 "YYYY-MM-DD HH:MM"}))

    def __init__(self, *args, article: Article, **kwargs):
        super().__init__(*args, **kwargs)
        own = article_editions(article)
        others = Edition.objects.exclude(pk__in=[e.pk for e in own]).order_by("position",
                                                                               "name")
        choices = [(e.slug, f"{e.name}: {zone_now(e.time_zone)}") for e in [*own, *others]]
        if not own:
            choices.insert(0, ("", f"the site's clock: {zone_now(site_zone())}"))
        self.fields["edition"].choices = choices

    def clean_edition(self):
        slug = self.cleaned_data.get("edition") or ""
        return Edition.objects.filter(slug=slug).first() if slug else None


@never_cache
def article_schedule(request, article_id: int):
    article = get_object_or_404(Article, pk=article_id)
    if not _may_schedule(request, article):
        raise PermissionDenied
    if request.method == "POST":
        form = ScheduleForm(request.POST, article=article)
        if form.is_valid():
            try:
                done = schedule_from_local(
                    article=article, actor=request.user, edition=form.cleaned_data["edition"],
                    publish_at=form.cleaned_data["publish_at"],
                    unpublish_at=form.cleaned_data["unpublish_at"])
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                said = [f"{what} at {moment.astimezone(ZoneInfo(done.zone)):%Y-%m-%d %H:%M} "
                        f"{zone_label(done.zone, at=moment)}"
                        for what, moment in (("published", done.publish_at),
                                             ("unpublished", done.unpublish_at)) if moment]
                messages.success(request, f"Article {article.pk} will be {' and '.join(said)}.")
                return redirect("desk:schedule")
    else:
        form = ScheduleForm(initial={"edition": request.GET.get("edition", "")},
                            article=article)
    current = list(Schedule.objects.filter(article=article).order_by("due_at"))
    return TemplateResponse(request, "desk/article_schedule.html", desk_context(
        request, f"Schedule article {article.pk}", article=article, form=form,
        days=scheduled_days(current), may_cancel={article.pk}))


@require_POST
@never_cache
def cancel(request, article_id: int):
    article = get_object_or_404(Article, pk=article_id)
    if not _may_schedule(request, article):
        raise PermissionDenied
    action = request.POST.get("action", "")
    if action not in ("", *Schedule.Action.values):
        return HttpResponseBadRequest("no such scheduled action")
    if schedule_cancel(article=article, actor=request.user, action=action or None):
        messages.success(request, f"Article {article.pk}: "
                                  f"{'scheduled ' + action if action else 'schedule'} cancelled.")
    else:
        messages.info(request, f"Article {article.pk} had nothing scheduled to cancel.")
    if request.POST.get("back") == "article":
        return redirect("desk:article-schedule", article_id=article.pk)
    return redirect(reverse("desk:schedule"))
