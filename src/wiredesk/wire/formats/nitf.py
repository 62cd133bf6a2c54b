"""NITF 3.x (News Industry Text Format), standalone or wrapped in NewsML 1.x.

Read with the safe lxml parser: no DTD (many agencies reference one we would never
fetch), no entities, no network.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin

from wiredesk.wire.dates import parse_date
from wiredesk.wire.pictures import dimension
from wiredesk.wire.types import Media, ParseResult, WireError, WireItem
from wiredesk.wire.xmlsafe import inner_xml, local, parse_xml, text_of

_STATUS = {"usable": "usable", "embargoed": "usable", "withheld": "withheld",
           "canceled": "canceled", "cancelled": "canceled", "killed": "canceled"}


def sniff(data: bytes) -> bool:
    head = data[:4096].replace(b"\x00", b"")
    return bool(re.search(rb"<(?:\w+:)?nitf[\s>]", head)) or (
        b"<NewsML" in head and b"<nitf" in data[:200_000])


def _find(element, *path: str):
    """First descendant matching the chain of local names (namespaces ignored)."""
    current = [element]
    for name in path:
        found = []
        for node in current:
            found.extend(child for child in node.iter() if local(child.tag) == name)
        if not found:
            return None
        current = found[:1]
    return current[0]


def _all(element, name: str) -> list:
    return [node for node in element.iter() if local(node.tag) == name]


def _date(element, name: str):
    node = _find(element, name)
    if node is None:
        return None, False
    return parse_date(node.get("norm") or text_of(node))


def _byline(body_head) -> str:
    node = _find(body_head, "byline") if body_head is not None else None
    if node is None:
        return ""
    persons = [text_of(p) for p in node.iter() if local(p.tag) == "person" and text_of(p)]
    if persons:
        return ", ".join(persons)
    # Drop the title (byttl): "By BERNARD CONDON<byttl>AP Business Writer</byttl>".
    own = (node.text or "").strip()
    return " ".join(own.split()) or text_of(node)


def _dateline(body_head) -> str:
    node = _find(body_head, "dateline") if body_head is not None else None
    if node is None:
        return ""
    location = _find(node, "location")
    text = text_of(location) if location is not None else text_of(node)
    return "" if is_timestamp(text) else text


def is_timestamp(text: str) -> bool:
    """Some agencies put only a timestamp where the dateline goes; that is not a dateline."""
    return bool(re.fullmatch(r"[\d\-:. T+Z]*(?:GMT|UTC)?[\d\-:+ ]*", text or "")) and bool(text)


def _media(body, base_url: str = "") -> list[Media]:
    found = []
    for media in _all(body, "media"):
        if (media.get("media-type") or "image").lower() not in ("image", "photo", "graphic"):
            continue
        for ref in _all(media, "media-reference"):  # renditions: the first one reachable
            url = resolved_url(base_url, (ref.get("source") or "").strip())
            if url:
                break
        else:
            continue
        caption = _find(media, "media-caption")
        producer = _find(media, "media-producer")
        found.append(Media(
            url=url, caption=text_of(caption),
            credit=text_of(producer) or (ref.get("source-credit") or "").strip(),
            mime_type=(ref.get("mime-type") or "").strip(),
            alt=(ref.get("alternate-text") or "").strip(),
            width=dimension(ref.get("width")), height=dimension(ref.get("height")),
            rights=(ref.get("copyright") or "").strip()))
    return found


def resolved_url(base_url: str, source: str) -> str:
    """An http(s) address: as given, or a picture file named relative to the document's
    own address (an agency's picture id is not a file name)."""
    if source.startswith(("http://", "https://")):
        return source
    path = source.lower().split("?", 1)[0]
    if (base_url.startswith(("http://", "https://")) and ":" not in source[:10]
            and path.endswith((".jpg", ".jpeg", ".png", ".gif", ".webp"))):
        try:
            return urljoin(base_url, source)
        except ValueError:
            return ""
    return ""


def _body_html(body_content) -> str:
    if body_content is None:
        return ""
    markup = inner_xml(body_content)
    # <block>, <media> and friends are not HTML: keep their text, let the sanitizer drop tags.
    markup = re.sub(r"</?block\b[^>]*>", "", markup)
    markup = re.sub(r"<media\b.*?</media>", "", markup, flags=re.S)
    return markup


def item_from_nitf(nitf, base_url: str = "") -> WireItem:
    head = _find(nitf, "head")
    docdata = _find(nitf, "docdata")
    body = _find(nitf, "body")
    body_head = _find(body, "body.head") if body is not None else None
    hedline = _find(body_head, "hl1") if body_head is not None else None
    title = text_of(hedline) or text_of(_find(head, "title") if head is not None else None)
    doc_id = _find(docdata, "doc-id") if docdata is not None else None
    guid = ""
    if doc_id is not None:
        guid = (doc_id.get("id-string") or "").strip()
    status_attr = (docdata.get("management-status") or "") if docdata is not None else ""
    issued, naive_issued = _date(docdata, "date.issue") if docdata is not None else (None, False)
    release, naive_release = (_date(docdata, "date.release") if docdata is not None
                              else (None, False))
    urgency_node = _find(docdata, "urgency") if docdata is not None else None
    urgency = None
    if urgency_node is not None and (urgency_node.get("ed-urg") or "").strip().isdigit():
        urgency = int(urgency_node.get("ed-urg").strip())
    categories = []
    for subject in _all(nitf, "tobject.subject"):
        name = (subject.get("tobject.subject.matter") or subject.get("tobject.subject.type")
                or "")
        if name and name not in categories:
            categories.append(name)
    for keyword in _all(nitf, "keyword"):
        if keyword.get("key") and keyword.get("key") not in categories:
            categories.append(keyword.get("key"))
    abstract = _find(body_head, "abstract") if body_head is not None else None
    body_content = _find(body, "body.content") if body is not None else None
    status = _STATUS.get(status_attr.strip().lower(), "usable")
    embargo = None
    if status_attr.strip().lower() == "embargoed" or (
            release is not None and issued is not None and release > issued):
        embargo = release
    version = None
    du_key = _find(docdata, "du-key") if docdata is not None else None
    if du_key is not None and (du_key.get("version") or "").isdigit():
        version = int(du_key.get("version"))
    language = nitf.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    return WireItem(
        title=html.escape(title, quote=False),
        guid=guid,
        summary=inner_xml(abstract) if abstract is not None else "",
        body=_body_html(body_content),
        byline=_byline(body_head),
        dateline=_dateline(body_head),
        categories=categories,
        published=issued or release,
        naive_dates=naive_issued or naive_release,
        embargo_until=embargo,
        status=status,
        urgency=urgency,
        version=version,
        media=_media(body, base_url) if body is not None else [],
        language=language,
        source_format="nitf",
    )


def parse(data: bytes, *, base_url: str = "", content_type: str = "") -> ParseResult:
    root = parse_xml(data, content_type=content_type)
    documents = [root] if local(root.tag) == "nitf" else _all(root, "nitf")
    if not documents:
        raise WireError("not NITF: no <nitf> element found")
    items = [item_from_nitf(doc, base_url) for doc in documents]
    fmt = "nitf" if local(root.tag) == "nitf" else "newsml1"
    return ParseResult(items=items, format=fmt)
