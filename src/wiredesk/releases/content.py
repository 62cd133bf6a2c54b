"""What a submitter's text may contain, and how it becomes the HTML of an article.

A release body is plain text (blank lines between paragraphs) or a small subset of
formatting: paragraphs, line breaks, bold, italic, lists, quotes and links. Anything
else is dropped here; the wire pipeline then runs its own sanitizer last, as for
agency copy, so the stored body passes the same allow-list.
"""

from __future__ import annotations

import html
import re
import unicodedata

import nh3

SUBMITTER_TAGS = {"p", "br", "b", "strong", "i", "em", "u", "ul", "ol", "li", "blockquote",
                  "a", "h2", "h3"}
SUBMITTER_ATTRIBUTES = {"a": {"href"}}
_DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "svg",
                      "math", "template", "form", "textarea", "select", "title", "head"}
_TAGLIKE = re.compile(r"<\s*/?\s*[a-zA-Z]")


def bad_characters(value: str, *, multiline: bool) -> bool:
    """True when text holds control characters (or, for one-line fields, a line break).

    Line breaks in a one-line field are how header injection starts; other control
    characters have no business in a news release.
    """
    for char in value:
        if char in "\r\n":
            if not multiline:
                return True
            continue
        if char == "\t":
            continue
        if unicodedata.category(char) in ("Cc", "Cf") and char not in "\u200d\u200c":
            return True
    return False


def one_line(value: str) -> str:
    return " ".join((value or "").split())


def body_to_html(body: str) -> str:
    """A submitter's body as HTML limited to the submitter subset."""
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not body:
        return ""
    if not _TAGLIKE.search(body):
        # Plain text: escape it, paragraphs at blank lines, single breaks kept.
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
        return "".join("<p>" + html.escape(p, quote=False).replace("\n", "<br>") + "</p>"
                       for p in paragraphs)
    cleaned = nh3.clean(body, tags=SUBMITTER_TAGS, attributes=SUBMITTER_ATTRIBUTES,
                        clean_content_tags=_DROP_WITH_CONTENT,
                        url_schemes={"http", "https", "mailto"}, link_rel=None,
                        strip_comments=True)
    if "<p" not in cleaned:
        parts = [p.strip() for p in re.split(r"\n\s*\n", cleaned) if p.strip()]
        cleaned = "".join(f"<p>{p}</p>" for p in parts)
    return cleaned.strip()
