"""XML that cannot be turned against us, read or written.

Every XML document in ``wire`` is read through here: no entity is expanded, no DTD
or external file is loaded, no network is touched and no tree grows past libxml2's
normal limits. Documents that *declare* entities are refused outright (the billion
laughs and quadratic blowups need a declaration), which also covers the parsers we
do not control, such as feedparser's SAX path.

Written XML (feeds, sitemaps) can only be well-formed if its text holds no character
XML forbids: :func:`xml_text` removes them. ``normalize`` applies it to every field of
every item, and each XML writer applies it again to what it emits, for rows stored
before that and for text that never went through the pipeline.
"""

from __future__ import annotations

import contextlib
import re

from lxml import etree

from wiredesk.wire.decode import as_utf8_xml, decode_bytes
from wiredesk.wire.types import WireError

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)
_DOCTYPE = re.compile(r"<!DOCTYPE[^\[>]*(\[.*?\]\s*)?>", re.S | re.I)


# What XML 1.0 cannot carry at all: C0 controls except tab, newline and carriage return,
# surrogates (only ever lone ones in a Python str), U+FFFE and U+FFFF. With them go the
# other Unicode noncharacters (U+FDD0..U+FDEF and the last two code points of every
# plane), which mean nothing in interchange. One form feed or U+FFFE in a headline once
# made every feed and news sitemap listing it fail.
_FORBIDDEN_ASCII = "\x00-\x08\x0b\x0c\x0e-\x1f"
_FORBIDDEN_BMP = _FORBIDDEN_ASCII + "\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
FORBIDDEN_XML_CHARS = re.compile(
    "[" + _FORBIDDEN_BMP
    + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(1, 17))
    + "]")


def xml_text(value: str) -> str:
    """``value`` without the characters no XML document may carry (see above)."""
    if not value:
        return value
    return _pick(value, _ASCII_FORBIDDEN, _BMP_FORBIDDEN, FORBIDDEN_XML_CHARS).sub("", value)


# Bidi embeddings, overrides and isolates (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI).
# XML may carry them, but in wire copy they only serve to disguise text: U+202E turns
# "invoice\u202egnp.exe" into "invoiceexe.png" on screen, and an unclosed one reorders
# whatever a page prints after the headline. Right-to-left text needs none of them
# (the marks U+200E, U+200F and U+061C are kept, as are the zero-width joiners).
_BIDI = "\u202a-\u202e\u2066-\u2069"
BIDI_CONTROLS = re.compile(f"[{_BIDI}]")

# The same sets for text known to hold no astral character, or only ASCII: a character
# class listing astral characters makes ``re`` test each one in turn, ten times slower
# on a long body, and most text has none.
_ASCII_FORBIDDEN = re.compile(f"[{_FORBIDDEN_ASCII}]")
_BMP_FORBIDDEN = re.compile(f"[{_FORBIDDEN_BMP}]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# Forbidden and bidi in one pass: removing single characters, their order does not matter.
_NOT_WIRE_TEXT = re.compile(FORBIDDEN_XML_CHARS.pattern[:-1] + _BIDI + "]")
_NOT_WIRE_TEXT_BMP = re.compile(f"[{_FORBIDDEN_BMP}{_BIDI}]")


def _pick(value: str, ascii_only, bmp_only, any_text):
    if value.isascii():
        return ascii_only
    return any_text if _ASTRAL.search(value) else bmp_only


def wire_text(value: str) -> str:
    """What every stored field of wire copy may hold: :func:`xml_text`, without the bidi
    controls above."""
    if not value:
        return value
    return _pick(value, _ASCII_FORBIDDEN, _NOT_WIRE_TEXT_BMP, _NOT_WIRE_TEXT).sub("", value)


def is_wire_text(value: str) -> bool:
    """Whether :func:`wire_text` would leave ``value`` as it is. Texts joined by newlines
    are answered in one search (a newline is wire text)."""
    return not value or _pick(value, _ASCII_FORBIDDEN, _NOT_WIRE_TEXT_BMP,
                              _NOT_WIRE_TEXT).search(value) is None


def xml_clean(value, clean=xml_text):
    """``clean`` (:func:`xml_text`) applied to every string in ``value``, through lists,
    tuples and dicts (the arguments a feed writer is given); anything else is returned as
    it is."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list | tuple):
        return type(value)(xml_clean(v, clean) for v in value)
    if isinstance(value, dict):
        return {key: xml_clean(v, clean) for key, v in value.items()}
    return value


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=True,
                           remove_pis=True, recover=False)


def refuse_entity_declarations(data: bytes) -> None:
    head = data[:1_000_000]
    if _ENTITY_DECL.search(head) or _ENTITY_DECL.search(head.replace(b"\x00", b"")):
        raise WireError("document declares XML entities; refused "
                        "(entity expansion is never performed)")


# Elements deeper than this are refused, in every format: libxml2 (NewsML-G2, NITF, the
# media of RSS) stops there on its own; feedparser does not, and its cost grows with the
# square of the depth (100,000 nested elements in a 1.3 MB feed held a poll for 36 s).
MAX_DEPTH = 256  # libxml2's own limit without XML_PARSE_HUGE


def refuse_deep_nesting(data: bytes) -> None:
    """WireError when elements nest deeper than MAX_DEPTH. libxml2 reads the document in
    recovering mode (so a feed that is not well-formed, which feedparser's loose parser
    still reads, is measured too), in C and in one pass; the tree is dropped at once."""
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True,
                             load_dtd=False, huge_tree=False, remove_comments=True,
                             remove_pis=True)
    with contextlib.suppress(etree.XMLSyntaxError):  # the errors are in error_log
        etree.fromstring(data, parser=parser)
    if any("depth" in error.message.lower() for error in parser.error_log):
        raise WireError(f"elements nest deeper than {MAX_DEPTH} levels; refused")


def strip_doctype(text: str) -> str:
    """Remove the DOCTYPE (with any internal subset): we never validate or expand."""
    return _DOCTYPE.sub("", text, count=1)


def parse_xml(data: bytes, *, content_type: str = "") -> etree._Element:
    """The root element of a well-formed document, decoded by our rules and parsed safely."""
    refuse_entity_declarations(data)
    text = decode_bytes(data, content_type=content_type).text
    try:
        root = etree.fromstring(as_utf8_xml(text), parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise WireError(f"not well-formed XML: {exc}") from exc
    if root is None:
        raise WireError("empty XML document")
    return root


def local(tag) -> str:
    """An element's tag without its namespace ('' for comments and PIs)."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def text_of(element) -> str:
    """All text inside an element, whitespace folded."""
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def inner_xml(element) -> str:
    """The children of an element serialized as markup (namespaces dropped)."""
    if element is None:
        return ""
    parts = [element.text or ""]
    for child in element:
        if not isinstance(child.tag, str):
            parts.append(child.tail or "")
            continue
        parts.append(etree.tostring(_strip_ns(child), encoding="unicode", with_tail=False))
        parts.append(child.tail or "")
    return "".join(parts)


def _strip_ns(element):
    copy = etree.fromstring(etree.tostring(element, with_tail=False), parser=_parser())
    for node in copy.iter():
        if isinstance(node.tag, str) and "}" in node.tag:
            node.tag = local(node.tag)
    etree.cleanup_namespaces(copy)
    return copy
