"""Lead and teaser rules shown on every edition page."""

from __future__ import annotations

TEASER_TARGET = 140
_TRAILING = " \t\n,;:-\u2013\u2014([{\"'\u201c\u2018"


def make_teaser(lead: str, target: int = TEASER_TARGET) -> str:
    """Cut ``lead`` at a word boundary near ``target`` characters and end it with ``...``.

    A lead that already fits is returned whole. The cut never splits a word and
    never leaves dangling punctuation before the ellipsis.
    """
    text = " ".join((lead or "").split())
    if len(text) <= target:
        return text
    cut = text.rfind(" ", 0, target + 1)
    if cut < target // 2:
        # One enormous "word" (a URL, say): cut hard rather than show nothing.
        cut = target
    return text[:cut].rstrip(_TRAILING) + "..."
