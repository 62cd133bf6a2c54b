"""What the desk has done to an article, as every reader of that state asks it.

There is no desk edit yet: an article is what its agency last sent. ``desk_state`` is the
one place that says otherwise once the desk can edit agency copy (issue 14, item 2), so
the CLI, the API and the desk's own pages never work it out on their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from wiredesk.newsroom.models import Article


@dataclass(frozen=True)
class DeskState:
    desk_edited: bool = False  # the desk changed the copy readers see
    agency_update_pending: bool = False  # the agency sent a version since that edit


def desk_state(article: Article) -> DeskState:
    """The desk's hand on ``article``: none until desk edits are stored."""
    return DeskState()
