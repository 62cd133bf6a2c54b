"""In-memory stand-ins for the database indexes behind ``wiredesk.wire.similarity``.

The product keeps line counts, document frequencies and story state in indexed tables
(``newsroom/intelligence/``); tests and benchmarks drive the same pure functions through
these dictionaries instead, one process, no database.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from wiredesk.wire import similarity
from wiredesk.wire.similarity import (
    BOILERPLATE_MIN_ITEMS,
    QUERY_TERMS,
    SPLIT_WINDOW,
    Features,
    StoryParams,
    StoryState,
    add_to_centroid,
    best_story,
    cosine,
    query_terms,
    same_event,
    story_from_members,
    story_parts,
    tfidf_vector,
)


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


class InMemoryDocumentFrequencies:
    """How many items carried each term, and how many items there were."""

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
        # Read through the package at each call: tests patch the threshold there.
        if story.size >= similarity.SPLIT_MIN_SIZE:
            self._split(story)
        grown = self.moved[key] if key is not None else story.story_id
        kept = self._merge_fragment(grown, when)
        return kept if story.story_id == grown else story.story_id

    def story_of(self, key: int) -> int:
        return self.moved[key]

    def _merge_fragment(self, story_id: int, when: datetime | None) -> int:
        """Merge the story that just grew with another that reports the same event (the
        one with the closest centroid among those its lookup terms find); the older
        story keeps its id, which is returned."""
        story = self.stories[story_id]
        if not self.params.merge_names or story.size < similarity.MERGE_MIN_SIZE:
            return story_id
        best, best_score = None, self.params.join
        for other in self.candidates(query_terms(story.centroid), when):
            if other.story_id == story_id or other.size < similarity.MERGE_MIN_SIZE:
                continue
            score = cosine(story.centroid, other.centroid)
            if score >= best_score and same_event(self.members[story_id],
                                                  self.members[other.story_id],
                                                  name_agreement=self.params.merge_names,
                                                  year_weight=self.params.year_weight):
                best, best_score = other, score
        if best is None:
            return story_id
        keep, gone = sorted((story_id, best.story_id))
        members = self.members[keep] + self.members.pop(gone)
        keys = self._member_keys[keep] + self._member_keys.pop(gone)
        last_seen = max(filter(None, [story.last_seen, best.last_seen]), default=None)
        del self.stories[gone]
        for stories in self.postings.values():
            stories.discard(gone)
        state = story_from_members(keep, [v for v, _ in members], [a for _, a in members],
                                   last_seen)
        self.stories[keep] = state
        self.members[keep] = members
        self._member_keys[keep] = keys
        for member_key in keys:
            if member_key >= 0:
                self.moved[member_key] = keep
        for term in query_terms(state.centroid, 2 * QUERY_TERMS):
            self.postings.setdefault(term, set()).add(keep)
        return keep

    def _split(self, story: StoryState) -> None:
        members = self.members[story.story_id]
        keys = self._member_keys[story.story_id]
        recent = len(members) - min(len(members), SPLIT_WINDOW)
        parts = story_parts([vector for vector, _ in members[recent:]],
                            [names for _, names in members[recent:]],
                            name_separation=self.params.name_separation,
                            year_weight=self.params.year_weight)
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



class InMemoryRelated:
    """SEE ALSO rows for one process, kept the way ``newsroom.intelligence`` keeps them.

    After each arrival the story it joined is ranked against the stories found through
    its lookup terms (``similarity.story_candidates`` and ``similarity.rank_related``, the
    functions ingest calls); the answer replaces the story's rows, and each story it
    picks learns of it back (:data:`similarity.REVERSE_LINKS`). ``see_also`` is what an
    article of the story shows.
    """

    def __init__(self, stories: InMemoryStories, *, lookup: int = 30, picker=similarity,
                 **rules) -> None:
        self.stories = stories
        self.lookup = lookup
        self.picker = picker  # what has story_candidates and rank_related (an older one)
        self.rules = rules  # rank_related's settings, when a benchmark tries others
        self.rows: dict[int, dict[int, float]] = {}  # story -> {related story: score}

    def _picks(self) -> dict[int, int]:
        counts: Counter[int] = Counter()
        for owner, rows in self.rows.items():
            for story_id in rows:
                if story_id != owner:
                    counts[story_id] += 1
        return counts

    def after_assign(self, story_id: int, *, when: datetime | None = None) -> list:
        """Rank the story that just grew; then rank again each story it picked, so an
        older story learns of the newer one (and of its new centroid)."""
        ranked = self._rank(story_id, when)
        for cand in ranked[:similarity.REVERSE_LINKS]:
            self._rank(cand.story_id, when, also=story_id)
        return ranked

    def _rank(self, story_id: int, when: datetime | None, also: int | None = None) -> list:
        story = self.stories.stories[story_id]
        hits: Counter[int] = Counter()
        for term in query_terms(story.centroid, similarity.RELATED_QUERY_TERMS):
            for other in self.stories.postings.get(term, ()):
                if other != story_id and other in self.stories.stories:
                    hits[other] += 1
        found = [self.stories.stories[s] for s, _ in
                 sorted(hits.items(), key=lambda kv: (-kv[1], kv[0]))[:self.lookup]]
        if also is not None and also not in {s.story_id for s in found}:
            found.append(self.stories.stories[also])  # the story that picked this one
        picks = self._picks()
        # As ingest does, the stories that cannot clear the floor are left out at once
        # (this tree's picker; an older one has no such argument).
        floor = {"floor": (self.rules.get("minimum", similarity.RELATED_FLOOR),
                           self.rules.get("floor_name_weight", similarity.FLOOR_NAME_WEIGHT))
                 } if self.picker is similarity else {}
        ranked = self.picker.rank_related(
            self.picker.story_candidates(story, found, picks=picks, **floor),
            own_story=story_id, now=when, **self.rules)
        self.rows[story_id] = {c.story_id: c.score for c in ranked}
        return ranked

    def see_also(self, story_id: int, *, limit: int = 2) -> list[int]:
        rows = self.rows.get(story_id, {})
        ranked = sorted(((score, s) for s, score in rows.items()
                         if s != story_id and s in self.stories.stories),
                        key=lambda sc: (-sc[0], sc[1]))
        return [s for _, s in ranked[:limit]]
