"""Markdown, limited to what a newsroom's copy uses, as the allow-listed HTML of an article.

Paragraphs (a single line break is kept), **bold**, *italic*, links, bulleted and
numbered lists, quotes and subheads. Every other Markdown construct stays as typed text
(an indented line is not code, ``---`` is not a rule, ``![...](...)`` is not a picture),
and so does HTML: typed tags are escaped, never applied. What the Markdown makes then goes
through ``sanitize_html``, as agency copy does. The public's news releases and the desk's
own articles are written in it.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token

from wiredesk.wire.sanitize import html_to_text, sanitize_html

BODY_HELP = ("Write plain text with a blank line between paragraphs. Kept: **bold**, "
             "*italic*, links as [words](https://example.org), lists (lines starting "
             "with \"- \" or \"1. \"), quotes (lines starting with \"> \") and subheads "
             "(a line starting with \"## \"). Nothing else: HTML tags are shown as typed, "
             "not applied.")

# html=False escapes the public's tags; breaks=True keeps a single line break, as
# plain text with line breaks was always kept.
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "breaks": True}).disable(
    ["code", "fence", "hr", "lheading", "html_block", "html_inline", "backticks", "image"])


def body_to_html(body: str) -> str:
    """A Markdown body as HTML, through the wire's sanitizer."""
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not body:
        return ""
    tokens = _subheads(_MARKDOWN.parse(body))
    return sanitize_html(_MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {}))


def body_text_length(body: str) -> int:
    """How many characters of text a body holds once its formatting is applied."""
    return len(html_to_text(body_to_html(body)))


def _subheads(tokens: list[Token]) -> list[Token]:
    """Headings become the page's subheads (h2, or h3 for ###...), below its h1.

    A heading with no words ("###", the end mark of many press releases) stays as the
    text it was typed as.
    """
    for index, opening in enumerate(tokens):
        if opening.type != "heading_open":
            continue
        inline, closing = tokens[index + 1], tokens[index + 2]
        if inline.content.strip():
            tag = "h2" if opening.tag in ("h1", "h2") else "h3"
        else:
            tag = "p"
            inline.children = [Token("text", "", 0, content=opening.markup)]
        opening.tag = closing.tag = tag
    return tokens
