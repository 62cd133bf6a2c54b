"""``POST /websub/``: our own WebSub hub's subscription endpoint (see ``websub``)."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

from wiredesk.core.taskqueue import broker_configured, dispatch
from wiredesk.publishing.websub import is_own_hub
from wiredesk.syndication.websub import HubRefusal, subscription_request


@csrf_exempt  # subscribers are other servers, with no session and no form of ours
def hub(request):
    if not is_own_hub():
        raise Http404("this site is not a WebSub hub (WIREDESK_WEBSUB_HUB)")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    data = request.POST
    try:
        subscription = subscription_request(
            mode=data.get("hub.mode", ""), topic=data.get("hub.topic", ""),
            callback=data.get("hub.callback", ""),
            lease_seconds=data.get("hub.lease_seconds", ""),
            secret=data.get("hub.secret", ""))
    except HubRefusal as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    if broker_configured():
        # A worker verifies at once; without one, the websub job does on its next run.
        transaction.on_commit(lambda: dispatch("syndication.websub_verify", subscription.pk))
    return HttpResponse("accepted: the callback will be asked to verify this request",
                        status=202, content_type="text/plain; charset=utf-8")
