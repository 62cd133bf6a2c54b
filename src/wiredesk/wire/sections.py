"""Which section an item belongs in: editable category rules first, then a classifier."""

from __future__ import annotations

import hashlib
import io
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np


def _fold(value: str) -> str:
    return " ".join(value.lower().replace("_", " ").replace("-", " ").split())


def section_for(categories: Iterable[str], rules: Mapping[str, Iterable[str]]) -> str:
    """Return the slug of the first section whose aliases match a category, or "".

    ``rules`` maps a section slug to the category names (aliases) it accepts; the
    slug itself always counts as an alias. Categories are tried in feed order, so
    the agency's primary category wins over secondary tags.
    """
    folded_rules = {slug: {_fold(slug), *(_fold(a) for a in aliases if a)}
                    for slug, aliases in rules.items()}
    for category in categories:
        folded = _fold(category)
        for slug, aliases in folded_rules.items():
            if folded in aliases:
                return slug
        # "World News" / "Politics/Europe": look at each word or path part too.
        for part in folded.replace("/", " ").split():
            for slug, aliases in folded_rules.items():
                if part in aliases:
                    return slug
    return ""


# --- the trainable classifier ------------------------------------------------------------
#
# Complement Naive Bayes (Rennie et al., 2003) over hashed, TF-IDF weighted unigrams and
# bigrams: closed-form training (one pass of counting), stable with a few hundred labelled
# articles per section, and small enough to keep in the database. Each installation trains
# it on its own labelled articles; no model trained on third-party data ships with wiredesk.

HASH_BITS = 18
_TOKEN = re.compile(r"[^\W\d_]{2,}", re.U)
_SECTION_STOP_TEXT = """
the a an and or of to in on at for by with from as is are was were be
been it its this that said says has have had will would not but he she they we
his her their who which
"""
_SECTION_STOP = frozenset(_SECTION_STOP_TEXT.split())


def _hashed_terms(text: str) -> Counter[int]:
    tokens = [t for t in _TOKEN.findall(text.lower()[:20_000]) if t not in _SECTION_STOP]
    grams = tokens + [f"{a} {b}" for a, b in itertools.pairwise(tokens)]
    mask = (1 << HASH_BITS) - 1
    return Counter(
        int.from_bytes(hashlib.blake2b(g.encode(), digest_size=4).digest(), "little") & mask
        for g in grams)


@dataclass
class SectionClassifier:
    labels: list[str]
    weights: np.ndarray  # float32 [n_features, n_labels]; lower score wins (complement)
    idf: np.ndarray  # float32 [n_features]
    trained_on: int = 0

    @classmethod
    def train(cls, texts: Sequence[str], labels: Sequence[str], *, alpha: float = 0.3
              ) -> SectionClassifier:
        if len(texts) != len(labels):
            raise ValueError("one label per text")
        names = sorted(set(labels))
        if len(names) < 2:
            raise ValueError("training needs at least two sections with labelled articles")
        index = {name: i for i, name in enumerate(names)}
        size = 1 << HASH_BITS
        docs = [_hashed_terms(t) for t in texts]
        df = np.zeros(size, dtype=np.float64)
        for doc in docs:
            df[np.fromiter(doc.keys(), dtype=np.int64, count=len(doc))] += 1
        idf = np.log((1 + len(docs)) / (1 + df)) + 1.0
        counts = np.zeros((size, len(names)), dtype=np.float64)
        for doc, label in zip(docs, labels, strict=True):
            if not doc:
                continue
            keys = np.fromiter(doc.keys(), dtype=np.int64, count=len(doc))
            values = 1.0 + np.log(np.fromiter(doc.values(), dtype=np.float64, count=len(doc)))
            values *= idf[keys]
            values /= np.sqrt((values * values).sum()) or 1.0
            counts[keys, index[label]] += values
        complement = counts.sum(axis=1, keepdims=True) - counts + alpha
        logs = np.log(complement / complement.sum(axis=0, keepdims=True))
        # Weight normalisation (WCNB) keeps sections with more text from dominating.
        logs /= np.abs(logs).sum(axis=0, keepdims=True)
        return cls(labels=names, weights=logs.astype(np.float32), idf=idf.astype(np.float32),
                   trained_on=len(docs))

    def scores(self, text: str) -> np.ndarray:
        doc = _hashed_terms(text)
        if not doc:
            return np.zeros(len(self.labels), dtype=np.float64)
        keys = np.fromiter(doc.keys(), dtype=np.int64, count=len(doc))
        values = 1.0 + np.log(np.fromiter(doc.values(), dtype=np.float64, count=len(doc)))
        values *= self.idf[keys]
        return -(values @ self.weights[keys].astype(np.float64))

    def predict(self, text: str, *, margin: float = 0.0) -> str:
        """The best section, or "" when the text gives nothing to go on (or too close a call)."""
        scores = self.scores(text)
        if not scores.any():
            return ""
        order = np.argsort(-scores)
        if len(order) > 1 and scores[order[0]] - scores[order[1]] < margin:
            return ""
        return self.labels[int(order[0])]

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        nonzero = np.flatnonzero(np.abs(self.weights).sum(axis=1) > 0)
        np.savez_compressed(buffer, labels=np.array(self.labels), rows=nonzero,
                            weights=self.weights[nonzero], idf=self.idf,
                            trained_on=np.array([self.trained_on]))
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> SectionClassifier:
        with np.load(io.BytesIO(bytes(data)), allow_pickle=False) as archive:
            idf = archive["idf"]
            labels = [str(x) for x in archive["labels"]]
            weights = np.zeros((idf.shape[0], len(labels)), dtype=np.float32)
            weights[archive["rows"]] = archive["weights"]
            return cls(labels=labels, weights=weights, idf=idf,
                       trained_on=int(archive["trained_on"][0]))
