"""Plain text of an article for the index: tags out, entities decoded, markers impossible."""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
# Highlight markers travel through the engines as these two characters; the indexed text
# must never contain them, so a stored article can never forge a highlight.
MARK_START = "\x02"
MARK_END = "\x03"


def plain_text(markup: str) -> str:
    text = html.unescape(_TAG.sub(" ", markup or ""))
    text = text.replace(MARK_START, " ").replace(MARK_END, " ")
    return _SPACE.sub(" ", text).strip()


def clean_plain(text: str) -> str:
    """Text that is already plain (headlines): only the markers and spacing change."""
    text = (text or "").replace(MARK_START, " ").replace(MARK_END, " ")
    return _SPACE.sub(" ", text).strip()


def marked_to_html(text: str) -> str:
    """Escape engine output, then turn the markers into <mark> elements (always balanced)."""
    out: list[str] = []
    open_mark = False
    for piece in re.split(f"([{MARK_START}{MARK_END}])", text or ""):
        if piece == MARK_START:
            if not open_mark:
                out.append("<mark>")
                open_mark = True
        elif piece == MARK_END:
            if open_mark:
                out.append("</mark>")
                open_mark = False
        else:
            out.append(html.escape(piece, quote=False))
    if open_mark:
        out.append("</mark>")
    return "".join(out)
