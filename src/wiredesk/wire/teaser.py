"""Lead and teaser rules shown on every edition page.

A teaser is cut between words where the script spaces its words (Latin, Cyrillic, Greek,
Arabic, Devanagari...), and between grapheme clusters where it does not (Chinese,
Japanese) or where one "word" runs past half the teaser (a long address). Either way the
cut never falls inside a user-perceived character: a letter and its combining accents, an
emoji ZWJ sequence or flag, a Devanagari or Thai cluster stay whole. Clusters are the
extended grapheme clusters of Unicode (UAX #29), read with the ``regex`` module's ``\\X``.
"""

from __future__ import annotations

from itertools import islice

import regex

TEASER_TARGET = 140
# Nothing worth keeping before an ellipsis: spaces, joiners, opening brackets and quotes,
# and the comma, colon and semicolon of Latin, Arabic and CJK writing.
_TRAILING = (" \t\n,;:-\u2013\u2014([{\"'\u201c\u2018"
             "\u060c\u061b\u3001\uff0c\uff1a\uff1b\u300c\u300e\uff08")
_GRAPHEME = regex.compile(r"\X")


def make_teaser(lead: str, target: int = TEASER_TARGET) -> str:
    """Cut ``lead`` at a word boundary near ``target`` characters and end it with ``...``.

    Characters are counted as graphemes (what a reader sees as one). A lead that already
    fits is returned whole. The cut never splits a word in a script with spaces, never a
    grapheme in any script, and never leaves dangling punctuation before the ellipsis.
    """
    text = " ".join((lead or "").split())
    if len(text) <= target:  # never more graphemes than characters
        return text
    # Only the first ``target + 1`` graphemes decide the cut (a lead runs to paragraphs).
    return teaser_of_graphemes(
        text, [match.group() for match in islice(_GRAPHEME.finditer(text), target + 1)],
        target)


def teaser_of_graphemes(text: str, graphemes: list[str], target: int) -> str:
    """The teaser of ``text`` from its graphemes (at least its first ``target + 1``)."""
    if len(graphemes) <= target:
        return text
    cut = max((i for i, g in enumerate(graphemes[:target + 1]) if g == " "), default=-1)
    if cut < target // 2:
        # No space near the end: a script without spaces between words (Chinese,
        # Japanese) or one enormous "word" (a URL): cut between graphemes.
        cut = target
    return "".join(graphemes[:cut]).rstrip(_TRAILING) + "..."
