"""Bytes to text, trusting the clues in the right order.

1. A byte-order mark is the file speaking for itself: always obeyed.
2. The HTTP ``charset`` parameter, then the XML/HTML declaration inside the document:
   each is used only when the bytes really decode with it (servers and CMSes lie,
   the classic being windows-1252 copy declared as UTF-8).
3. Valid UTF-8 with non-ASCII bytes beats a declared single-byte charset: a legacy
   charset decodes *anything*, so "it decoded" proves nothing for it, while random
   legacy text almost never forms valid UTF-8.
4. Detection (charset-normalizer) when nothing declared fits; windows-1252 as the
   last resort, because it never fails and is the commonest wrong label.

Nothing is dropped: the chosen codec decodes strictly, or, for the last resort only,
with replacement characters that ftfy may still repair.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import charset_normalizer

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# UTF-16/32 without a BOM still start with "<" in a recognisable byte pattern.
_WIDE_PATTERNS = (
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
    (b"\x00<", "utf-16-be"),
)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:\-]+)["']""")
_HTML_META = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", re.I)
_CT_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:\-]+)""", re.I)
_SINGLE_BYTE = {"latin-1", "iso8859-1", "cp1252", "ascii", "iso8859-15", "cp1250",
                "cp1251", "iso8859-2", "mac-roman"}


@dataclass(slots=True)
class Decoded:
    text: str
    encoding: str
    source: str  # bom | http | declaration | utf-8 | detected | fallback
    replaced: bool = False


def codec_name(label: str) -> str:
    """The Python codec for a charset label, or "" when the label is unknown."""
    label = (label or "").strip().strip("\"'").lower()
    if not label:
        return ""
    if label in ("utf8", "unicode-1-1-utf-8"):
        label = "utf-8"
    # Browsers read every latin-1/ascii label as windows-1252; so do agencies' CMSes.
    if label in ("iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii", "iso8859-1"):
        label = "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return ""


def http_charset(content_type: str) -> str:
    match = _CT_CHARSET.search(content_type or "")
    return match.group(1) if match else ""


def declared_charset(data: bytes) -> str:
    head = data[:2048]
    match = _XML_DECL.match(head)
    if match:
        return match.group(1).decode("ascii")
    match = _HTML_META.search(data[:8192])
    if match:
        return match.group(1).decode("ascii")
    return ""


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_bytes(data: bytes, *, content_type: str = "") -> Decoded:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _strict(data[len(bom):], codec)
            if text is not None:
                return Decoded(text, codec, "bom")
    for pattern, codec in _WIDE_PATTERNS:
        if data.startswith(pattern):
            text = _strict(data, codec)
            if text is not None:
                return Decoded(text, codec, "bom")
    is_ascii = data.isascii()
    utf8 = None if is_ascii else _strict(data, "utf-8")
    for label, source in ((http_charset(content_type), "http"),
                          (declared_charset(data), "declaration")):
        codec = codec_name(label)
        if not codec:
            continue
        if codec in _SINGLE_BYTE and utf8 is not None:
            return Decoded(utf8, "utf-8", "utf-8")
        text = _strict(data, codec)
        if text is not None:
            return Decoded(text, codec, source)
    if is_ascii:
        return Decoded(data.decode("ascii"), "ascii", "utf-8")
    if utf8 is not None:
        return Decoded(utf8, "utf-8", "utf-8")
    matches = list(charset_normalizer.from_bytes(data[:200_000]))
    if matches:
        best = matches[0]
        # On short copy the detector cannot tell the Western and Central European
        # code pages apart; windows-1252 is by far the commoner, so it wins a near tie.
        for match in matches:
            if match.encoding == "cp1252" and match.chaos <= best.chaos + 0.05:
                best = match
                break
        codec = codec_name(best.encoding)
        text = _strict(data, codec) if codec else None
        if text is not None:
            return Decoded(text, codec, "detected")
    return Decoded(data.decode("cp1252", errors="replace"), "cp1252", "fallback", True)


_XML_DECL_TEXT = re.compile(r"""^\s*<\?xml[^>]*\?>""")


def as_utf8_xml(text: str) -> bytes:
    """Re-encode decoded XML as UTF-8 with a declaration that says so."""
    text = text.lstrip("\ufeff")
    decl = _XML_DECL_TEXT.match(text)
    if decl:
        version = re.search(r"""version\s*=\s*["']([^"']+)["']""", decl.group(0))
        ver = version.group(1) if version else "1.0"
        text = f'<?xml version="{ver}" encoding="utf-8"?>' + text[decl.end():]
    return text.encode("utf-8", errors="surrogatepass")
