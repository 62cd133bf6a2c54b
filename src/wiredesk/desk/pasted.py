"""HTML pasted from Word or Google Docs into the body: made plain before the sanitizer.

Word's clipboard brings ``<o:p>``, ``mso-`` styles, conditional comments and class soup;
Google Docs wraps everything in ``<b id="docs-internal-guid-...">`` (which would make the
whole article bold) and says bold and italic only in ``<span style>``. What the editor
meant (paragraphs, bold, italic, links, lists, quotes, subheads) is kept; the rest goes,
and ``wire.sanitize.sanitize_html`` runs last, as for any agency copy.
"""

from __future__ import annotations

import re

# Tags that say "this is HTML, not Markdown someone typed".
_LOOKS_LIKE_HTML = re.compile(
    r"<\s*/?\s*(?:p|div|span|b|i|u|strong|em|br|ul|ol|li|h[1-6]|a|table|tr|td|o:p|meta|"
    r"html|body|head|style|script|blockquote|font|img|iframe|svg)\b[^>]*>|<!--\[if", re.I)
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
