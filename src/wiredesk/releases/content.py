"""What a submitter's text may contain, and how it becomes the HTML of an article.

A release body is Markdown, limited to what ``BODY_HELP`` tells the submitter:
paragraphs (a single line break is kept), **bold**, *italic*, links, bulleted and
numbered lists, quotes and subheads. Every other Markdown construct stays as typed
text (an indented line is not code, ``---`` is not a rule, ``![...](...)`` is not a
picture), and so does HTML: the public's tags are escaped, never applied. What the
Markdown makes then goes through the wire's own sanitizer, as agency copy does, and
the pipeline runs it once more, last, when the release is published.
"""

from __future__ import annotations

import unicodedata

from django.utils.translation import gettext_lazy

from wiredesk.wire.markup import BODY_HELP, body_text_length, body_to_html

# BODY_HELP as the public form shows it, in the edition's language (the same English;
# tests/releases/test_form.py holds the two together).
PUBLIC_BODY_HELP = gettext_lazy(
    "Write plain text with a blank line between paragraphs. Kept: **bold**, *italic*, links "
    "as [words](https://example.org), lists (lines starting with \"- \" or \"1. \"), quotes "
    "(lines starting with \"> \") and subheads (a line starting with \"## \"). Nothing else: "
    "HTML tags are shown as typed, not applied.")

__all__ = ["BODY_HELP", "PUBLIC_BODY_HELP", "bad_characters", "body_text_length",
           "body_to_html", "one_line"]


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
