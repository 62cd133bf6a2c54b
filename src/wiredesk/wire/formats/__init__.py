"""One adapter per input format, all producing WireItems.

``parse_bytes`` sniffs the content itself (not the file extension or the
Content-Type, which agencies get wrong) and hands it to the right adapter.
"""

from __future__ import annotations

from wiredesk.wire.formats import rss_atom
from wiredesk.wire.types import ParseResult, WireError

# Adapters register here as (name, sniff, parse); the first whose sniff says yes wins.
_ADAPTERS: list[tuple[str, object, object]] = []


def register(name: str, sniff, parse) -> None:
    _ADAPTERS.append((name, sniff, parse))


def detect_format(data: bytes) -> str:
    for name, sniff, _parse in _ADAPTERS:
        if sniff(data):
            return name
    return "rss_atom"


def parse_bytes(
    data: bytes, *, base_url: str = "", content_type: str = "", fmt: str = ""
) -> ParseResult:
    """Parse a document into items, raising WireError with a readable message."""
    if not data or not data.strip():
        raise WireError("empty document: the source returned no content")
    name = fmt or detect_format(data)
    for adapter_name, _sniff, parse in _ADAPTERS:
        if adapter_name == name:
            return parse(data, base_url=base_url, content_type=content_type)
    return rss_atom.parse(data, base_url=base_url, content_type=content_type)


register("rss_atom", rss_atom.sniff, rss_atom.parse)
