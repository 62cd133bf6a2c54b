"""NewsML 1.x (the IPTC format before G2, still sent by AFP and others).

Bodies are inline NITF, HTML in CDATA, or bare ``<p>`` markup inside ``DataContent``.
"""

from __future__ import annotations

import html
import re

from wiredesk.wire.dates import parse_date
from wiredesk.wire.formats.nitf import item_from_nitf
from wiredesk.wire.types import ParseResult, WireError, WireItem
from wiredesk.wire.xmlsafe import inner_xml, local, parse_xml, text_of

_ROOT = re.compile(rb"^(?:\s|<\?xml[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>]*>)*<NewsML[\s>]", re.S)
_STATUS = {"usable": "usable", "canceled": "canceled", "cancelled": "canceled",
           "withheld": "withheld", "embargoed": "usable"}


def sniff(data: bytes) -> bool:
    return bool(_ROOT.match(data[:4096]))


def _first(element, name: str):
    for node in element.iter():
        if local(node.tag) == name:
            return node
    return None


def _data_content(item) -> tuple[str, WireItem | None]:
    for content in (n for n in item.iter() if local(n.tag) == "DataContent"):
        nitf = _first(content, "nitf")
        if nitf is not None:
            nitf_item = item_from_nitf(nitf)
            return nitf_item.body, nitf_item
        if len(content):
            markup = inner_xml(content)
        else:
            markup = content.text or ""
            if "<" not in markup:
                markup = html.escape(markup)
        if markup.strip():
            return markup, None
    return "", None


def item_from_newsml1(item) -> WireItem:
    provider = text_of(_first(item, "ProviderId"))
    item_id = text_of(_first(item, "NewsItemId"))
    public = text_of(_first(item, "PublicIdentifier"))
    revision = text_of(_first(item, "RevisionId"))
    status_node = _first(item, "Status")
    status = _STATUS.get((status_node.get("FormalName") or "").lower(), "usable") \
        if status_node is not None else "usable"
    published, naive_p = parse_date(text_of(_first(item, "FirstCreated")))
    updated, naive_u = parse_date(text_of(_first(item, "ThisRevisionCreated")))
    body, nitf_item = _data_content(item)
    title = text_of(_first(item, "HeadLine"))
    dateline = text_of(_first(item, "DateLine"))
    if re.fullmatch(r"[\d/.\- ]+", dateline):
        dateline = ""  # a bare date is not a dateline
    result = WireItem(
        title=html.escape(title or (nitf_item.title if nitf_item else ""), quote=False),
        # The public identifier carries the revision; the item id names the story.
        guid=f"{provider}:{item_id}" if item_id else public,
        body=body,
        byline=text_of(_first(item, "ByLine")) or (nitf_item.byline if nitf_item else ""),
        dateline=dateline or (nitf_item.dateline if nitf_item else ""),
        slugline=text_of(_first(item, "SlugLine")),
        published=published or updated,
        updated=updated,
        naive_dates=naive_p or naive_u,
        status=status,
        version=int(revision) if revision.isdigit() else None,
        media=nitf_item.media if nitf_item else [],
        source_format="newsml1",
    )
    credit = text_of(_first(item, "CreditLine"))
    if credit and not result.byline:
        result.byline = credit
    return result


def parse(data: bytes, *, base_url: str = "", content_type: str = "") -> ParseResult:
    root = parse_xml(data, content_type=content_type)
    items = [item_from_newsml1(n) for n in root.iter() if local(n.tag) == "NewsItem"]
    if not items:
        raise WireError("NewsML 1.x document without a NewsItem")
    return ParseResult(items=items, format="newsml1")
