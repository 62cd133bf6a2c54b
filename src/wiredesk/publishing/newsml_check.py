"""The project's own NewsML-G2 schema check (the IPTC XSD is not available offline): strict
parse, namespace, required elements in the XSD's order, qcodes, dates and statuses."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from lxml import etree

NAR = "http://iptc.org/std/nar/2006-10-01/"
XHTML = "http://www.w3.org/1999/xhtml"
# The aliases of IPTC's catalog that wiredesk's documents use (tests check each is in it).
IPTC_ALIASES = frozenset({"ninat", "stat", "sig", "isrol", "cpnat", "irel", "drol", "nprov"})
XML_NAME = re.compile(r"[A-Za-z_][\w.-]*")
_QCODE = re.compile(r"^[A-Za-z][\w.-]*:\S+$")


def _q(name: str) -> str:
    return f"{{{NAR}}}{name}"


# Children in the XSD's order, for the elements wiredesk writes; each may be absent
# unless listed in _REQUIRED.
_ORDER = {
    "newsItem": ["catalogRef", "catalog", "hopHistory", "pubHistory", "rightsInfo",
                 "itemMeta", "contentMeta", "partMeta", "assert", "inlineRef", "derivedFrom",
                 "derivedFromValue", "contentSet"],
    "itemMeta": ["itemClass", "provider", "versionCreated", "firstCreated", "embargoed",
                 "availableAt", "pubStatus", "role", "fileName", "generator", "profile",
                 "service", "title", "edNote", "memberOf", "instanceOf", "signal", "altRep",
                 "deliverableOf", "hash", "expires", "incomingFeedId", "metadataCreator",
                 "link"],
    "contentMeta": ["urgency", "contentCreated", "contentModified", "located", "infoSource",
                    "creator", "contributor", "audience", "exclAudience", "altId", "rating",
                    "userInteraction", "language", "genre", "keyword", "subject", "slugline",
                    "headline", "dateline", "by", "creditline", "description"],
    "newsMessage": ["header", "itemSet"],
}
_REQUIRED = {"newsItem": ["itemMeta"], "itemMeta": ["itemClass", "provider", "versionCreated"],
             "newsMessage": ["header", "itemSet"]}
_ITEM_ATTRIBUTES = ("guid", "version", "standard", "standardversion")
_DATES = ("versionCreated", "firstCreated", "embargoed", "sent")
_STATUSES = {"stat:usable", "stat:withheld", "stat:canceled"}


def _local(element) -> str:
    return etree.QName(element).localname


def _check_order(element, problems: list[str]) -> None:
    name = _local(element)
    order = _ORDER.get(name)
    if order is None:
        return
    names = [_local(c) for c in element if isinstance(c.tag, str)]
    for child in names:
        if child not in order:
            problems.append(f"<{name}> may not hold <{child}>")
    ranks = [order.index(c) for c in names if c in order]
    if ranks != sorted(ranks):
        problems.append(f"<{name}>: children out of the schema's order: {', '.join(names)}")
    for required in _REQUIRED.get(name, []):
        if required not in names:
            problems.append(f"<{name}> without <{required}>")


def _check_item(item, problems: list[str]) -> None:
    for attribute in _ITEM_ATTRIBUTES:
        if not item.get(attribute):
            problems.append(f"<newsItem> without @{attribute}")
    if item.get("version") and not item.get("version").isdigit():
        problems.append("@version is not a positive integer")
    aliases = set(IPTC_ALIASES)
    for scheme in item.iter(_q("scheme")):
        aliases.add(scheme.get("alias", ""))
        if not scheme.get("uri"):
            problems.append(f"scheme {scheme.get('alias')!r} without @uri")
    for element in item.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag.startswith(f"{{{NAR}}}"):
            _check_order(element, problems)
        for attribute in ("qcode", "type", "role", "rel"):
            value = element.get(attribute)
            if value is None or not element.tag.startswith(f"{{{NAR}}}"):
                continue
            if not _QCODE.match(value) or value.split(":", 1)[0] not in aliases:
                problems.append(f"<{_local(element)} {attribute}={value!r}>: not a QCode of "
                                "a declared scheme")
    status = item.find(f"{_q('itemMeta')}/{_q('pubStatus')}")
    if status is not None and status.get("qcode") not in _STATUSES:
        problems.append(f"pubStatus {status.get('qcode')!r}")
    for inline in item.iter(_q("inlineXML")):
        if not inline.get("contenttype"):
            problems.append("<inlineXML> without @contenttype")
        roots = [c for c in inline if isinstance(c.tag, str)]
        if len(roots) != 1 or roots[0].tag != f"{{{XHTML}}}html":
            problems.append("<inlineXML> does not hold one XHTML <html>")
    for remote in item.iter(_q("remoteContent")):
        if not (remote.get("href") or remote.get("residref")):
            problems.append("<remoteContent> without @href")


def check(data: bytes) -> list[str]:
    """What is wrong with a NewsML-G2 document wiredesk wrote: [] when nothing."""
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    if etree.QName(root).namespace != NAR:
        return [f"root <{root.tag}> is not in the NewsML-G2 namespace"]
    problems: list[str] = []
    if _local(root) == "newsMessage":
        _check_order(root, problems)
        items = list(root.iter(_q("newsItem")))
        if not items:
            problems.append("<newsMessage> without a news item")
    elif _local(root) == "newsItem":
        items = [root]
    else:
        return [f"root <{_local(root)}> is neither newsItem nor newsMessage"]
    for item in items:
        _check_item(item, problems)
    for name in _DATES:
        for element in root.iter(_q(name)):
            try:
                moment = datetime.fromisoformat((element.text or "").replace("Z", "+00:00"))
            except ValueError:
                problems.append(f"<{name}> {element.text!r} is not a date and time")
                continue
            if moment.tzinfo is None:
                problems.append(f"<{name}> without a time zone")
            elif moment.astimezone(UTC).year < 1900:
                problems.append(f"<{name}> out of range")
    return problems
