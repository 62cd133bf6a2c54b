"""What the desk has done to an article, as every reader of that state asks it.

Once the desk edits an article's copy (``services.desk_edits``), the agency's later
versions wait as a pending revision instead of replacing it. ``desk_state`` is the one
place that says so, from the stored state, so the CLI, the API and the desk's own pages
never work it out on their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from wiredesk.newsroom.models import Article


@dataclass(frozen=True)
class DeskState:
    desk_edited: bool = False  # the desk changed the copy readers see
    agency_update_pending: bool = False  # the agency sent a version since that edit


def desk_state(article: Article) -> DeskState:
    """The desk's hand on ``article``, from its own row (no query)."""
    return DeskState(desk_edited=article.desk_edited_at is not None,
                     agency_update_pending=article.pending_revision_id is not None)
