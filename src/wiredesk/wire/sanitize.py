"""The allow-list every piece of HTML passes through before it is stored.

The sanitizer always runs last: anything done to the HTML after it (cutting,
re-wrapping) must only remove markup, never add attributes from the input.
"""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "a", "em", "strong", "b",
    "i", "u", "s", "sub", "sup", "blockquote", "q", "cite", "figure", "figcaption", "img",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "hr", "pre", "code",
    "abbr", "time", "small", "span",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "time": {"datetime"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "blockquote": {"cite"},
    "q": {"cite"},
}
# On any allowed tag (nh3's own default, named here so the allow-list is all in one place).
GENERIC_ATTRIBUTES = {"lang", "title"}
URL_SCHEMES = {"http", "https", "mailto"}
# Removed with their content, not just unwrapped: their text is never article copy.
DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "svg",
                     "math", "template", "form", "button", "select", "textarea", "head",
                     "title"}


# Block containers we do not keep: turned into paragraphs (not just unwrapped) so the
# text of two neighbouring blocks never glues into one word.
_BLOCK_CONTAINER = re.compile(
    r"<(/?)(?:div|section|article|header|footer|main|aside|address|center|dl|dd|dt|"
    r"details|summary|fieldset|body\.content|block)\b[^>]*>", re.I)
_H1 = re.compile(r"<(/?)h1\b[^>]*>", re.I)
_EMPTY_P = re.compile(r"<p>(?:\s|&nbsp;|<br>)*</p>")


def sanitize_html(markup: str) -> str:
    """Return markup reduced to the allow-list; links get rel=nofollow noopener."""
    if not markup:
        return ""
    markup = _BLOCK_CONTAINER.sub(lambda m: f"<{m.group(1)}p>", markup)
    markup = _H1.sub(lambda m: f"<{m.group(1)}h2>", markup)
    cleaned = nh3.clean(
        markup,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROP_WITH_CONTENT,
        attributes={**ALLOWED_ATTRIBUTES, "*": GENERIC_ATTRIBUTES},
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener",
        strip_comments=True,
    )
    return _EMPTY_P.sub("", cleaned).strip()


_TAG = re.compile(r"<[^>]*>")
_BLOCK_END = re.compile(
    r"</(p|div|h\d|li|blockquote|tr|figcaption|pre|section|article|header|footer|ul|ol|"
    r"table|dd|dt)\s*>|<(p|div|h\d|li|blockquote|tr|section|article)\b[^>]*>|<br\s*/?>", re.I)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_ANY_SPACE = re.compile(r"\s+")
# ASCII with none of these is text nh3 hands back exactly as it was (no tag, entity,
# carriage return or NUL for the HTML parser to act on): most titles and categories.
_PARSER_ACTS_ON = re.compile("[<&\r\x00]")


def html_to_text(markup: str) -> str:
    """Plain text from HTML, paragraphs on their own lines.

    Inline tags are replaced by nothing, block ends by newlines; because the
    text around an inline link keeps its own spaces, words never glue together.
    """
    if not markup:
        return ""
    # Newlines inside a paragraph are just spaces in HTML; only block ends break lines.
    with_breaks = _BLOCK_END.sub("\n", _ANY_SPACE.sub(" ", markup))
    if with_breaks.isascii() and not _PARSER_ACTS_ON.search(with_breaks):
        text = with_breaks
    else:
        # With no tags allowed nh3 returns escaped text; unescape gives the plain characters.
        text = html.unescape(nh3.clean(with_breaks, tags=set(),
                                       clean_content_tags=DROP_WITH_CONTENT))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def plain_text(value: str) -> str:
    """A title or other single-line field as plain text (tags removed, entities decoded)."""
    return " ".join(html_to_text(value).split())
