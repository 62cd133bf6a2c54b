"""Related stories ("SEE ALSO"): other stories ranked by similarity, recency and section."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


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
