"""Markdown, limited to what a newsroom's copy uses, as the allow-listed HTML of an article.

Paragraphs (a single line break is kept), **bold**, *italic*, links, bulleted and
numbered lists, quotes and subheads. Every other Markdown construct stays as typed text
(an indented line is not code, ``---`` is not a rule, ``![...](...)`` is not a picture),
and so does HTML: typed tags are escaped, never applied. What the Markdown makes then goes
through ``sanitize_html``, as agency copy does. The public's news releases and the desk's
own articles are written in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

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


# --- HTML back to Markdown ------------------------------------------------------------
# The desk edits agency copy (stored as sanitized HTML) in the same Markdown it writes its
# own articles in, so a body makes the round trip HTML -> Markdown -> ``body_to_html``.
# Kept: what ``body_to_html`` makes (p, br, strong/b, em/i, a, ul/ol/li, blockquote,
# h2/h3; h4-h6 become h3, as ``###...`` does). Every other tag keeps its text only; a
# picture, a rule or a table cell has no Markdown here, so its text (never its markup) stays.

_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote",
               "div", "section", "article", "figure", "figcaption", "table", "thead",
               "tbody", "tfoot", "tr", "caption", "pre", "hr", "dl", "dt", "dd", "header",
               "footer", "aside", "main", "address"}
_VOID_TAGS = {"br", "hr", "img", "wbr", "input", "meta", "link", "source", "area", "col"}
_DROPPED = {"script", "style", "template", "head", "title", "svg", "math", "iframe",
            "object", "noscript"}
# Characters Markdown would read as markup anywhere in a line.
_INLINE_SPECIAL = re.compile(r"([\\*_\[\]]|<(?=[A-Za-z/!?]))")
_ENTITY_LIKE = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# Line starts Markdown would read as a subhead, quote or list.
_LINE_START_MARK = re.compile(r"^(#|>|[-+*](?=\s|$))")
_LINE_START_NUMBER = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[_Node | str] = field(default_factory=list)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("root")
        self._stack = [self.root]
        self._dropping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:
            self._dropping += 1
            return
        if self._dropping:
            return
        node = _Node(tag, {k: v or "" for k, v in attrs})
        self._stack[-1].children.append(node)
        if tag not in _VOID_TAGS:
            self._stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED or self._dropping:
            return
        self._stack[-1].children.append(_Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self._dropping = max(0, self._dropping - 1)
            return
        if self._dropping or tag in _VOID_TAGS:
            return
        # Close up to the matching open tag; a stray end tag is ignored.
        for depth in range(len(self._stack) - 1, 0, -1):
            if self._stack[depth].tag == tag:
                del self._stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        if not self._dropping:
            self._stack[-1].children.append(data)


def html_to_markdown(markup: str) -> str:
    """Sanitized article HTML as the desk's Markdown: ``body_to_html`` gives it back."""
    if not markup or not markup.strip():
        return ""
    builder = _TreeBuilder()
    builder.feed(markup)
    builder.close()
    return "\n\n".join(_blocks(builder.root.children)).strip()


def _is_block(child: _Node | str) -> bool:
    return isinstance(child, _Node) and child.tag in _BLOCK_TAGS


def _blocks(children: list[_Node | str]) -> list[str]:
    """Markdown blocks of a flow of nodes; loose inline runs become paragraphs."""
    blocks: list[str] = []
    run: list[_Node | str] = []

    def flush() -> None:
        if run:
            text = _paragraph(run)
            if text:
                blocks.append(text)
            run.clear()

    for child in children:
        if not _is_block(child):
            run.append(child)
            continue
        flush()
        assert isinstance(child, _Node)
        blocks.extend(_block(child))
    flush()
    return blocks


def _block(node: _Node) -> list[str]:
    tag = node.tag
    if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        text = " ".join(_inline(node.children).split("\n")).strip()
        if not text:
            return []
        return [("## " if tag in ("h1", "h2") else "### ") + text]
    if tag in ("ul", "ol"):
        return _list(node)
    if tag == "blockquote":
        inner = "\n\n".join(_blocks(node.children))
        if not inner:
            return []
        return ["\n".join(("> " + line) if line else ">" for line in inner.split("\n"))]
    if tag == "hr":
        return []
    if tag == "p":
        text = _paragraph(node.children)
        return [text] if text else []
    if tag == "pre":
        # Preformatted agency tables and results: each line kept as a line.
        text = _paragraph([_Node("br") if part == "\n" else part
                           for part in re.split(r"(\n)", _text_of(node))])
        return [text] if text else []
    # A container we do not keep (div, table, figure, a stray li...): its content.
    return _blocks(node.children)


def _list(node: _Node) -> list[str]:
    items = [child for child in node.children if isinstance(child, _Node)]
    rendered: list[str] = []
    loose = any(_is_block(grandchild) and grandchild.tag == "p"
                for item in items for grandchild in item.children
                if isinstance(grandchild, _Node))
    number = 0
    for item in items:
        content = _blocks(item.children if item.tag == "li" else [item])
        if not content:
            continue
        number += 1
        marker = f"{number}. " if node.tag == "ol" else "- "
        indent = " " * len(marker)
        text = "\n\n".join(content)
        lines = text.split("\n")
        rendered.append("\n".join(
            [marker + lines[0]] + [(indent + line) if line else "" for line in lines[1:]]))
    if not rendered:
        return []
    return ["\n\n".join(rendered) if loose else "\n".join(rendered)]


def _text_of(node: _Node) -> str:
    return "".join(child if isinstance(child, str) else _text_of(child)
                   for child in node.children)


def _paragraph(children: list[_Node | str]) -> str:
    lines = [line.strip() for line in _inline(children).split("\n")]
    return "\n".join(_escape_line_start(line) for line in lines if line)


def _escape_line_start(line: str) -> str:
    line = _LINE_START_NUMBER.sub(r"\1\\\2", line)
    return _LINE_START_MARK.sub(r"\\\1", line)


def _escape(text: str) -> str:
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    return _ENTITY_LIKE.sub(r"\\&", text)


def _inline(children: list[_Node | str]) -> str:
    out: list[str] = []
    for child in children:
        if isinstance(child, str):
            out.append(_escape(_HTML_SPACE.sub(" ", child)))
            continue
        tag = child.tag
        if tag == "br":
            out.append("\n")
        elif tag in ("strong", "b"):
            out.append(_wrap(_inline(child.children), "**"))
        elif tag in ("em", "i"):
            out.append(_wrap(_inline(child.children), "*"))
        elif tag == "a":
            out.append(_link(child))
        elif tag in _VOID_TAGS:
            continue
        elif _is_block(child):
            # A block inside inline content (a p in a span): its own line.
            out.append("\n" + _inline(child.children) + "\n")
        else:
            out.append(_inline(child.children))
    return "".join(out)


def _wrap(text: str, mark: str) -> str:
    """Emphasis around the words only: ``**`` next to a space would not close."""
    stripped = text.strip(" ")
    if not stripped.strip():
        return text
    lead = text[: len(text) - len(text.lstrip(" "))]
    trail = text[len(text.rstrip(" ")):]
    lines = stripped.split("\n")
    # Emphasis does not span a hard break reliably: each line is wrapped on its own.
    return lead + "\n".join(
        f"{mark}{line.strip()}{mark}" if line.strip() else line for line in lines) + trail


def _link(node: _Node) -> str:
    text = _inline(node.children)
    href = (node.attrs.get("href") or "").strip()
    if not href or not text.strip():
        return text
    text = " ".join(text.split("\n"))
    if re.search(r"[\s()<>]", href):
        href = "<" + href.replace("<", "%3C").replace(">", "%3E") + ">"
    return f"[{text.strip()}]({href})" if text.strip() == text else (
        text[: len(text) - len(text.lstrip())] + f"[{text.strip()}]({href})"
        + text[len(text.rstrip()):])
