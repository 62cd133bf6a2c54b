"""Rate limits per minute: by API key when one is given, else by client address."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from ninja.throttling import BaseThrottle

from wiredesk.api.services import apikey_check

API_KEY_HEADER = "HTTP_X_API_KEY"


def request_key(request):
    """The request's valid API key (looked up once per request), or None."""
    if not hasattr(request, "_wiredesk_api_key"):
        request._wiredesk_api_key = apikey_check(request.META.get(API_KEY_HEADER, ""))
    return request._wiredesk_api_key


class PerMinuteThrottle(BaseThrottle):
    """A fixed one-minute window counted in the shared cache (Redis when configured)."""

    def allow_request(self, request) -> bool:
        key = request_key(request)
        if key is not None:
            ident, limit = f"key{key.pk}", key.requests_per_minute
        else:
            ident, limit = f"ip{self.get_ident(request)}", settings.WIREDESK_API_ANON_PER_MINUTE
        window = int(time.time() // 60)
        counter = f"wd:api-rate:{ident}:{window}"
        cache.add(counter, 0, timeout=70)
        try:
            count = cache.incr(counter)
        except ValueError:  # evicted between add and incr
            cache.set(counter, 1, timeout=70)
            count = 1
        return count <= limit

    def wait(self) -> float:
        return 60 - (time.time() % 60)
