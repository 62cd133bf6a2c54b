"""Okapi BM25 over the FTS5 index, computed in Python for one window of rows at a time.

FTS5's own ``bm25()`` learns each phrase's document frequency, on its first call in a
statement, by walking every match of the phrase in the whole table (position checks
included for a phrase), whatever rowid range the statement reads: a search ranked in
windows would pay for all matches once per window. Here the frequencies come once per
search from the index's vocabulary (``fts5vocab``) and its stored totals, and each row's
term counts from its indexed columns, which a window reads anyway.

The formula is FTS5's (k1 1.2, b 0.75, column weights, the same IDF and clamp), with one
difference: a phrase of several words takes the document frequency of its rarest word (how
many documents could hold it) instead of the exact count of documents holding the phrase.
Every part's contribution is below ``(k1 + 1) * IDF``, which gives the bound the windowed
walk stops on.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from functools import cached_property

K1 = 1.2
B = 0.75
IDF_FLOOR = 1e-6  # FTS5's clamp for words in more than half of all rows
VOCABULARY = "temp.search_fts_terms"
AVERAGES_ROWID = 1  # FTS5's record of the row count and each column's token total


def varints(blob: bytes) -> list[int]:
    """SQLite's variable-length integers (what FTS5 stores its totals as), in order."""
    values, i = [], 0
    while i < len(blob):
        value = 0
        for n in range(9):
            byte = blob[i]
            i += 1
            if n == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        values.append(value)
    return values


def idf(rows: int, holding: int) -> float:
    # The stored row count lags inside a transaction that wrote to the index (FTS5 saves
    # it at commit): never fewer rows than hold the word.
    rows = max(rows, holding)
    value = math.log((rows - holding + 0.5) / (holding + 0.5))
    return value if value > 0 else IDF_FLOOR


def phrase_occurrences(column: str, phrase: tuple[str, ...]) -> int:
    """How many times the phrase's terms stand in a row in a column of space-joined terms
    (what the index's columns hold), overlapping ones included."""
    tokens, first, width = column.split(), phrase[0], len(phrase)
    return sum(1 for i, token in enumerate(tokens)
               if token == first and tuple(tokens[i:i + width]) == phrase)


def overlaps_itself(phrase: tuple[str, ...]) -> bool:
    """Whether two occurrences of the phrase can overlap ("a a", "a b a")."""
    return any(phrase[:n] == phrase[-n:] for n in range(1, len(phrase)))


def spaced(terms) -> str:
    # Every space doubled and the text wrapped in one: each term then has spaces of its
    # own on both sides, so str.count finds back-to-back occurrences too.
    return " " + "  ".join(terms) + " "


@dataclass(frozen=True)
class Bm25:
    phrases: tuple[tuple[tuple[str, ...], float], ...]  # (terms, IDF) of each alternative
    weights: tuple[float, ...]  # one per indexed column, in the order rows give them
    average_length: float

    @property
    def bound(self) -> float:
        """No row's relevance reaches this: each term's tf / (tf + norm) stays below 1."""
        return sum(weight for _terms, weight in self.phrases) * (K1 + 1)

    def relevance(self, columns: tuple[str, ...]) -> float:
        # Written for speed (it runs for every row of a window): a column holds terms
        # joined by single spaces, so its length is its spaces plus one.
        length = 0
        for column in columns:
            if column:
                length += column.count(" ") + 1
        norm = K1 * (1 - B + B * length / self.average_length)
        total = 0.0
        padded: list[str | None] = [None] * len(columns)
        for terms, text, needle, weight in self._prepared:
            frequency = 0.0
            for i, column in enumerate(columns):
                if text not in column:
                    continue
                if needle:
                    if padded[i] is None:
                        padded[i] = " " + column.replace(" ", "  ") + " "
                    frequency += self.weights[i] * padded[i].count(needle)
                else:
                    frequency += self.weights[i] * phrase_occurrences(column, terms)
            if frequency:
                total += weight * frequency * (K1 + 1) / (frequency + norm)
        return total

    @cached_property
    def _prepared(self):
        # (terms, their text, what to count in a padded column or "" to split, IDF)
        return tuple((terms, " ".join(terms),
                      "" if overlaps_itself(terms) else spaced(terms), weight)
                     for terms, weight in self.phrases)


# How many rows hold a word is read by walking the word's whole list of rows (fts5vocab):
# at a million articles a very common word costs tens of milliseconds. In a large index
# the counts are kept per process for a while, and read again once the index has grown or
# shrunk by more than CACHE_DRIFT; a count a little old only shifts the weights of words,
# never which results a search finds (every window of one search uses the same model).
CACHE_FROM_ROWS = 50_000
CACHE_SECONDS = 600.0
CACHE_DRIFT = 0.01
CACHE_SIZE = 10_000
_frequencies: dict[tuple[str, str], tuple[int, int, float]] = {}  # -> rows, holding, when


def _cached(key: tuple[str, str], rows: int, now: float) -> int | None:
    entry = _frequencies.get(key)
    if (entry is None or rows < CACHE_FROM_ROWS or now - entry[2] > CACHE_SECONDS
            or abs(rows - entry[0]) > rows * CACHE_DRIFT):
        return None
    return entry[1]


def document_frequencies(cursor, terms: list[str], rows: int) -> dict[str, int]:
    database = str(cursor.db.settings_dict.get("NAME"))
    now = time.monotonic()
    holding = {}
    for term in terms:
        cached = _cached((database, term), rows, now)
        if cached is not None:
            holding[term] = cached
    missing = [term for term in terms if term not in holding]
    if missing:
        marks = ", ".join(["%s"] * len(missing))
        cursor.execute(f"SELECT term, doc FROM {VOCABULARY} WHERE term IN ({marks})", missing)
        found = dict(cursor.fetchall())
        if len(_frequencies) > CACHE_SIZE:
            _frequencies.clear()
        for term in missing:
            holding[term] = found.get(term, 0)
            _frequencies[(database, term)] = (rows, holding[term], now)
    return holding


def load_bm25(cursor, table: str, phrases: list[tuple[str, ...]],
              weights: tuple[float, ...]) -> Bm25:
    """The model for these phrases (each a tuple of indexed terms) from the index's totals
    and vocabulary: small reads, none proportional to the matches' positions."""
    # Made first: its creation saves FTS5's pending totals, which are read next.
    cursor.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {VOCABULARY}"
                   f" USING fts5vocab(main, {table}, row)")
    cursor.execute(f"SELECT block FROM {table}_data WHERE id = %s", (AVERAGES_ROWID,))
    row = cursor.fetchone()
    totals = varints(bytes(row[0])) if row and row[0] else [0]
    rows, tokens = totals[0], sum(totals[1:])
    holding = document_frequencies(
        cursor, sorted({term for phrase in phrases for term in phrase}), rows)
    return Bm25(
        phrases=tuple((phrase, idf(rows, min(holding[term] for term in phrase)))
                      for phrase in phrases),
        weights=weights, average_length=(tokens / rows) if rows and tokens else 1.0)
