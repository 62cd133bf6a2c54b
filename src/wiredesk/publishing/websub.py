"""Which WebSub hub the feeds name (``WIREDESK_WEBSUB_HUB``), and how they name it.

Every feed carries ``rel="hub"`` (in the document and in a ``Link`` header, where WebSub
subscribers look first) beside its ``rel="self"`` when a hub is configured. The value
``own`` (or this site's own ``/websub/`` address) is wiredesk's own hub
(``syndication.websub``); pings and distribution live there.
"""

from __future__ import annotations

from django.conf import settings

OWN_PATH = "/websub/"


def own_hub_url() -> str:
    return settings.BASE_URL.rstrip("/") + OWN_PATH


def hub_url() -> str:
    """The hub's address, or "" when feeds name none."""
    hub = (settings.WIREDESK_WEBSUB_HUB or "").strip()
    if hub.lower() == "own":
        return own_hub_url()
    return hub


def is_own_hub() -> bool:
    hub = hub_url()
    return bool(hub) and hub.rstrip("/") == own_hub_url().rstrip("/")


def link_header(self_url: str) -> str:
    """The ``Link`` header value of a feed at ``self_url`` ("" without a hub)."""
    hub = hub_url()
    if not hub:
        return ""
    return f'<{hub}>; rel="hub", <{self_url}>; rel="self"'
