"""Who may read /metrics: client addresses (``core.clients``) in WIREDESK_METRICS_ALLOW."""

from __future__ import annotations

from django.conf import settings

from wiredesk.core.clients import client_address, parse_networks, within


def metrics_allowed(request) -> bool:
    address = client_address(request)
    if address is None:
        return False
    return within(address, parse_networks(settings.WIREDESK_METRICS_ALLOW))
