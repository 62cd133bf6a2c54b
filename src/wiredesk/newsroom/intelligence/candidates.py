"""The features of the stored articles a new item is compared with on its full text.

Their sources' repeated lines (boilerplate) are read in one query for all of them, not one
per candidate; and each candidate's features are kept in a small per-process cache while
its copy and its source's repeated lines among its own are what they were when they were
derived, so an article met again by the next copy of its story is not derived again from
its HTML. The features are the same as deriving them afresh: the cache is checked against
both inputs every time. An article's own features, derived as it is enriched, are kept
the same way (``keep``): the copies that follow it within days meet it as a candidate.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from wiredesk.newsroom.intelligence.store import article_text, repeated_lines_of, source_key
from wiredesk.newsroom.models import Article
from wiredesk.wire import similarity

CACHE_SIZE = 512  # about the candidates of a day's busy stories; a few KB each


@dataclass(frozen=True)
class _Derived:
    copy: tuple[str, str]  # headline, body_html: what the features were derived from
    text: str
    short_keys: tuple[int, ...]
    repeated: frozenset[int]
    features: similarity.Features


_cache: OrderedDict[int, _Derived] = OrderedDict()


class _KnownRepeats:
    """A line memory that already knows the answer (read for all candidates at once)."""

    def __init__(self, repeated: frozenset[int]) -> None:
        self._repeated = repeated

    def repeated(self, source: str, keys: Sequence[int]) -> set[int]:
        return set(self._repeated)

    def remember(self, source: str, keys: Sequence[int]) -> None:  # pragma: no cover
        raise AssertionError("candidates are never remembered")


def keep(article: Article, text: str, short_keys: Sequence[int], repeated: Iterable[int],
         features: similarity.Features) -> None:
    """Keep the features just derived for ``article`` from ``text`` (its own HTML's), with
    the keys of its short lines and those of them its source repeats (the line memory's
    answer they were derived with): ``candidate_features`` takes them while its copy and
    that answer are still the same, and derives them afresh otherwise."""
    _cache[article.pk] = _Derived((article.headline, article.body_html), text,
                                  tuple(short_keys), frozenset(repeated) & set(short_keys),
                                  features)
    _cache.move_to_end(article.pk)
    if len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)


def candidate_features(others: Sequence[Article]) -> list[similarity.Features]:
    """The features of each of ``others``, in order, as ``similarity.features`` derives
    them with the database's line memory."""
    texts: dict[int, tuple[str, tuple[int, ...]]] = {}
    wanted: dict[str, set[int]] = {}
    for other in others:
        cached = _cache.get(other.pk)
        if cached is not None and cached.copy == (other.headline, other.body_html):
            texts[other.pk] = (cached.text, cached.short_keys)
        else:
            text = article_text(other)
            _lines, keys = similarity.content_lines(other.headline, text)
            texts[other.pk] = (text, tuple(keys))
        if texts[other.pk][1]:
            wanted.setdefault(source_key(other), set()).update(texts[other.pk][1])
    repeated_by_source = repeated_lines_of(wanted)
    out = []
    for other in others:
        text, keys = texts[other.pk]
        repeated = frozenset(repeated_by_source.get(source_key(other), set()) & set(keys))
        cached = _cache.get(other.pk)
        if (cached is not None and cached.copy == (other.headline, other.body_html)
                and cached.repeated == repeated):
            _cache.move_to_end(other.pk)
            out.append(cached.features)
            continue
        feats, _keys = similarity.features(other.headline, text, source=source_key(other),
                                           memory=_KnownRepeats(repeated))
        _cache[other.pk] = _Derived((other.headline, other.body_html), text, keys, repeated,
                                    feats)
        if len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
        out.append(feats)
    return out
