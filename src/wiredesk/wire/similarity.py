"""Story intelligence on plain text: near-duplicates, story clustering, related ranking.

Pure Python + numpy, no Django: the database side (newsroom/intelligence.py) and the
benchmarks drive the same functions through small index interfaces.

The pieces, in the order an arriving item meets them:

* ``features``: lines of text -> word set and word 3-shingles (for copies), a MinHash
  signature of the word set (for finding copies), sublinear term frequencies (for
  stories and related links) and "anchors" (names and numbers, which keep look-alike
  events apart). Lines that a source repeats across many
  of its items (promotions, "SEE ALSO" boxes, sign-up blurbs) are dropped first through a
  :class:`LineMemory`: what one feed says every time is not evidence that two items match.
* near-duplicates: LSH band keys over the signature find candidates by exact key lookup
  (an indexed table in the database), never by scanning the archive; a candidate is a
  copy when it shares most of its words (a copy keeps its vocabulary through edits) *and*
  a good part of its word sequences (a rewrite of the same event by another reporter
  shares names and words, but not sentences).
* stories: single-pass clustering. Each story keeps a centroid (top terms) and its anchor
  set; an item joins the best story found through its top terms (an inverted index) when
  TF-IDF cosine, corrected by anchor agreement, clears a threshold, otherwise it starts a
  story. IDF comes from document frequencies maintained incrementally. Single-pass
  clustering cannot undo an early mistake: when the first reports of two look-alike events
  (two fires at two branches of one supermarket chain) meet while both are small, every
  later report joins the blend. So each time a story grows, its recent members are checked
  for the shape of two events (:func:`story_parts`) and a blend is split.
* related: other stories ranked by similarity, recency and section.
"""

from __future__ import annotations

import hashlib
import math
import re
import struct
from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

import numpy as np

# Enormous items: the work is capped, the item is still handled.
MAX_TEXT_CHARS = 30_000
SHINGLE_WORDS = 3
NUM_PERM = 96
BAND_ROWS = 4
NUM_BANDS = 24  # the first NUM_BANDS * BAND_ROWS signature values
VECTOR_TERMS = 60  # an item's TF-IDF vector keeps its strongest terms
CENTROID_TERMS = 120
QUERY_TERMS = 12  # terms used to look up candidate stories
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
_SENTENCE_END = re.compile(r"[.!?:;\"”)]$")

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


class InMemoryLineMemory:
    """Counts, per source, how many items carried each short line; bounded per source."""

    def __init__(self, *, per_source: int = 20_000) -> None:
        self.per_source = per_source
        self._counts: dict[str, OrderedDict[int, int]] = {}

    def repeated(self, source: str, keys: Sequence[int]) -> set[int]:
        counts = self._counts.get(source)
        if not counts:
            return set()
        return {k for k in keys if counts.get(k, 0) >= BOILERPLATE_MIN_ITEMS}

    def remember(self, source: str, keys: Sequence[int]) -> None:
        counts = self._counts.setdefault(source, OrderedDict())
        for key in set(keys):
            counts[key] = counts.get(key, 0) + 1
            counts.move_to_end(key)
        while len(counts) > self.per_source:
            counts.popitem(last=False)


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
        for match in _WORD.finditer(line):
            token = match.group(0)
            if token[0].isdigit():
                digits = sum(c.isdigit() for c in token)
                if digits >= 2:
                    found.add(token.replace(",", ""))
            elif token[0].isupper() and not previous_ends:
                low = token.lower()
                if low not in STOPWORDS and len(low) > 1:
                    found.add(low)
            end = match.end()
            tail = line[end:end + 2].strip()
            previous_ends = (bool(tail) and tail[0] in ".!?:") or token.endswith(".")
    return found


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


def features(headline: str, body_text: str, *, source: str = "",
             memory: LineMemory | None = None) -> tuple[Features, list[int]]:
    """Features of one item, and the short-line keys to remember for its source."""
    lines, keys = content_lines(headline, body_text, source=source, memory=memory)
    body_tokens = words("\n".join(lines[1:] if headline else lines))
    shingles = shingle_hashes(body_tokens or words(headline))
    word_set = {_hash32(t) for t in (body_tokens or words(headline))}
    counts: Counter[str] = Counter()
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


# --- near-duplicates -------------------------------------------------------------------

MIN_WORDS = 12  # fewer distinct words than this: too little text to call anything a copy
COPY_WORDS = 0.80  # share of the smaller item's distinct words found in the other
COPY_SHINGLES = 0.35  # share of its word 3-shingles found in the other
CANDIDATE_WORDS = 0.50  # estimated from signatures: below this, not worth a closer look


def estimated_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.count_nonzero(a == b)) / NUM_PERM


def estimated_containment(a: np.ndarray, a_count: int, b: np.ndarray, b_count: int) -> float:
    """Share of the smaller set found in the other, estimated from two signatures."""
    if a_count < MIN_WORDS or b_count < MIN_WORDS:
        return 0.0
    jaccard = estimated_jaccard(a, b)
    intersection = jaccard * (a_count + b_count) / (1.0 + jaccard)
    return min(1.0, intersection / min(a_count, b_count))


def worth_comparing(a: np.ndarray, a_count: int, b: np.ndarray, b_count: int) -> bool:
    """Cheap filter on stored signatures before the exact comparison."""
    if min(a_count, b_count) * 4 < max(a_count, b_count):
        return False  # a short brief inside a long feature is not a copy of it
    return estimated_containment(a, a_count, b, b_count) >= CANDIDATE_WORDS


def containment(a: frozenset[int], b: frozenset[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def copy_score(a: Features, b: Features) -> float:
    """0 when not a copy; otherwise the shingle containment (higher is closer)."""
    if a.word_set_size < MIN_WORDS or b.word_set_size < MIN_WORDS:
        return 0.0
    if min(a.word_set_size, b.word_set_size) * 4 < max(a.word_set_size, b.word_set_size):
        return 0.0
    if containment(a.word_set, b.word_set) < COPY_WORDS:
        return 0.0
    score = containment(a.shingles, b.shingles)
    return score if score >= COPY_SHINGLES else 0.0


def is_near_duplicate(a: Features, b: Features) -> bool:
    return copy_score(a, b) > 0.0


# --- TF-IDF, stories -------------------------------------------------------------------

class DocumentFrequencies(Protocol):
    def total(self) -> int: ...

    def counts(self, terms: Iterable[str]) -> Mapping[str, int]: ...

    def add(self, terms: Iterable[str]) -> None: ...


class InMemoryDocumentFrequencies:
    def __init__(self) -> None:
        self.n = 0
        self.df: Counter[str] = Counter()

    def total(self) -> int:
        return self.n

    def counts(self, terms: Iterable[str]) -> Mapping[str, int]:
        return {t: self.df.get(t, 0) for t in terms}

    def add(self, terms: Iterable[str]) -> None:
        self.n += 1
        self.df.update(set(terms))


def tfidf_vector(feats: Features, frequencies: DocumentFrequencies, *,
                 keep: int = VECTOR_TERMS) -> dict[str, float]:
    """Unit-length sublinear TF-IDF over the item's strongest terms; headline words count double."""
    if not feats.term_counts:
        return {}
    n = frequencies.total()
    df = frequencies.counts(feats.term_counts)
    weights = {}
    for term, count in feats.term_counts.items():
        idf = math.log((n + 1) / (df.get(term, 0) + 1)) + 1.0
        tf = 1.0 + math.log(count) + (1.0 if term in feats.headline_terms else 0.0)
        weights[term] = tf * idf
    top = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:keep]
    norm = math.sqrt(sum(w * w for _, w in top)) or 1.0
    return {t: w / norm for t, w in top}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(w * b.get(t, 0.0) for t, w in a.items())
    na = math.sqrt(sum(w * w for w in a.values()))
    nb = math.sqrt(sum(w * w for w in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def query_terms(vector: Mapping[str, float], limit: int = QUERY_TERMS) -> list[str]:
    return [t for t, _ in sorted(vector.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]


@dataclass(slots=True)
class StoryState:
    """What clustering needs to know about a story (the database keeps it per story)."""

    story_id: int
    centroid: dict[str, float]  # sum of member vectors, truncated
    anchors: Counter[str]
    size: int
    last_seen: datetime | None = None


@dataclass(frozen=True, slots=True)
class StoryParams:
    join: float = 0.22  # cosine to the centroid needed to join a story (splits undo blends)
    anchor_weight: float = 0.20  # how much agreeing (or clashing) names and numbers count
    window: timedelta = timedelta(days=7)  # a story keeps growing while items keep coming


def anchor_agreement(item: frozenset[str], story: Counter[str], size: int) -> float:
    """In [-1, 1]: how well the item's names and numbers fit the story's usual ones.

    Anchors that at least two members (or the single member) share are the story's own;
    an item naming none of them points at a different event of the same kind.
    """
    if not item or not story:
        return 0.0
    floor = 1 if size < 3 else 2
    core = {a for a, c in story.items() if c >= floor}
    if not core:
        return 0.0
    shared = len(item & core)
    ratio = shared / min(len(item), len(core))
    return min(1.0, 2.0 * ratio) * 2.0 - 1.0 if ratio < 0.5 else 1.0


def story_score(vector: Mapping[str, float], anchors: frozenset[str], story: StoryState,
                params: StoryParams) -> float:
    return (cosine(vector, story.centroid)
            + params.anchor_weight * anchor_agreement(anchors, story.anchors, story.size))


def best_story(vector: Mapping[str, float], anchors: frozenset[str],
               candidates: Iterable[StoryState], params: StoryParams
               ) -> tuple[StoryState | None, float]:
    best, best_score = None, -1.0
    for story in candidates:
        score = story_score(vector, anchors, story, params)
        if score > best_score or (score == best_score and best is not None
                                  and story.story_id < best.story_id):
            best, best_score = story, score
    if best is None or best_score < params.join:
        return None, best_score
    return best, best_score


def add_to_centroid(story: StoryState, vector: Mapping[str, float], anchors: Iterable[str]
                    ) -> None:
    merged = dict(story.centroid)
    for term, weight in vector.items():
        merged[term] = merged.get(term, 0.0) + weight
    story.centroid = dict(sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))
                          [:CENTROID_TERMS])
    story.anchors.update(anchors)
    if len(story.anchors) > 4 * MAX_ANCHORS:
        story.anchors = Counter(dict(story.anchors.most_common(2 * MAX_ANCHORS)))
    story.size += 1


# A story is checked for blended events once it has this many members; each part of a
# split must have SPLIT_MIN_PART members (fewer is an odd report, not a second event).
SPLIT_MIN_SIZE = 6
SPLIT_MIN_PART = 4
SPLIT_NEIGHBOURS = 2
SPLIT_WINDOW = 40  # the most recent members are checked: the cost stays flat as stories grow
SPLIT_SEPARATION = 0.8  # parts must be this much less alike than the members of each


def story_parts(vectors: Sequence[Mapping[str, float]], *, neighbours: int = SPLIT_NEIGHBOURS,
                min_part: int = SPLIT_MIN_PART) -> list[list[int]]:
    """The members of one story grouped by the event they report: indices into ``vectors``.

    One group (every index) when the story is about one event. Each member is linked to its
    ``neighbours`` most similar fellow members; reports of one event link to each other, so
    a story whose links fall apart into two or more groups of at least ``min_part`` members
    has blended events. Smaller groups join the part they are closest to on average.
    Members without terms cannot be placed and go with the largest part. Parts come largest
    first (ties: the one holding the earliest member).
    """
    placed = [i for i, v in enumerate(vectors) if v]
    everyone = [list(range(len(vectors)))]
    if len(placed) < 2 * min_part:
        return everyone
    vocabulary: dict[str, int] = {}
    for i in placed:
        for term in vectors[i]:
            vocabulary.setdefault(term, len(vocabulary))
    matrix = np.zeros((len(placed), len(vocabulary)), dtype=np.float64)
    for row, i in enumerate(placed):
        for term, weight in vectors[i].items():
            matrix[row, vocabulary[term]] = weight
    norms = np.linalg.norm(matrix, axis=1)
    norms[norms == 0] = 1.0
    matrix /= norms[:, None]
    similar = matrix @ matrix.T
    np.fill_diagonal(similar, -np.inf)
    links: list[set[int]] = [set() for _ in placed]
    for row in range(len(placed)):
        for other in np.argsort(-similar[row], kind="stable")[:neighbours]:
            links[row].add(int(other))
            links[int(other)].add(row)
    groups: list[list[int]] = []
    seen: set[int] = set()
    for start in range(len(placed)):
        if start in seen:
            continue
        seen.add(start)
        stack, group = [start], []
        while stack:
            node = stack.pop()
            group.append(node)
            for other in links[node] - seen:
                seen.add(other)
                stack.append(other)
        groups.append(sorted(group))
    parts = [g for g in groups if len(g) >= min_part]
    if len(parts) < 2:
        return everyone
    np.fill_diagonal(similar, np.nan)
    # Links alone can cut a tight, even group into cliques (near-equal similarities tie);
    # two events are only called when the parts are clearly further apart than within.
    parts.sort(key=lambda part: (-len(part), part[0]))
    within = min(float(np.nanmean(similar[np.ix_(p, p)])) for p in parts[:2])
    between = float(np.nanmean(similar[np.ix_(parts[0], parts[1])]))
    if within <= 0 or between > SPLIT_SEPARATION * within:
        return everyone
    np.fill_diagonal(similar, 0.0)
    for group in groups:
        if len(group) < min_part:
            closest = max(range(len(parts)),
                          key=lambda p: (similar[np.ix_(group, parts[p])].mean(), -p))
            parts[closest] = sorted(parts[closest] + group)
    parts.sort(key=lambda part: (-len(part), part[0]))
    result = [[placed[row] for row in part] for part in parts]
    result[0] = sorted(result[0] + [i for i, v in enumerate(vectors) if not v])
    return result


def story_from_members(story_id: int, vectors: Iterable[Mapping[str, float]],
                       anchors: Iterable[Iterable[str]], last_seen: datetime | None = None
                       ) -> StoryState:
    """A story's clustering state rebuilt from its members (after a split)."""
    state = StoryState(story_id, {}, Counter(), 0, last_seen)
    for vector, names in zip(vectors, anchors, strict=True):
        add_to_centroid(state, vector, names)
    return state


class InMemoryStories:
    """The clustering state for one process (benchmarks, tests); the database has its own."""

    def __init__(self, params: StoryParams | None = None) -> None:
        self.params = params or StoryParams()
        self.stories: dict[int, StoryState] = {}
        self.postings: dict[str, set[int]] = {}
        self.frequencies = InMemoryDocumentFrequencies()
        self.frequencies_frozen = False  # True when the counts were filled from an archive
        self.members: dict[int, list[tuple[dict[str, float], frozenset[str]]]] = {}
        self.moved: dict[int, int] = {}  # member key -> story, for members moved by a split
        self._member_keys: dict[int, list[int]] = {}
        self._next = 1

    def candidates(self, terms: Iterable[str], now: datetime | None) -> list[StoryState]:
        found: set[int] = set()
        for term in terms:
            found |= self.postings.get(term, set())
        stories = [self.stories[s] for s in sorted(found)]
        if now is not None:
            stories = [s for s in stories if s.last_seen is None
                       or now - s.last_seen <= self.params.window]
        return stories

    def assign(self, feats: Features, *, when: datetime | None = None,
               key: int | None = None) -> int:
        """The story an item joins (or starts). A split may later move earlier items:
        pass a ``key`` per item and read :meth:`story_of` for the final answer."""
        if not self.frequencies_frozen:
            self.frequencies.add(feats.term_counts)
        vector = tfidf_vector(feats, self.frequencies)
        story, _score = best_story(vector, feats.anchors,
                                   self.candidates(query_terms(vector), when), self.params)
        if story is None:
            story = StoryState(self._next, {}, Counter(), 0, when)
            self.stories[story.story_id] = story
            self._next += 1
        before = set(query_terms(story.centroid, 2 * QUERY_TERMS))
        add_to_centroid(story, vector, feats.anchors)
        story.last_seen = max(filter(None, [story.last_seen, when]), default=None)
        for term in set(query_terms(story.centroid, 2 * QUERY_TERMS)) - before:
            self.postings.setdefault(term, set()).add(story.story_id)
        self.members.setdefault(story.story_id, []).append((vector, feats.anchors))
        self._member_keys.setdefault(story.story_id, []).append(
            key if key is not None else -1)
        if key is not None:
            self.moved[key] = story.story_id
        if story.size >= SPLIT_MIN_SIZE:
            self._split(story)
        return story.story_id

    def story_of(self, key: int) -> int:
        return self.moved[key]

    def _split(self, story: StoryState) -> None:
        members = self.members[story.story_id]
        keys = self._member_keys[story.story_id]
        recent = len(members) - min(len(members), SPLIT_WINDOW)
        parts = story_parts([vector for vector, _ in members[recent:]])
        if len(parts) < 2:
            return
        moving = [[recent + i for i in part] for part in parts[1:]]
        staying = sorted(set(range(len(members))) - {i for part in moving for i in part})
        for indices in [staying, *moving]:
            story_id = story.story_id if indices is staying else self._next
            if indices is not staying:
                self._next += 1
            state = story_from_members(story_id, [members[i][0] for i in indices],
                                       [members[i][1] for i in indices], story.last_seen)
            self.stories[story_id] = state
            self.members[story_id] = [members[i] for i in indices]
            self._member_keys[story_id] = [keys[i] for i in indices]
            for i in indices:
                if keys[i] >= 0:
                    self.moved[keys[i]] = story_id
            for term in query_terms(state.centroid, 2 * QUERY_TERMS):
                self.postings.setdefault(term, set()).add(story_id)


# --- related ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RelatedCandidate:
    story_id: int
    similarity: float
    last_seen: datetime | None = None
    section: str = ""


def rank_related(candidates: Iterable[RelatedCandidate], *, own_story: int | None,
                 section: str = "", now: datetime | None = None, limit: int = 6,
                 half_life: timedelta = timedelta(days=3), minimum: float = 0.05
                 ) -> list[RelatedCandidate]:
    """Other stories by similarity, fading with age, nudged towards the same section.

    Never the item's own story; at most one entry per story.
    """
    best: dict[int, tuple[float, RelatedCandidate]] = {}
    for cand in candidates:
        if cand.story_id == own_story or cand.similarity < minimum:
            continue
        score = cand.similarity
        if now is not None and cand.last_seen is not None:
            age = max((now - cand.last_seen).total_seconds(), 0.0)
            score *= 0.5 + 0.5 * 0.5 ** (age / half_life.total_seconds())
        if section and cand.section == section:
            score *= 1.25
        kept = best.get(cand.story_id)
        if kept is None or score > kept[0]:
            best[cand.story_id] = (score, cand)
    ranked = sorted(best.values(), key=lambda sc: (-sc[0], sc[1].story_id))
    return [cand for _, cand in ranked[:limit]]
