"""HTML pasted from Word or Google Docs into the body: made plain before the sanitizer.

Word's clipboard brings ``<o:p>``, ``mso-`` styles, conditional comments and class soup;
Google Docs wraps everything in ``<b id="docs-internal-guid-...">`` (which would make the
whole article bold) and says bold and italic only in ``<span style>``. What the editor
meant (paragraphs, bold, italic, links, lists, quotes, subheads) is kept; the rest goes,
and ``wire.sanitize.sanitize_html`` runs last, as for any agency copy.
"""

from __future__ import annotations

import re

# The block structure every word processor's clipboard has, which nobody types in
# Markdown: such a body is pasted HTML. A tag merely typed in Markdown (``<b>``,
# ``<script>``) is shown as typed by ``body_to_html``, never applied.
_LOOKS_LIKE_HTML = re.compile(
    r"<\s*(?:p|div|span|br|ul|ol|li|h[1-6]|table|o:p|meta|html|body)\b[^>]*>|<!--\[if",
    re.I)
# Pictures come from the media library, with their alt text, never from pasted markup
# (an <img> would also be taken as the article's picture, fetched from anywhere).
_IMG = re.compile(r"<img\b[^>]*>", re.I)
_CONDITIONAL = re.compile(r"<!--\[if.*?<!\[endif\]-->|<!\[if.*?<!\[endif\]>", re.I | re.S)
_OFFICE_TAG = re.compile(r"</?(?:o|w|v|m|st1):[^>]*>", re.I)
_DOCS_WRAPPER = re.compile(r"<b\b[^>]*\bid=[\"']?docs-internal-guid[^>]*>", re.I)
_SPAN = re.compile(r"<span\b([^>]*)>(.*?)</span>", re.I | re.S)
_STYLE = re.compile(r"\bstyle\s*=\s*(\"[^\"]*\"|'[^']*')", re.I)
_BOLD = re.compile(r"font-weight\s*:\s*(?:bold|[6-9]00)", re.I)
_ITALIC = re.compile(r"font-style\s*:\s*italic", re.I)


def looks_like_html(body: str) -> bool:
    return bool(_LOOKS_LIKE_HTML.search(body or ""))


def _styled_span(match: re.Match) -> str:
    attributes, inner = match.group(1), match.group(2)
    style = _STYLE.search(attributes)
    style = style.group(1) if style else ""
    if _BOLD.search(style):
        inner = f"<strong>{inner}</strong>"
    if _ITALIC.search(style):
        inner = f"<em>{inner}</em>"
    return inner


def clean_pasted_html(markup: str) -> str:
    """Word's and Docs' own markup taken off; the sanitizer still has to run after."""
    markup = _CONDITIONAL.sub("", markup)
    markup = _OFFICE_TAG.sub("", markup)
    markup = _IMG.sub("", markup)
    wrapper = _DOCS_WRAPPER.search(markup)
    if wrapper:
        # Its closing </b> is the last one: every <b> inside is closed before it.
        closing = markup.rfind("</b>")
        if closing > wrapper.end():
            markup = markup[:closing] + markup[closing + 4:]
        markup = markup[:wrapper.start()] + markup[wrapper.end():]
    # Spans nest rarely in pasted text; a few passes undo what nesting there is.
    for _ in range(3):
        markup, found = _SPAN.subn(_styled_span, markup)
        if not found:
            break
    return markup
