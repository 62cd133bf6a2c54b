"""IPTC NewsML-G2: news items (text, picture, video) and packages, alone or in a newsMessage.

Knowledge, concept, planning and catalog items carry no copy and are skipped with a
warning. Bodies come from ``inlineXML`` (NITF or XHTML) or ``inlineData``; pictures
from ``remoteContent`` renditions.
"""

from __future__ import annotations

import html
import re

from wiredesk.wire.dates import parse_date
from wiredesk.wire.formats.g2_links import package_links, picture_links
from wiredesk.wire.formats.g2_tree import (
    child as _child,
)
from wiredesk.wire.formats.g2_tree import (
    children as _children,
)
from wiredesk.wire.formats.g2_tree import (
    descendants as _descendants,
)
from wiredesk.wire.formats.g2_tree import (
    qcode_tail as _qcode_tail,
)
from wiredesk.wire.formats.nitf import is_timestamp, item_from_nitf, resolved_url
from wiredesk.wire.pictures import PICTURE_CLASSES, byte_length, dimension
from wiredesk.wire.types import Media, ParseResult, WireError, WireItem
from wiredesk.wire.xmlsafe import inner_xml, local, parse_xml, text_of

_ROOTS = (b"<newsMessage", b"<newsItem", b"<packageItem", b"<knowledgeItem",
          b"<conceptItem", b"<planningItem", b"<catalogItem", b"<contentSet", b"<inlineXML")
_NS_ROOT = re.compile(rb"<(?:\w+:)?(newsMessage|newsItem|packageItem)[\s>]")
# Fragments of G2 documents (IPTC's listings show these alone): recognised so that
# the error names the right format.
_FRAGMENT_ROOT = re.compile(
    rb"^(?:\s|<\?xml[^>]*\?>|<!--.*?-->)*<(?:\w+:)?(groupSet|contentMeta|itemMeta|contentSet"
    rb"|inlineXML|knowledgeItem|conceptItem|planningItem|catalogItem)[\s>]", re.S)
_CONTENT_ITEMS = {"newsItem", "packageItem"}
_OTHER_ITEMS = {"knowledgeItem", "conceptItem", "planningItem", "catalogItem"}
# Best picture for a web page first; thumbnails last, originals before them.
_RENDITION_RANK = ("viewimage", "preview", "web", "main", "highres", "baseimage",
                   "original", "thumbnail")
_STATUS = {"usable": "usable", "canceled": "canceled", "cancelled": "canceled",
           "withheld": "withheld"}


def sniff(data: bytes) -> bool:
    head = data[:8192].replace(b"\x00", b"")
    return bool(_NS_ROOT.search(head) or _FRAGMENT_ROOT.match(head)) or (
        b"iptc.org/std/nar/" in data[:65536] and any(r in head for r in _ROOTS))


def _date(element) -> tuple:
    return parse_date(text_of(element)) if element is not None else (None, False)


def _headline(content_meta) -> str:
    headlines = _children(content_meta, "headline") if content_meta is not None else []
    for node in headlines:
        if (node.get("role") or "").endswith("main") and text_of(node):
            return text_of(node)
    for node in headlines:
        if text_of(node):
            return text_of(node)
    return ""


def _names(element) -> str:
    name = _child(element, "name")
    return text_of(name) if name is not None else (element.get("literal") or "").strip()


def _xhtml_body(inline) -> str:
    bodies = _descendants(inline, "body")
    target = bodies[0] if bodies else inline
    for unwanted in [n for n in target.iter() if local(n.tag) in ("header", "footer", "head")]:
        parent = unwanted.getparent()
        if parent is not None:
            tail = unwanted.tail
            parent.remove(unwanted)
            if tail:
                # Keep text that followed the removed element.
                prev = parent[-1] if len(parent) else None
                if prev is not None:
                    prev.tail = (prev.tail or "") + tail
                else:
                    parent.text = (parent.text or "") + tail
    return inner_xml(target)


def _description(content_meta, *roles: str) -> str:
    """The first description whose role names one of ``roles`` ("" matches any role)."""
    for description in (_children(content_meta, "description") if content_meta is not None
                        else []):
        role = (description.get("role") or "").rsplit(":", 1)[-1].lower()
        if any(wanted in role if wanted else True for wanted in roles) and text_of(description):
            return text_of(description)
    return ""


def _rights(item) -> str:
    """The copyright notice and usage terms (English ones first) of an item."""
    parts: list[str] = []
    for info in _children(item, "rightsInfo"):
        notices = _children(info, "copyrightNotice")
        terms = sorted(_children(info, "usageTerms"), key=lambda n: not (
            n.get("{http://www.w3.org/XML/1998/namespace}lang") or "en").startswith("en"))
        for node in [*notices, *terms[:1]]:
            if text_of(node) and text_of(node) not in parts:
                parts.append(text_of(node))
    return " ".join(parts)


def _media(item, content_set, content_meta, base_url: str = "") -> list[Media]:
    """The best rendition of a picture item, or the still picture of a text or video."""
    candidates = []
    is_picture = _item_class(item) in PICTURE_CLASSES
    for remote in _descendants(content_set, "remoteContent") if content_set is not None else []:
        href = resolved_url(base_url, (remote.get("href") or "").strip())
        kind = (remote.get("contenttype") or "").lower()
        if not href or (kind and not kind.startswith("image")) or (
                not kind and not is_picture and not _looks_like_image(href)):
            continue  # a video's own file is not its picture
        rendition = ((remote.get("rendition") or "").rsplit(":", 1)[-1]
                     or (remote.get("renditionuri") or "").rstrip("/").rsplit("/", 1)[-1]).lower()
        rank = (_RENDITION_RANK.index(rendition) if rendition in _RENDITION_RANK
                else len(_RENDITION_RANK) - 1)
        candidates.append((rank, rendition, remote))
    if not candidates:
        return []
    candidates.sort(key=lambda c: c[0])
    _rank, rendition, remote = candidates[0]
    alt = _description(content_meta, "alternativetext", "alttext")
    caption = (_description(content_meta, "caption")
               or next((text_of(d) for d in (_children(content_meta, "description")
                                             if content_meta is not None else [])
                        if text_of(d) and text_of(d) != alt), ""))
    credit = text_of(_child(content_meta, "creditline"))
    if not credit and content_meta is not None:
        credit = ", ".join(text_of(b) for b in _children(content_meta, "by") if text_of(b))
    return [Media(url=resolved_url(base_url, (remote.get("href") or "").strip()),
                  caption=caption, credit=credit,
                  mime_type=(remote.get("contenttype") or "").strip(), alt=alt,
                  width=dimension(remote.get("width")), height=dimension(remote.get("height")),
                  length=byte_length(remote.get("size")), rights=_rights(item),
                  role="thumbnail" if rendition == "thumbnail" else "")]


def _looks_like_image(url: str) -> bool:
    return url.lower().rsplit("?", 1)[0].endswith((".jpg", ".jpeg", ".png", ".gif", ".webp"))


def _body(item, content_set, content_meta) -> tuple[str, WireItem | None]:
    """The body markup, and the inline NITF item when there is one (it knows more)."""
    if content_set is None:
        return "", None
    for inline in _children(content_set, "inlineXML"):
        nitf = [n for n in inline.iter() if local(n.tag) == "nitf"]
        if nitf:
            nitf_item = item_from_nitf(nitf[0])
            return nitf_item.body, nitf_item
        markup = _xhtml_body(inline)
        if markup.strip():
            return markup, None
    for inline in _children(content_set, "inlineData"):
        text = inline.text or ""
        if text.strip():
            if "html" in (inline.get("contenttype") or ""):
                return text, None
            return html.escape(text), None
    return "", None


def _package_body(item) -> str:
    entries = []
    for ref in _descendants(item, "itemRef"):
        title = text_of(_child(ref, "title"))
        description = text_of(_child(ref, "description"))
        if title or description:
            text = html.escape(title) + (": " + html.escape(description) if description
                                         else "")
            entries.append(f"<li>{text}</li>")
    return f"<ul>{''.join(entries)}</ul>" if entries else ""


def item_from_g2(item, base_url: str = "") -> WireItem:
    item_meta = _child(item, "itemMeta")
    content_meta = _child(item, "contentMeta")
    content_set = _child(item, "contentSet")
    version = item.get("version") or ""
    status = _STATUS.get(_qcode_tail(_child(item_meta, "pubStatus")), "usable")
    signals = [_qcode_tail(s) for s in _children(item_meta, "signal")] if item_meta is not None \
        else []
    signal = next((s for s in signals if s in ("correction", "update", "kill")), "")
    if signal == "kill":
        status = "canceled"
    published, naive_p = _date(_child(item_meta, "firstCreated"))
    if published is None:
        published, naive_p = _date(_child(content_meta, "contentCreated"))
    updated, naive_u = _date(_child(item_meta, "versionCreated"))
    embargo, _naive_e = _date(_child(item_meta, "embargoed"))
    body, nitf_item = _body(item, content_set, content_meta)
    if local(item.tag) == "packageItem" and not body:
        body = _package_body(item)
    title = _headline(content_meta) or text_of(_child(item_meta, "title"))
    alt = _description(content_meta, "alternativetext", "alttext")
    summary = html.escape(_description(content_meta, "summary", "caption", "abstract") or next(
        (text_of(d) for d in (_children(content_meta, "description")
                              if content_meta is not None else [])
         if text_of(d) and text_of(d) != alt), ""))
    byline = ", ".join(text_of(b) for b in _children(content_meta, "by")) \
        if content_meta is not None else ""
    if not byline and content_meta is not None:
        byline = ", ".join(_names(c) for c in _children(content_meta, "creator") if _names(c))
    dateline = text_of(_child(content_meta, "dateline"))
    if is_timestamp(dateline):
        dateline = ""
    if not dateline and content_meta is not None:
        located = _child(content_meta, "located")
        dateline = _names(located) if located is not None else ""
    categories = []
    for subject in (_children(content_meta, "subject") if content_meta is not None else []):
        name = _names(subject)
        if name and name not in categories:
            categories.append(name)
    for keyword in (_children(content_meta, "keyword") if content_meta is not None else []):
        if text_of(keyword) and text_of(keyword) not in categories:
            categories.append(text_of(keyword))
    urgency_text = text_of(_child(content_meta, "urgency"))
    language = item.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    link = ""
    for node in _children(item_meta, "link") if item_meta is not None else []:
        href = node.get("href") or ""
        if "canonical" in (node.get("rel") or "") and href.startswith("http"):
            link = href
    media = _media(item, content_set, content_meta, base_url)
    if nitf_item is not None:
        title = title or nitf_item.title
        byline = byline or nitf_item.byline
        dateline = dateline or nitf_item.dateline
        media = media or nitf_item.media
    if not body and summary:
        body, summary = f"<p>{summary}</p>", ""
    return WireItem(
        title=html.escape(title, quote=False),
        guid=(item.get("guid") or "").strip(),
        link=link,
        summary=summary,
        body=body,
        byline=byline,
        dateline=dateline,
        slugline=text_of(_child(content_meta, "slugline")),
        categories=categories,
        published=published or updated,
        updated=updated,
        naive_dates=naive_p or naive_u,
        embargo_until=embargo,
        status=status,
        signal=signal,
        version=int(version) if version.isdigit() else None,
        urgency=int(urgency_text) if urgency_text.isdigit() else None,
        media=media,
        language=language,
        source_format="newsml_g2",
        item_class=_item_class(item),
    )


def _item_class(item) -> str:
    """text, picture, graphic, video, audio, composite...; a package is composite."""
    found = _qcode_tail(_child(_child(item, "itemMeta"), "itemClass"))
    if not found and local(item.tag) == "packageItem":
        return "composite"
    return found


def parse(data: bytes, *, base_url: str = "", content_type: str = "") -> ParseResult:
    root = parse_xml(data, content_type=content_type)
    name = local(root.tag)
    items, warnings = [], []
    if name in _CONTENT_ITEMS:
        candidates = [root]
    else:
        candidates = [n for n in root.iter() if local(n.tag) in _CONTENT_ITEMS
                      and (n.get("guid") or _child(n, "contentMeta") is not None)]
    for candidate in candidates:
        items.append(item_from_g2(candidate, base_url))
    links = picture_links(candidates, items)
    for element, item in zip(candidates, items, strict=True):
        # Each item carries the links that name it; a package, all the links it makes.
        own = package_links(element, {i.guid: i.item_class for i in items}) \
            if local(element.tag) == "packageItem" else []
        item.picture_links = [link for link in links
                              if item.guid in (link.picture_guid, link.text_guid)
                              or link in own]
    skipped = [n for n in root.iter() if local(n.tag) in _OTHER_ITEMS]
    if skipped:
        warnings.append(f"{len(skipped)} concept, knowledge, planning or catalog item(s) "
                        "carry no copy and were skipped")
    if not items:
        nitf = [n for n in root.iter() if local(n.tag) == "nitf"]
        items = [item_from_nitf(n, base_url) for n in nitf]
    if not items:
        if skipped:
            raise WireError("NewsML-G2 document without news items: "
                            + warnings[0])
        raise WireError(f"NewsML-G2 document has no news item (root <{name}>)")
    return ParseResult(items=items, format="newsml_g2", warnings=warnings)
