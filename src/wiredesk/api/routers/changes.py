"""The change stream: what changed in what is public, for partners that keep a copy."""

from __future__ import annotations

from ninja import Query, Router

from wiredesk.api import schemas, sync
from wiredesk.api.routers.common import edition_param, text_param

router = Router()


class ChangeFilters(schemas.Schema):
    cursor: str | None = None
    edition: str | None = None
    limit: int = schemas.Field(default=100, ge=1, le=500)


def _action(state: sync.State) -> str:
    if state.reason in ("killed", "deleted"):
        return "kill"
    if state.reason:
        return "unpublish"
    return "update" if state.article.version > 1 else "publish"


@router.get("/changes", response={200: schemas.ChangesPage, 400: schemas.ErrorOut,
                                  404: schemas.ErrorOut, 410: schemas.ErrorOut},
            tags=["articles"])
def list_changes(request, filters: Query[ChangeFilters]):
    """What changed after `cursor` (no cursor: from the beginning), oldest change first.

    Each changed article comes once, with what it is now: `publish`/`update` (public:
    fetch `/api/articles/{id}`), `kill` or `unpublish` (not public: drop it). Replaying
    from the beginning, or from any `next` this endpoint gave, ends with exactly the
    public articles (of `edition`, or of every edition). Keep `next` and ask again later.
    410: the cursor is older than the changes kept: start again without one.
    """
    edition = edition_param(filters.edition)
    page = sync.read(cursor=text_param(filters.cursor, "cursor", 200), edition=edition,
                     limit=filters.limit)
    return {"items": [{"id": s.change.article_id, "action": _action(s),
                       "version": s.article.version if s.article else s.change.version,
                       "at": s.change.at, "reason": s.reason or None,
                       "status_reason": s.status_reason} for s in page.states],
            "next": page.cursor, "has_more": page.more}

