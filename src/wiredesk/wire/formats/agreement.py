"""A second reading of the page, by an extractor of another family, to trim the first by.

trafilatura reads a page by its tags and their text (the first reading); readability
(the fork shipped inside trafilatura, so no extra dependency) scores blocks by paragraph
and link density and keeps the best-scoring container (the second). Where the two agree
on most of the text, the lines only trafilatura kept at the *edges* of the story — a
company's boilerplate paragraph at the end, a related headline before the lede, a
"SOURCE:" or newsletter line — are the site's, not the story's, and are dropped. Lines in
the middle are kept: readability is the less complete of the two, and a story's middle
is rarely boilerplate. When the readings disagree (readability found another block, or
nothing), the first reading stands as it is.

The two thresholds are the only figures tuned on data; ``benchmarks/extraction.py``
chooses them by 5-fold cross-validation and reports each fold.
"""

from __future__ import annotations

import copy
import re

from lxml import html as lxml_html
from trafilatura.readability_lxml import Document

# Share of the first reading's characters the second must also have read for the two
# to count as agreeing on the story.
MIN_AGREEMENT = 0.7
# A leading line longer than this is kept even when the second reading lacks it: it is
# far more often the lede than a related headline.
MAX_DROPPED_LEAD_CHARS = 150

# A leading line that ends as a sentence ends is the story's (a claim, a lede), and so is
# all after it: related headlines, decks and datelines carry no full stop.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*\s*$")
# An embedded post's signature ("— Ann Lee (@annlee) March 3, 2026"): the story quotes
# the post, and readability, which drops embeds, is no judge of it.
_POST_SIGNATURE = re.compile(r"^[—–-]\s*[^\n]{1,80}\(@\w{1,30}\)\s*\w+\.? \d{1,2}, \d{4}$")
_TOKEN = re.compile(r"\w+")


def _tokens(text: str) -> str:
    return " ".join(_TOKEN.findall(text))


def second_reading(tree) -> str:
    """readability's text of a parsed page (a copy is read; the tree is not changed)."""
    # The second reading only ever trims the first: whatever readability trips on, the
    # page is still read, by trafilatura alone.
    try:
        summary = Document(copy.deepcopy(tree), min_text_length=25).summary()
        root = lxml_html.fromstring(summary)
    except Exception:
        return ""
    return "\n".join(part.strip() for part in root.itertext() if part.strip())


def trim_to_agreement(text: str, other: str, *, min_agreement: float = MIN_AGREEMENT,
                      max_dropped_lead: int = MAX_DROPPED_LEAD_CHARS) -> str:
    """``text`` without the edge lines ``other`` lacks, when the two agree on the rest."""
    lines = [line for line in text.split("\n") if line.strip()]
    other_tokens = f" {_tokens(other)} "
    if not lines or not other_tokens.strip():
        return text
    supported = []
    for line in lines:
        tokens = _tokens(line)
        supported.append((bool(tokens) and f" {tokens} " in other_tokens)
                         or bool(_POST_SIGNATURE.match(line.strip())))
    total = sum(len(line) for line in lines)
    agreed = sum(len(line) for line, ok in zip(lines, supported, strict=True) if ok)
    if not total or agreed / total < min_agreement:
        return text
    start = 0
    while start < len(lines) and not supported[start] and len(lines[start]) <= max_dropped_lead \
            and not _SENTENCE_END.search(lines[start]):
        start += 1
    end = len(lines)
    while end > start and not supported[end - 1]:
        end -= 1
    return "\n".join(lines[start:end])
