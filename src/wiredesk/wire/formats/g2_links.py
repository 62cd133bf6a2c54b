"""Which NewsML-G2 picture item belongs to which text item, from one message's links and
packages."""

from __future__ import annotations

from wiredesk.wire.formats.g2_tree import child, children, descendants, qcode_tail
from wiredesk.wire.pictures import PICTURE_CLASSES
from wiredesk.wire.types import PictureLink, WireItem
from wiredesk.wire.xmlsafe import local

# IPTC's item relations that say "this goes with that"; others (derivedFrom,
# processedFrom, isVersionOf, ...) say where an item came from.
_BELONGS = ("seealso", "associatedwith")


def _rel(link) -> str:
    return (link.get("rel") or "").rsplit(":", 1)[-1].strip().lower()


def _ref_class(ref, classes: dict[str, str]) -> str:
    """The class of the item a link or itemRef points at: as it says, or as the item in
    the same message says."""
    said = qcode_tail(child(ref, "itemClass"))
    return said or classes.get((ref.get("residref") or "").strip(), "")


def _own_links(item, guid: str, own_class: str, classes: dict[str, str]) -> list[PictureLink]:
    """The links an item's itemMeta makes between itself and a picture or a text."""
    links = []
    item_meta = child(item, "itemMeta")
    for node in children(item_meta, "link") if item_meta is not None else []:
        target = (node.get("residref") or "").strip()
        if not target or target == guid or _rel(node) not in _BELONGS:
            continue
        target_class = _ref_class(node, classes)
        if own_class in PICTURE_CLASSES and target_class in ("", "text"):
            links.append(PictureLink(picture_guid=guid, text_guid=target))
        elif own_class in ("", "text") and target_class in ("", *PICTURE_CLASSES):
            # A link from a text to something unnamed: recorded all the same; it only
            # matters if a picture item with that guid arrives.
            links.append(PictureLink(picture_guid=target, text_guid=guid))
    return links


def package_links(package, classes: dict[str, str]) -> list[PictureLink]:
    """In each group of a package (and among itemRefs outside any group), the pictures
    belong to the group's text when the group has exactly one text."""
    links = []
    for group in [package, *descendants(package, "group")]:
        refs = [(ref.get("residref") or "").strip() for ref in children(group, "itemRef")]
        kinds = [_ref_class(ref, classes) for ref in children(group, "itemRef")]
        texts = [ref for ref, kind in zip(refs, kinds, strict=True) if ref and kind == "text"]
        if len(texts) != 1:
            continue
        links += [PictureLink(picture_guid=ref, text_guid=texts[0])
                  for ref, kind in zip(refs, kinds, strict=True)
                  if ref and kind in PICTURE_CLASSES]
    return links


def picture_links(elements: list, items: list[WireItem]) -> list[PictureLink]:
    """Every picture-to-text link the message makes: each item's own links, its packages'
    groups, and, with neither, the pictures sent in one message with a single text.

    That last rule is how agencies send a story with its photos in one newsMessage; a
    message with several texts, or a package, says nothing about loose pictures.
    """
    classes = {item.guid: item.item_class for item in items if item.guid}
    links: list[PictureLink] = []
    for element, item in zip(elements, items, strict=True):
        if item.guid:
            links += _own_links(element, item.guid, item.item_class, classes)
        if local(element.tag) == "packageItem":
            links += package_links(element, classes)
    texts = [item for item in items if item.item_class == "text" and item.guid]
    has_package = any(local(e.tag) == "packageItem" for e in elements)
    if len(texts) == 1 and not has_package:
        linked = {link.picture_guid for link in links}
        links += [PictureLink(picture_guid=item.guid, text_guid=texts[0].guid)
                  for item in items if item.item_class in PICTURE_CLASSES and item.guid
                  and item.guid not in linked]
    unique: list[PictureLink] = []
    for link in links:
        if link not in unique and link.picture_guid != link.text_guid:
            unique.append(link)
    return unique
