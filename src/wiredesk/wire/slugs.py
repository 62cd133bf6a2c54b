"""The slug of an article's or a story's URL, from its headline, in any script.

Headlines are transliterated to ASCII with anyascii (Arabic ``الحكومة تعلن`` ->
``lhkwmh-tln``, Hindi, Cyrillic, Greek and Chinese alike) before the usual slug rules,
so a non-Latin headline gets a real slug, never the fallback. ASCII rather than Unicode
slugs: every link, sitemap, feed and the static files ``publish --static`` writes already
assume ASCII paths, and a transliterated slug reads the same in any of them, where a
Unicode one would be percent-encoded in half of them. The slug is only a readable hint:
articles are found by id. Pure: no Django.
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

__all__ = ["slug_for"]

_NOT_SLUG = re.compile(r"[^\w\s-]")
_GAPS = re.compile(r"[-\s]+")


def slug_for(text: str, fallback: str = "item", max_length: int = 100) -> str:
    """``text`` as a lowercase ASCII slug of at most ``max_length`` characters (whole
    words where possible), or ``fallback`` when nothing of it can be spelled."""
    ascii_text = anyascii(unicodedata.normalize("NFKC", text or ""))
    ascii_text = ascii_text.encode("ascii", "ignore").decode("ascii")
    slug = _GAPS.sub("-", _NOT_SLUG.sub("", ascii_text).strip().lower()).strip("-_")
    if len(slug) > max_length:
        cut = slug[:max_length]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug or fallback
