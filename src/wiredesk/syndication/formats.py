"""What a partner is sent: one article's state in the partner's format.

``render_for_partner`` is the one place the format is chosen. ``json`` is the JSON API's
own article shape (``api.routers.common.article_out``) in an envelope that says what
happened. ``ninjs`` and ``newsml`` are hooks: the IPTC serialisers are written beside the
API's content negotiation (issue 18, item 1) and plugged in here, in ``RENDERERS``; until
then a partner in those formats gets each delivery failed with a message that says so
(recorded in its ledger, retried, nothing lost).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder

from wiredesk.api.routers.common import article_out
from wiredesk.editions.models import Edition
from wiredesk.errors import WiredeskError
from wiredesk.newsroom.models import Article

JSON_TYPE = "application/json"
NINJS_TYPE = "application/ninjs+json"
NEWSML_TYPE = "application/vnd.iptc.g2.newsitem+xml"
EXTENSIONS = {"json": "json", "ninjs": "ninjs.json", "newsml": "xml"}


class FormatUnavailable(WiredeskError):
    """This build has no serialiser for the partner's format."""


@dataclass(frozen=True)
class ItemState:
    """One article as a partner is to learn of it: public (``article`` set, ``reason``
    empty), or a tombstone: killed, deleted, held, embargoed or removed from the partner's
    edition (``reason``), with what is left of it."""

    article_id: int
    version: int
    action: str  # publish, update, kill, unpublish (as in /api/changes)
    reason: str
    article: Article | None
    edition: Edition | None  # the partner's edition filter, for links
    key: str  # the delivery's idempotency key

    @property
    def is_tombstone(self) -> bool:
        return bool(self.reason)


def render_json(item: ItemState) -> tuple[bytes, str]:
    document = {
        "id": item.article_id,
        "key": item.key,
        "action": item.action,
        "version": item.version,
        "reason": item.reason or None,
        "status_reason": item.article.status_reason if item.article else "",
        "signal": item.article.signal if item.article else "",
        "article": None if item.is_tombstone or item.article is None
        else article_out(item.article, item.edition),
    }
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False).encode(), JSON_TYPE


def render_ninjs(item: ItemState) -> tuple[bytes, str]:
    # HOOK (issue 18, item 1): return the NINJS serialiser's bytes and NINJS_TYPE here.
    raise FormatUnavailable("NINJS is not wired into pushes yet "
                            "(hook: wiredesk.syndication.formats.render_ninjs)")


def render_newsml(item: ItemState) -> tuple[bytes, str]:
    # HOOK (issue 18, item 1): return the NewsML-G2 serialiser's bytes and NEWSML_TYPE here.
    raise FormatUnavailable("NewsML-G2 is not wired into pushes yet "
                            "(hook: wiredesk.syndication.formats.render_newsml)")


RENDERERS = {"json": render_json, "ninjs": render_ninjs, "newsml": render_newsml}


def render_for_partner(item: ItemState, fmt: str) -> tuple[bytes, str]:
    """The body a partner taking ``fmt`` is sent for ``item``, and its content type."""
    renderer = RENDERERS.get(fmt)
    if renderer is None:
        raise FormatUnavailable(f"unknown partner format {fmt!r}")
    return renderer(item)
