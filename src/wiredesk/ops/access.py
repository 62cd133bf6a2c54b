"""Who may read /metrics and /readyz's details: client addresses (``core.clients``) in
WIREDESK_METRICS_ALLOW, or anyone sending ``Authorization: Bearer`` WIREDESK_METRICS_TOKEN
(a scraper outside those networks). /healthz, and /readyz's status, are for everyone."""

from __future__ import annotations

import hmac

from django.conf import settings

from wiredesk.core.clients import client_address, parse_networks, within


def _token_matches(request) -> bool:
    expected = getattr(settings, "WIREDESK_METRICS_TOKEN", "")
    scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if not expected or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), expected.encode())


def metrics_allowed(request) -> bool:
    if _token_matches(request):
        return True
    address = client_address(request)
    if address is None:
        return False
    return within(address, parse_networks(settings.WIREDESK_METRICS_ALLOW))
