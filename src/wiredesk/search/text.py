"""Plain text of an article for the index: tags out, entities decoded, markers impossible."""

from __future__ import annotations

import html
import re

from wiredesk.search.query import MAX_TERMS
from wiredesk.wire import searchterms

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


def highlight(text: str, language: str, words: list[str]) -> str:
    """``text`` with the markers around each word the query's ``words`` found: the same
    index term in the text's ``language`` (a stemmer's code), or the same word folded.
    The text is the one the reader sees, never the stems the index holds."""
    wanted = {searchterms.term(word, language) for word in words}
    folded = {searchterms.fold(word) for word in words}
    out, last = [], 0
    for match in searchterms.words(text):
        word = match.group()
        if searchterms.term(word, language) in wanted or searchterms.fold(word) in folded:
            start, end = match.span()
            out += [text[last:start], MARK_START, word, MARK_END]
            last = end
    out.append(text[last:])
    return "".join(out)


def bounded(text: str, limit: int) -> str:
    """The first ``limit`` characters of ``text``, cut at a space so no word is halved.

    Index and highlight work grow with the text, and one hostile body of megabytes would
    otherwise make every search that matches it slow; a real article fits well inside.
    """
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit + 1)
    return text[: cut if cut > 0 else limit]


# Highlights are made from the first this-many characters of a body only: highlighting
# costs grow with the square of the matches in the text it reads (FTS5 highlight() copies
# its growing output for every match). About 1,600 words: most articles entire.
SNIPPET_SOURCE_CHARS = 10_000
SNIPPET_WORDS = 32
SNIPPET_LEAD = 4  # words of context before the first highlighted one
ELLIPSIS = "…"


def split_body(body: str) -> tuple[str, str]:
    """The body as (head, tail): the head is what highlights are made from; the tail, only
    searched, repeats the head's last words so a phrase across the cut is still found."""
    head = bounded(body, SNIPPET_SOURCE_CHARS)
    if len(head) == len(body):
        return head, ""
    start = len(head)
    for _ in range(MAX_TERMS - 1):
        start = max(0, head.rfind(" ", 0, start))
    return head, body[start:].strip()


def _term(token: str) -> str:
    return token.split(MARK_START, 1)[1].split(MARK_END, 1)[0].lower()


def _best_start(tokens: list[str], words: int) -> int:
    """Index of the highlighted token that opens the window with the most different query
    words (then the most highlights): one pass with two pointers, linear in the text."""
    hits = [(i, _term(t)) for i, t in enumerate(tokens) if MARK_START in t]
    if not hits:
        return 0
    span = max(1, words - SNIPPET_LEAD)
    seen: dict[str, int] = {}
    best, best_score, end = hits[0][0], (0, 0), 0
    for first, (start, term) in enumerate(hits):
        while end < len(hits) and hits[end][0] < start + span:
            seen[hits[end][1]] = seen.get(hits[end][1], 0) + 1
            end += 1
        score = (len(seen), end - first)
        if score > best_score:
            best, best_score = start, score
        seen[term] -= 1
        if not seen[term]:
            del seen[term]
    return max(0, best - SNIPPET_LEAD)


def snippet(marked: str, words: int = SNIPPET_WORDS) -> str:
    """About ``words`` words of highlighted text around its best-matching place.

    Cut here rather than by the engine: FTS5 ``snippet()`` and PostgreSQL fragments score
    every match against every other one, quadratic in the matches of one body, while this
    is linear in a text the index already bounds.
    """
    tokens = marked.split(" ")
    start = _best_start(tokens, words)
    end = min(len(tokens), start + words)
    before = " ".join(tokens[:start])
    reopen = before.rfind(MARK_START) > before.rfind(MARK_END)  # started inside a phrase
    return ((ELLIPSIS + " " if start else "") + (MARK_START if reopen else "")
            + " ".join(tokens[start:end]) + (" " + ELLIPSIS if end < len(tokens) else ""))
