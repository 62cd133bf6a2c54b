"""Reading NewsML-G2 elements by local name, whatever namespace prefix they carry."""

from __future__ import annotations

from wiredesk.wire.xmlsafe import local


def children(element, name: str) -> list:
    return [c for c in element if local(c.tag) == name]


def child(element, name: str):
    if element is None:
        return None
    for child in element:
        if local(child.tag) == name:
            return child
    return None


def descendants(element, name: str) -> list:
    return [node for node in element.iter() if local(node.tag) == name]


def qcode_tail(element) -> str:
    if element is None:
        return ""
    code = element.get("qcode") or element.get("literal") or ""
    return code.rsplit(":", 1)[-1].strip().lower()
