"""What the web-page adapter makes of one page: the data behind ``wiredesk extract``."""

from __future__ import annotations

from wiredesk.wire import fetch as wire_fetch
from wiredesk.wire.formats import html_page
from wiredesk.wire.normalize import normalize
from wiredesk.wire.sanitize import html_to_text


def extract_source(source: str, *, timeout: float = wire_fetch.DEFAULT_TIMEOUT,
                   max_bytes: int = wire_fetch.DEFAULT_MAX_BYTES,
                   policy: wire_fetch.FetchPolicy | None = None) -> dict:
    """Fetch (or read) a page and extract it. Raises WireError with a readable message.

    Returns the keys ``source`` (as given), ``title``, ``author``, ``published``
    (ISO 8601 in UTC, or None) and ``text`` (paragraphs separated by blank lines).
    """
    fetched = wire_fetch.fetch(source, timeout=timeout, max_bytes=max_bytes, policy=policy)
    base = fetched.url if wire_fetch.is_url(source) else ""
    parsed = html_page.parse(fetched.body, base_url=base, content_type=fetched.content_type)
    clean = normalize(parsed.items[0])
    published = parsed.items[0].published
    return {
        "source": source,
        "title": clean.headline,
        "author": clean.byline,
        "published": clean.published.isoformat() if published is not None else None,
        "text": "\n\n".join(html_to_text(clean.body_html).split("\n")),
    }
