"""What an item is made of, as the similarity steps see it.

Lines of text -> word set and word 3-shingles (for copies), a MinHash signature of the
word set and its LSH band keys (for finding copies by key lookup), sublinear term
counts (for stories and related links) and "anchors" (names and numbers, which keep
look-alike events apart). Lines that a source repeats across many of its items
(promotions, "SEE ALSO" boxes, sign-up blurbs) are dropped first through a
:class:`LineMemory`: what one feed says every time is not evidence that two items match.
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

import numpy as np

from wiredesk.wire.datelines import parse_dateline

# Enormous items: the work is capped, the item is still handled.
MAX_TEXT_CHARS = 30_000
SHINGLE_WORDS = 3
NUM_PERM = 96
BAND_ROWS = 4
NUM_BANDS = 24  # the first NUM_BANDS * BAND_ROWS signature values
# Fewer distinct words than this: too little text to call anything a copy, so such an
# item gets no band keys and is never compared.
MIN_WORDS = 12
MAX_ANCHORS = 60

# A line repeated in this many earlier items of one source is that source's boilerplate.
BOILERPLATE_MIN_ITEMS = 3
BOILERPLATE_MAX_LINE = 400  # long paragraphs are copy, not furniture

# Lines that are site furniture whoever sends them (seen on real wire pages).
FURNITURE = re.compile(
    r"^\s*(see also\s*:|related\s*:|read more\b|click here\b|get a daily dose of\b|"
    r"publish news of your business\b|subscribe to\b|sign up for\b|follow us on\b|"
    r"share this article\b|advertisement\s*$)",
    re.I,
)

_WORD = re.compile(r"[^\W_]+(?:['’.][^\W_]+)*", re.U)

_STOPWORDS_TEXT = """
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how i if in into is
it its itself just me more most my myself no nor not now of off on once only or other our
ours ourselves out over own same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up very was we were
what when where which while who whom why will with would you your yours yourself
yourselves said says say told tells according one two new would could also year years last
first week day days monday tuesday wednesday thursday friday saturday sunday today
yesterday mr mrs ms people time since still may might must us it's he's she's that's
there's
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())

_rng = np.random.default_rng(20250711)
# Multiply-add-shift hashing (Dietzfelbinger): full 64-bit odd multipliers, products wrap
# modulo 2^64 and the high 32 bits are kept, so each "permutation" really scrambles the
# order of the inputs (a small multiplier modulo a large prime would not: the minimum would
# land on the same smallest hashes for every permutation).
_MAX64 = np.iinfo(np.uint64).max
_PERM_A = _rng.integers(0, _MAX64, size=NUM_PERM, dtype=np.uint64, endpoint=True) | np.uint64(1)
_PERM_B = _rng.integers(0, _MAX64, size=NUM_PERM, dtype=np.uint64, endpoint=True)


def stable_hash64(text: str) -> int:
    """A signed 64-bit hash, the same in every process (Python's hash() is salted)."""
    return struct.unpack("<q", hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest())[0]


def _hash32(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=4).digest(), "little")


# A word's hash, kept: every item hashes each of its distinct words, and most words recur
# from item to item (its shingles, runs of words, seldom do: hashed afresh).
_word_hash = lru_cache(maxsize=1 << 17)(_hash32)


# --- text ------------------------------------------------------------------------------

def clean_lines(text: str) -> list[str]:
    """Non-empty lines of a text, capped in total size, furniture removed."""
    text = (text or "")[:MAX_TEXT_CHARS]
    lines = []
    for line in text.splitlines():
        line = " ".join(line.split())
        if line and not FURNITURE.match(line):
            lines.append(line)
    return lines


def line_key(line: str) -> int:
    return stable_hash64(" ".join(_WORD.findall(line.lower())))


class LineMemory(Protocol):
    """Per-source memory of repeated lines (the database keeps one in a table)."""

    def repeated(self, source: str, keys: Sequence[int]) -> set[int]: ...

    def remember(self, source: str, keys: Sequence[int]) -> None: ...


def content_lines(headline: str, body_text: str, *, source: str = "",
                  memory: LineMemory | None = None) -> tuple[list[str], list[int]]:
    """The lines that are the item's own copy, and the keys of its short lines.

    The caller remembers the returned keys after deciding (so an item never counts
    against itself).
    """
    lines = clean_lines(body_text)
    short_keys = [line_key(line) for line in lines if len(line) <= BOILERPLATE_MAX_LINE]
    if memory is not None and source and short_keys:
        repeated = memory.repeated(source, short_keys)
        if repeated:
            lines = [line for line in lines
                     if len(line) > BOILERPLATE_MAX_LINE or line_key(line) not in repeated]
    headline = " ".join((headline or "").split())[:500]
    return ([headline] if headline else []) + lines, short_keys


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


# --- features --------------------------------------------------------------------------

@dataclass(slots=True)
class Features:
    """What the intelligence step needs to know about one item."""

    signature: np.ndarray  # uint64[NUM_PERM] over the word set; all max when it is empty
    word_set_size: int
    shingles: frozenset[int]
    word_set: frozenset[int]
    term_counts: dict[str, int]
    anchors: frozenset[str]
    word_count: int
    headline_terms: frozenset[str] = field(default_factory=frozenset)

    @property
    def bands(self) -> list[int]:
        return band_keys(self.signature, self.word_set_size)

    @property
    def shingle_count(self) -> int:
        return len(self.shingles)


def _anchors(lines: Iterable[str]) -> set[str]:
    """Names and numbers: the words that tell one earthquake from another.

    A capitalised word counts when it does not open a sentence (where every word is
    capitalised); numbers count when they have two or more digits (years, tolls, scores).
    """
    found: set[str] = set()
    for line in lines:
        previous_ends = True
        # Each word with the two characters after it (what ``line[end:end + 2]`` was).
        for token, after in _WORD_AND_AFTER.findall(line):
            first = token[0]
            if first.isdigit():
                digits = sum(c.isdigit() for c in token)
                if digits >= 2:
                    found.add(token.replace(",", ""))
            elif first.isupper() and not previous_ends:
                low = token.lower()
                if low not in STOPWORDS and len(low) > 1:
                    found.add(low)
            # The first character after the word that is not a space, if any, among the
            # two: a sentence ends there. (``strip()``'s first character is ``lstrip()``'s.)
            previous_ends = after.lstrip()[:1] in _SENTENCE_ENDS or token.endswith(".")
    return found


# ``_WORD`` with a look-ahead taking the (up to) two characters after the word: the same
# matches as ``_WORD.finditer``, read in one ``findall``.
_WORD_AND_AFTER = re.compile(r"(" + _WORD.pattern + r")(?=(.{0,2}))", re.U | re.S)
_SENTENCE_ENDS = frozenset(".!?:")


def shingle_hashes(tokens: Sequence[str], k: int = SHINGLE_WORDS) -> set[int]:
    if not tokens:
        return set()
    if len(tokens) < k:
        return {_hash32(" ".join(tokens))}
    return {_hash32(" ".join(tokens[i:i + k])) for i in range(len(tokens) - k + 1)}


def minhash(hashes: Iterable[int]) -> np.ndarray:
    values = np.fromiter(hashes, dtype=np.uint64)
    if values.size == 0:
        return np.full(NUM_PERM, np.iinfo(np.uint64).max, dtype=np.uint64)
    with np.errstate(over="ignore"):
        products = (values[None, :] * _PERM_A[:, None] + _PERM_B[:, None]) >> np.uint64(32)
    return products.min(axis=1)


def band_keys(signature: np.ndarray, set_size: int) -> list[int]:
    """One signed 64-bit key per LSH band; none for an item too short to compare."""
    if set_size < MIN_WORDS:
        return []
    keys = []
    for band in range(NUM_BANDS):
        chunk = signature[band * BAND_ROWS:(band + 1) * BAND_ROWS]
        digest = hashlib.blake2b(chunk.tobytes() + bytes([band]), digest_size=8).digest()
        keys.append(struct.unpack("<q", digest)[0])
    return keys


def without_dateline(lines: list[str], *, has_headline: bool) -> list[str]:
    """The lines with the body's dateline taken off its first line.

    "Lucknow (Uttar Pradesh) [India], July 10 (ANI):" says where and when the agency
    filed, not what happened: two items filed from one state on one day are not one story
    for it. Copies are still compared on the whole text.
    """
    first = 1 if has_headline else 0
    if len(lines) <= first:
        return lines
    dateline = parse_dateline(lines[first])
    if dateline is None:
        return lines
    return [*lines[:first], dateline.rest.strip(), *lines[first + 1:]]


def features(headline: str, body_text: str, *, source: str = "",
             memory: LineMemory | None = None) -> tuple[Features, list[int]]:
    """Features of one item, and the short-line keys to remember for its source."""
    lines, keys = content_lines(headline, body_text, source=source, memory=memory)
    body_tokens = words("\n".join(lines[1:] if headline else lines))
    shingles = shingle_hashes(body_tokens or words(headline))
    word_set = {_word_hash(t) for t in set(body_tokens or words(headline))}
    counts: Counter[str] = Counter()
    lines = without_dateline(lines, has_headline=bool((headline or "").strip()))
    all_tokens = words("\n".join(lines))
    for token in all_tokens:
        if len(token) > 2 and token not in STOPWORDS and not token[0].isdigit():
            counts[token[:40]] += 1
    headline_terms = frozenset(t for t in words(headline)
                               if len(t) > 2 and t not in STOPWORDS and not t[0].isdigit())
    anchors = _anchors(lines)
    if len(anchors) > MAX_ANCHORS:
        anchors = {a for a, _ in Counter(
            a for a in (t for t in all_tokens) if a in anchors).most_common(MAX_ANCHORS)}
    return Features(signature=minhash(word_set), word_set_size=len(word_set),
                    shingles=frozenset(shingles), word_set=frozenset(word_set),
                    term_counts=dict(counts), anchors=frozenset(anchors),
                    word_count=len(all_tokens), headline_terms=headline_terms), keys


def signature_bytes(signature: np.ndarray) -> bytes:
    return signature.astype("<u8").tobytes()


def signature_from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype="<u8").astype(np.uint64)
