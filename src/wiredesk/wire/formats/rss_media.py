"""The pictures of RSS and Atom items: feedparser's reading of enclosures and Media RSS, and
Media RSS read from the XML itself where feedparser loses groups, credits and sizes."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

from wiredesk.wire.pictures import byte_length, dimension
from wiredesk.wire.types import (
    Media,
    WireError,
)
from wiredesk.wire.xmlsafe import (
    local,
    parse_xml,
    text_of,
)


def contents(entry, *, is_rss: bool, captions: bool) -> list[dict]:
    """Body contents, or (captions=True) the media:description texts.

    RSS has no plain-text content element of its own: feedparser files Media RSS
    descriptions under ``content`` as text/plain, and they are captions, not bodies.
    """
    out = []
    for content in entry.get("content") or []:
        if not content.get("value"):
            continue
        is_caption = is_rss and content.get("type") == "text/plain"
        if is_caption == captions:
            out.append(content)
    return out


def _first_text(value) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return (value[0].get("content") or "").strip()
    if isinstance(value, dict):
        return (value.get("content") or "").strip()
    return ""


def _is_image(mime: str, medium: str, url: str) -> bool:
    if medium:
        return medium == "image"
    if mime:
        return mime.startswith("image")
    return url.lower().rsplit("?", 1)[0].endswith((".jpg", ".jpeg", ".png", ".gif", ".webp"))


def media_of(entry, *, is_rss: bool, base: str) -> list[Media]:
    """The pictures as feedparser saw them: used when the feed is not well-formed XML.

    feedparser keeps one caption and one credit per entry (a ``media:description``
    beside a ``<description>`` it drops), so a well-formed feed is read by
    :func:`media_from_xml` instead.
    """
    found: list[Media] = []
    seen: set[str] = set()
    credit = _first_text(entry.get("media_credit"))
    captions = contents(entry, is_rss=is_rss, captions=True)
    caption = (_first_text(entry.get("media_description"))
               or (captions[0]["value"].strip() if captions else "")
               or _first_text(entry.get("media_title")))

    def add(url: str, mime: str = "", *, role: str = "", width=None, height=None,
            length=None) -> None:
        url = absolute(base, (url or "").strip())
        if url and url not in seen:
            seen.add(url)
            found.append(Media(url=url, caption=caption, credit=credit, mime_type=mime,
                               width=dimension(width), height=dimension(height),
                               length=byte_length(length), role=role))

    for content in entry.get("media_content") or []:
        url, mime = content.get("url", ""), content.get("type", "") or ""
        if _is_image(mime, content.get("medium", "") or "", url):
            add(url, mime, width=content.get("width"), height=content.get("height"),
                length=content.get("filesize"))
    for link in entry.get("links") or []:
        if link.get("rel") == "enclosure":
            mime = str(link.get("type", "") or "")
            if _is_image(mime, "", link.get("href", "")):
                add(link.get("href", ""), mime, length=link.get("length"))
    for thumb in entry.get("media_thumbnail") or []:
        add(thumb.get("url", ""), role="thumbnail", width=thumb.get("width"),
            height=thumb.get("height"))
    return found


# --- Media RSS read from the XML itself ---------------------------------------------------

MRSS = "search.yahoo.com/mrss"
_ITEM_NAMESPACES = {"item": ("", "http://purl.org/rss/1.0/",
                             "http://my.netscape.com/rdf/simple/0.9/"),
                    "entry": ("http://www.w3.org/2005/Atom", "http://purl.org/atom/ns#")}
_ITEM_TAGS = tuple(f"{{{namespace}}}{name}" if namespace else name
                   for name, namespaces in _ITEM_NAMESPACES.items() for namespace in namespaces)
# In a media:group, the rendition a page wants: the widest up to this, else the smallest
# above it (the original of a 6000-pixel photo is not for a web page).
GROUP_MAX_WIDTH = 2048


def _namespace(tag) -> str:
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _is_mrss(element, name: str = "") -> bool:
    return (MRSS in _namespace(element.tag)
            and (not name or local(element.tag) == name))


def _mrss_children(element, name: str) -> list:
    return [child for child in element if _is_mrss(child, name)]


@dataclass(frozen=True)
class _Said:
    """What a level of Media RSS says about the pictures below it (item, group, content):
    the nearest level that says something wins."""

    caption: str = ""
    title: str = ""
    credit: str = ""
    rights: str = ""

    def below(self, element) -> _Said:
        mrss = _mrss_by_name(element)
        credits = []
        for node in mrss.get("credit", ()):
            if text_of(node) and text_of(node) not in credits:
                credits.append(text_of(node))
        rights = [text_of(n) for n in mrss.get("copyright", ()) if text_of(n)]
        rights += [text_of(n) or (n.get("href") or "").strip()
                   for n in mrss.get("license", ())
                   if text_of(n) or n.get("href")]
        return _Said(
            caption=_first_text_of(mrss.get("description", ())) or self.caption,
            title=_first_text_of(mrss.get("title", ())) or self.title,
            credit=", ".join(credits) or self.credit,
            rights="; ".join(rights) or self.rights,
        )


def _mrss_by_name(element) -> dict[str, list]:
    """The element's Media RSS children by local name, each list in document order: one
    pass over the children for all the names a level may say something with."""
    found: dict[str, list] = {}
    for child in element:
        if MRSS in _namespace(child.tag):
            found.setdefault(local(child.tag), []).append(child)
    return found


def _first_text_of(nodes) -> str:
    for node in nodes:
        if text_of(node):
            return text_of(node)
    return ""


def _content_media(content, said: _Said, base: str) -> Media | None:
    said = said.below(content)
    url = absolute(base, (content.get("url") or "").strip())
    mime = (content.get("type") or "").strip()
    if not url or not _is_image(mime, (content.get("medium") or "").strip(), url):
        return None
    return Media(url=url, caption=said.caption or said.title, credit=said.credit,
                 mime_type=mime, width=dimension(content.get("width")),
                 height=dimension(content.get("height")),
                 length=byte_length(content.get("fileSize")), rights=said.rights)


def _thumbnail(thumb, said: _Said, base: str) -> Media:
    return Media(url=absolute(base, (thumb.get("url") or "").strip()),
                 caption=said.caption or said.title, credit=said.credit,
                 width=dimension(thumb.get("width")), height=dimension(thumb.get("height")),
                 rights=said.rights, role="thumbnail")


def _thumbnails(element, said: _Said, base: str) -> list[Media]:
    return [_thumbnail(thumb, said, base) for thumb in _mrss_children(element, "thumbnail")]


def _group_order(media: list[Media], contents: list) -> list[Media]:
    """A group's renditions, the one a page should show first."""
    default = [m for m, c in zip(media, contents, strict=True)
               if (c.get("isDefault") or "").strip().lower() == "true"]
    fitting = sorted((m for m in media if m.width and m.width <= GROUP_MAX_WIDTH),
                     key=lambda m: -m.width)
    larger = sorted((m for m in media if m.width and m.width > GROUP_MAX_WIDTH),
                    key=lambda m: m.width)
    unsized = [m for m in media if not m.width]
    ordered = []
    for m in [*default, *fitting, *unsized, *larger]:
        if m not in ordered:
            ordered.append(m)
    return ordered


def _item_media(element, base: str) -> list[Media]:
    said = _Said().below(element)
    found: list[Media] = []
    thumbs: list[Media] = []
    for child in element:
        namespace, name = _namespace(child.tag), local(child.tag)
        mrss = MRSS in namespace
        if mrss and name == "content":
            picture = _content_media(child, said, base)
            if picture is not None:
                found.append(picture)
            else:  # a video's poster frame is a picture too, if nothing better comes
                thumbs += _thumbnails(child, said.below(child), base)
        elif mrss and name == "group":
            group_said = said.below(child)
            contents = _mrss_children(child, "content")
            pairs = [(m, c) for c in contents
                     if (m := _content_media(c, group_said, base)) is not None]
            found += _group_order([m for m, _ in pairs], [c for _, c in pairs])
            thumbs += _thumbnails(child, group_said, base)
        elif mrss and name == "thumbnail":
            thumbs.append(_thumbnail(child, said, base))
        elif name == "enclosure" and not namespace:
            url, mime = (child.get("url") or "").strip(), (child.get("type") or "").strip()
            if url and _is_image(mime, "", url):
                found.append(Media(url=absolute(base, url), caption=said.caption or said.title,
                                   credit=said.credit, mime_type=mime, rights=said.rights,
                                   length=byte_length(child.get("length"))))
        elif (name == "link" and (child.get("rel") or "") == "enclosure"
              and namespace in _ITEM_NAMESPACES["entry"]):
            url, mime = (child.get("href") or "").strip(), (child.get("type") or "").strip()
            if url and _is_image(mime, "", url):
                found.append(Media(url=absolute(base, url), caption=said.caption or said.title,
                                   credit=said.credit, mime_type=mime, rights=said.rights,
                                   length=byte_length(child.get("length"))))
    out, seen = [], set()
    for media in [*found, *thumbs]:
        if media.url and media.url not in seen:
            seen.add(media.url)
            out.append(media)
    return out


def media_from_xml(utf8: bytes, count: int, base: str) -> list[list[Media]] | None:
    """Each entry's pictures read from the XML, in feed order; None when the document is
    not well-formed or its items cannot be matched one to one with feedparser's."""
    try:
        root = parse_xml(utf8, content_type="application/xml; charset=utf-8")
    except WireError:
        return None
    elements = list(root.iter(*_ITEM_TAGS))  # in document order
    if len(elements) != count:
        return None
    return [_item_media(element, base) for element in elements]


def absolute(base: str, url: str) -> str:
    if not url or not base or url.startswith(("http://", "https://")):
        return url
    try:
        return urljoin(base, url)
    except ValueError:
        return url
