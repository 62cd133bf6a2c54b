"""Rate limits per minute: by API key when one is given, else by client address."""

from __future__ import annotations

from django.conf import settings
from ninja.throttling import BaseThrottle

from wiredesk.api.services import apikey_check
from wiredesk.core.clients import client_ip
from wiredesk.core.ratelimit import Rate, hit, seconds_left

API_KEY_HEADER = "HTTP_X_API_KEY"
MINUTE = 60


def request_key(request):
    """The request's valid API key (looked up once per request), or None."""
    if not hasattr(request, "_wiredesk_api_key"):
        request._wiredesk_api_key = apikey_check(request.META.get(API_KEY_HEADER, ""))
    return request._wiredesk_api_key


class PerMinuteThrottle(BaseThrottle):
    """A fixed one-minute window counted in the shared cache (Redis when configured)."""

    def get_ident(self, request) -> str:
        # Not ninja's: it believes X-Forwarded-For from anyone.
        return client_ip(request)

    def allow_request(self, request) -> bool:
        key = request_key(request)
        if key is not None:
            return hit("api-key", str(key.pk), Rate(key.requests_per_minute, MINUTE))
        return hit("api-anon", self.get_ident(request),
                   Rate(settings.WIREDESK_API_ANON_PER_MINUTE, MINUTE))

    def wait(self) -> float:
        return seconds_left(Rate(1, MINUTE))
