"""Who sent a request: the one client address every rate limit and allow-list uses.

The client address is REMOTE_ADDR. ``X-Forwarded-For`` is honoured only when the
request comes from a proxy listed in WIREDESK_TRUSTED_PROXIES; then the client is the
right-most address in the header that is not itself a trusted proxy (anything to its
left was written by the client and can be forged).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: list[str]) -> list[Network]:
    return [ipaddress.ip_network(v.strip(), strict=False) for v in values if v.strip()]


def _address(text: str) -> Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def within(address: Address, networks: list[Network]) -> bool:
    return any(address.version == n.version and address in n for n in networks)


def client_address(request, *, trusted: list[Network] | None = None) -> Address | None:
    """The client's address, or None when it cannot be told (a mangled header)."""
    trusted = parse_networks(settings.WIREDESK_TRUSTED_PROXIES) if trusted is None else trusted
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is None or not within(peer, trusted):
        return peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([h for h in forwarded.split(",") if h.strip()]):
        address = _address(hop)
        if address is None:
            return None  # a mangled header: trust nothing
        if not within(address, trusted):
            return address
    return peer


def client_ip(request) -> str:
    """``client_address`` as text for keys and logs; "unknown" when it cannot be told
    (every such request then shares one rate-limit bucket)."""
    address = client_address(request)
    return str(address) if address is not None else "unknown"


def client_ip_or_none(request) -> str | None:
    """``client_address`` as text, or None when it cannot be told: for records that keep
    an address in an IP field (django-axes' sign-in attempts), where "unknown" is no
    address at all and PostgreSQL refuses it."""
    address = client_address(request)
    return str(address) if address is not None else None
