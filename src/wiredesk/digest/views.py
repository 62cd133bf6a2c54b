"""Public digest pages: sign up, confirm, unsubscribe (RFC 8058), preferences.

Views parse input and call one service. Every page about a subscriber is reached by a
signed link; a forged, expired or voided link gets a clear page and changes nothing.
"""

from __future__ import annotations

import json
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from wiredesk.core.clients import client_ip
from wiredesk.core.origin import same_origin_posts
from wiredesk.core.ratelimit import Rate, hit
from wiredesk.digest import services, tokens
from wiredesk.digest.addresses import AddressError, normalize_address
from wiredesk.digest.models import DEFAULT_DELIVERY_TIME, Subscriber
from wiredesk.editions.pages import edition_page, page_context
from wiredesk.editions.selectors import edition_sections

HONEYPOT = "website"
TIME_HINT = gettext_lazy("Please give a time like 06:30.")
ZONE_HINT = gettext_lazy("Please choose a time zone from the list.")


def _signup_allowed(ip: str) -> bool:
    """At most WIREDESK_DIGEST_SIGNUPS_PER_IP sign-up posts an hour from one address
    (0: no limit)."""
    limit = settings.WIREDESK_DIGEST_SIGNUPS_PER_IP
    return not limit or hit("digest-signup", ip, Rate(limit, 3600))


def _parse_time(value: str) -> time | None:
    try:
        hours, minutes = value.strip().split(":")[:2]
        return time(int(hours), int(minutes))
    except (ValueError, TypeError):
        return None


def _parse_zone(value: str) -> str | None:
    value = value.strip()
    if not value or len(value) > 64:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return value


def _parse_sections(request, offered) -> list[int]:
    allowed = {s.pk for s in offered}
    chosen = []
    for raw in request.POST.getlist("sections")[:100]:
        if raw.isdigit() and int(raw) in allowed:
            chosen.append(int(raw))
    return chosen


def _page(request, *, title: str, text: str, status: int = 200,
          button: str = "", action: str = "") -> HttpResponse:
    return render(request, "digest/message.html", page_context(
        request, title=title, text=text, button=button, action=action), status=status)


def _zones() -> list[str]:
    from zoneinfo import available_timezones

    return sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc"))


# No CSRF token: the form sits on every public page, which a CDN shares (a token would
# be one visitor's, handed to all) and on static copies. Posts are taken from the site's
# own pages (and trusted origins: a static copy's host) by their Origin/Sec-Fetch-Site
# (core.origin); even so, nothing changes until the link in the mail is opened, and posts
# are rate-limited per address.
@same_origin_posts
@never_cache
@require_http_methods(["GET", "POST"])
@edition_page
def subscribe(request):
    edition = request.edition
    offered = edition_sections(edition)
    form = {"email": "", "delivery_time": DEFAULT_DELIVERY_TIME.strftime("%H:%M"),
            "time_zone": edition.time_zone, "sections": []}
    if request.method == "GET":
        return render(request, "digest/subscribe.html", page_context(
            request, form=form, offered=offered, zones=_zones(), errors={}))
    check_inbox = {"title": _("Check your inbox"),
                   "text": _("If that address can receive our email, a message is on its way. "
                             "Open the link in it to confirm your subscription to the "
                             "%(edition)s daily email.") % {"edition": edition.name}}
    if request.POST.get(HONEYPOT):
        return _page(request, **check_inbox)  # a bot: same answer, nothing kept
    if not _signup_allowed(client_ip(request)):
        return _page(request, status=429, title=_("Too many sign-ups"),
                     text=_("Too many sign-ups came from your network in the last hour. "
                            "Please try again later."))
    errors = {}
    form.update(email=request.POST.get("email", "")[:300],
                delivery_time=request.POST.get("delivery_time", form["delivery_time"])[:10],
                time_zone=request.POST.get("time_zone", form["time_zone"])[:64])
    try:
        email = normalize_address(request.POST.get("email", ""))
    except AddressError as exc:
        errors["email"] = _("Please enter one valid email address (%(problem)s).") % {
            "problem": exc}
    delivery_time = _parse_time(form["delivery_time"])
    if delivery_time is None:
        errors["delivery_time"] = TIME_HINT
    zone = _parse_zone(form["time_zone"])
    if zone is None:
        errors["time_zone"] = ZONE_HINT
    section_ids = _parse_sections(request, offered)
    form["sections"] = section_ids
    if errors:
        return render(request, "digest/subscribe.html", page_context(
            request, form=form, offered=offered, zones=_zones(),
            errors=errors), status=400)
    services.subscriber_subscribe(
        edition=edition, email=email, section_ids=section_ids, delivery_time=delivery_time,
        time_zone="" if zone == edition.time_zone else zone, ip=client_ip(request))
    return _page(request, **check_inbox)


def _subscriber(request, token: str, purpose: str):
    """The subscriber a link names, or the page to show instead."""
    try:
        subscriber = tokens.read_token(token, purpose)
    except tokens.TokenError as exc:
        days = settings.WIREDESK_DIGEST_CONFIRM_MAX_AGE // 86400
        text = (ngettext("%(problem)s Confirmation links work for %(days)d day; please sign "
                         "up again.", "%(problem)s Confirmation links work for %(days)d days; "
                         "please sign up again.", days) % {"problem": exc, "days": days}
                if exc.expired else
                _("%(problem)s Nothing was changed. Please use the latest link we sent you.")
                % {"problem": exc})
        return None, _page(request, status=400, title=_("Link not valid"),
                           text=text)
    if subscriber.edition_id != request.edition.pk:
        return None, _page(request, status=400, title=_("Link not valid"),
                           text=_("This link is not valid for this edition. "
                                  "Nothing was changed."))
    return subscriber, None


@never_cache
@require_http_methods(["GET", "POST"])
@edition_page
def confirm(request, token: str):
    edition = request.edition
    subscriber, error = _subscriber(request, token, tokens.CONFIRM)
    if error:
        return error
    if request.method == "GET":
        # A button, not a GET side effect: mail scanners open links without a reader.
        return _page(request, title=_("Confirm your subscription"),
                     text=_("Press the button to start the %(edition)s daily email at "
                            "%(email)s.") % {"edition": edition.name, "email": subscriber.email},
                     button=_("Confirm subscription"), action=request.path)
    outcome = services.subscriber_confirm(subscriber=subscriber)
    if outcome == "cancelled":
        return _page(request, title=_("Subscription cancelled"),
                     text=_("This subscription was cancelled. Sign up again to restart it."))
    return _page(request, title=_("You are subscribed"),
                 text=_("The %(edition)s daily email will reach %(email)s every day at "
                        "%(time)s (%(zone)s).") % {
                     "edition": edition.name, "email": subscriber.email,
                     "time": f"{subscriber.delivery_time:%H:%M}", "zone": subscriber.zone})


@csrf_exempt  # RFC 8058: mailbox providers POST here without cookies; the token authorizes
@never_cache
@require_http_methods(["GET", "POST"])
@edition_page
def unsubscribe(request, token: str):
    edition = request.edition
    subscriber, error = _subscriber(request, token, tokens.UNSUBSCRIBE)
    if error:
        return error
    if request.method == "GET":
        return _page(request, title=_("Unsubscribe"),
                     text=_("Stop the %(edition)s daily email to %(email)s?") % {
                         "edition": edition.name, "email": subscriber.email},
                     button=_("Unsubscribe"), action=request.path)
    services.subscriber_unsubscribe(subscriber=subscriber)
    return _page(request, title=_("You are unsubscribed"),
                 text=_("%(email)s will get no more %(edition)s daily email.") % {
                     "email": subscriber.email, "edition": edition.name})


@never_cache
@require_http_methods(["GET", "POST"])
@edition_page
def preferences(request, token: str):
    edition = request.edition
    subscriber, error = _subscriber(request, token, tokens.PREFERENCES)
    if error:
        return error
    offered = edition_sections(edition)
    errors, saved = {}, False
    if request.method == "POST":
        delivery_time = _parse_time(request.POST.get("delivery_time", "")[:10])
        zone = _parse_zone(request.POST.get("time_zone", "")[:64])
        if delivery_time is None:
            errors["delivery_time"] = TIME_HINT
        if zone is None:
            errors["time_zone"] = ZONE_HINT
        if not errors:
            subscriber = services.subscriber_update_preferences(
                subscriber=subscriber, section_ids=_parse_sections(request, offered),
                delivery_time=delivery_time, time_zone="" if zone == edition.time_zone
                else zone, paused=bool(request.POST.get("paused")))
            saved = True
    form = {"delivery_time": subscriber.delivery_time.strftime("%H:%M"),
            "time_zone": subscriber.zone, "paused": subscriber.paused,
            "sections": [s.pk for s in subscriber.sections.all()]}
    return render(request, "digest/preferences.html", page_context(
        request, subscriber=subscriber, form=form, offered=offered,
        zones=_zones(), errors=errors, saved=saved, token=token,
        unsubscribe_url=f"{request.edition_base}/digest/unsubscribe/"
                        f"{tokens.make_token(subscriber, tokens.UNSUBSCRIBE)}",
        confirmed=subscriber.status == Subscriber.Status.CONFIRMED),
        status=400 if errors else 200)


@never_cache
@require_http_methods(["GET"])
@edition_page
def export(request, token: str):
    edition = request.edition
    subscriber, error = _subscriber(request, token, tokens.PREFERENCES)
    if error:
        return error
    data = services.subscriber_export(subscriber=subscriber)
    response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{edition.slug}-digest-data.json"'
    return response


@never_cache
@require_http_methods(["POST"])
@edition_page
def erase(request, token: str):
    edition = request.edition
    subscriber, error = _subscriber(request, token, tokens.PREFERENCES)
    if error:
        return error
    services.subscriber_erase(subscriber=subscriber)
    return _page(request, title=_("Your data is erased"),
                 text=_("We deleted your address and your delivery history from "
                        "%(edition)s. No more email will be sent to you.") % {
                     "edition": edition.name})
