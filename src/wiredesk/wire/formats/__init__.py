"""One adapter per input format, all producing WireItems.

``parse_bytes`` sniffs the content itself (not the file extension or the
Content-Type, which agencies get wrong) and hands it to the right adapter.
"""

from __future__ import annotations

from collections.abc import Callable

from wiredesk.wire.formats import html_page, jsonfeed, newsml1, newsml_g2, nitf, rss_atom
from wiredesk.wire.types import ParseResult, WireError

Sniff = Callable[[bytes], bool]
Parse = Callable[..., ParseResult]

# Adapters register here as (name, sniff, parse); the first whose sniff says yes wins.
# Order matters: the specific XML vocabularies before RSS/Atom (whose markers such as
# "<channel" also occur inside NewsML-G2), and HTML pages last.
_ADAPTERS: list[tuple[str, Sniff, Parse]] = []


def register(name: str, sniff: Sniff, parse: Parse) -> None:
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
    raise WireError(f"unknown format {name!r}")


register("jsonfeed", jsonfeed.sniff, jsonfeed.parse)
register("newsml_g2", newsml_g2.sniff, newsml_g2.parse)
register("newsml1", newsml1.sniff, newsml1.parse)
register("nitf", nitf.sniff, nitf.parse)
register("html_page", html_page.sniff, html_page.parse)
register("rss_atom", rss_atom.sniff, rss_atom.parse)
