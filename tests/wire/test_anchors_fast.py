"""An item's names and numbers (``item_features._anchors``) read in one ``findall`` per
line: the same as the word-by-word reading it replaced, on news copy and on random text."""

from __future__ import annotations

import random

from tests import story_texts
from wiredesk.wire.similarity import item_features as f


def _reference(lines):
    """The reading as first written (``finditer``, the two characters after each word)."""
    found: set[str] = set()
    for line in lines:
        previous_ends = True
        for match in f._WORD.finditer(line):
            token = match.group(0)
            if token[0].isdigit():
                digits = sum(c.isdigit() for c in token)
                if digits >= 2:
                    found.add(token.replace(",", ""))
            elif token[0].isupper() and not previous_ends:
                low = token.lower()
                if low not in f.STOPWORDS and len(low) > 1:
                    found.add(low)
            end = match.end()
            tail = line[end:end + 2].strip()
            previous_ends = (bool(tail) and tail[0] in ".!?:") or token.endswith(".")
    return found


def test_the_same_names_as_the_word_by_word_reading():
    lines = [text for value in vars(story_texts).values() if isinstance(value, list)
             for text in value if isinstance(text, str)]
    assert len(lines) > 40
    assert f._anchors(lines) == _reference(lines)
    rng = random.Random(16)
    alphabet = "aZ9 .:!?,;'’\t\u00a0\u2009_-ÉéÜ19Ω\n"
    words = ["Tarven", "said", "U.S.", "2,500", "7.1", "Mr.", "Quake", "it's", "x", "Ana's"]
    for _ in range(3000):
        line = "".join(rng.choice(words) + rng.choice(["", " ", ". ", ": ", "  ", "! ", "?",
                                                       " . ", "\t", ".", "...", "  : "])
                       for _ in range(rng.randint(0, 12)))
        noise = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20)))
        for text in (line, noise, line + noise):
            assert f._anchors([text]) == _reference([text]), text
