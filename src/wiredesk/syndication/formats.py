"""What a partner is sent: one article's state in the partner's format.

``render_for_partner`` is the one place the format is chosen. ``json`` is the JSON API's
own article shape (``api.routers.common.article_out``) in an envelope that says what
happened. ``ninjs`` and ``newsml`` are the IPTC documents the API and the partner feeds
serve (``publishing.ninjs``, ``publishing.newsml``): a kill is ``canceled``, a hold or
embargo ``withheld``, as those writers decide. Two states only a push knows are written
here: an article taken out of the partner's edition (the document as ``withheld``,
without its copy) and a deleted one (a minimal ``canceled`` item naming its id).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from lxml import etree

from wiredesk.api.routers.common import article_out
from wiredesk.editions.models import Edition
from wiredesk.errors import WiredeskError
from wiredesk.newsroom.models import Article
from wiredesk.publishing import items, newsml, ninjs

JSON_TYPE = "application/json"
NINJS_TYPE = ninjs.MEDIA_TYPE
NEWSML_TYPE = newsml.ITEM_MEDIA_TYPE
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


def _deleted_uri(item: ItemState) -> str:
    return f"urn:newsml:{items.provider_id()}:deleted:{item.article_id}"


def render_ninjs(item: ItemState) -> tuple[bytes, str]:
    if item.article is None:  # deleted: all that is left is its id and version
        document = {"uri": _deleted_uri(item), "type": "text", "version": str(item.version),
                    "pubstatus": items.CANCELED, "ednote": "deleted",
                    "versioncreated": items.iso(timezone.now())}
        return ninjs.dumps(document), NINJS_TYPE
    document = ninjs.article_document(item.article, item.edition)
    if item.reason == "removed":  # public elsewhere, no longer in the partner's edition
        document["pubstatus"] = items.WITHHELD
        for copy in ("bodies", "associations"):
            document.pop(copy, None)
    return ninjs.dumps(document), NINJS_TYPE


def render_newsml(item: ItemState) -> tuple[bytes, str]:
    if item.article is None:
        root = etree.Element(f"{{{newsml.NAR}}}newsItem", nsmap={None: newsml.NAR})
        root.set("guid", _deleted_uri(item))
        root.set("version", str(item.version))
        root.set("standard", "NewsML-G2")
        root.set("standardversion", newsml.STANDARD_VERSION)
        meta = etree.SubElement(root, f"{{{newsml.NAR}}}itemMeta")
        etree.SubElement(meta, f"{{{newsml.NAR}}}itemClass", qcode="ninat:text")
        etree.SubElement(meta, f"{{{newsml.NAR}}}versionCreated").text = items.iso(
            timezone.now())
        etree.SubElement(meta, f"{{{newsml.NAR}}}pubStatus", qcode=f"stat:{items.CANCELED}")
        etree.SubElement(meta, f"{{{newsml.NAR}}}edNote").text = "deleted"
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8"), NEWSML_TYPE
    body = newsml.article_document(item.article, item.edition)
    if item.reason == "removed":
        root = etree.fromstring(body)
        for status in root.iter(f"{{{newsml.NAR}}}pubStatus"):
            status.set("qcode", f"stat:{items.WITHHELD}")
        for content in root.findall(f"{{{newsml.NAR}}}contentSet"):
            root.remove(content)
        body = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return body, NEWSML_TYPE


RENDERERS = {"json": render_json, "ninjs": render_ninjs, "newsml": render_newsml}


def render_for_partner(item: ItemState, fmt: str) -> tuple[bytes, str]:
    """The body a partner taking ``fmt`` is sent for ``item``, and its content type."""
    renderer = RENDERERS.get(fmt)
    if renderer is None:
        raise FormatUnavailable(f"unknown partner format {fmt!r}")
    return renderer(item)
