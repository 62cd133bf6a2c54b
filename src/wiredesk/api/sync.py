"""Syncing: the change stream (``publishing.changes``) read through signed cursors.

Both ``GET /api/changes`` and ``GET /api/articles?updated_since=`` read it: the articles
changed after a cursor, each once, in the order of its last change, with the state it has
*now* (public, or the reason it is not). A cursor is ``c|epoch|prunes|txid|id`` signed with the
secret key and base64-encoded: opaque to partners, and a forged one is refused (400).
Cursors of the old ``updated_since`` stream (``m|time|id``, never signed) are still taken
and go on from that time.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from django.core import signing
from ninja.errors import HttpError

from wiredesk.api.routers.common import articles_query
from wiredesk.editions.models import Edition
from wiredesk.newsroom.models import Agency, Article
from wiredesk.publishing import changes
from wiredesk.publishing.changes import BEGINNING, Changed, ChangesGone, Position
from wiredesk.publishing.models import ChangeLog

KIND = "c"
_SALT = "wiredesk.api.sync-cursor"
RESYNC = "; sync again from the beginning (no cursor)"


@dataclass(frozen=True)
class State:
    """An article that changed, as it is now: public (``reason`` empty) or not, and why."""

    change: Changed
    article: Article | None
    reason: str  # killed, deleted, held, embargoed, removed; "" when public

    @property
    def status_reason(self) -> str:
        return self.article.status_reason if self.article is not None else ""


@dataclass(frozen=True)
class SyncPage:
    states: list[State]
    cursor: str  # where to go on from, now or later
    more: bool  # more changes are waiting right now


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _unb64(text: str) -> str:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()


def encode_cursor(state: ChangeLog, position: Position) -> str:
    payload = f"{KIND}|{state.epoch}|{state.prunes}|{position.txid}|{position.id}"
    return _b64(signing.Signer(salt=_SALT).sign(payload))


def is_sync_cursor(text: str) -> bool:
    try:
        return _unb64(text).split("|", 1)[0] in (KIND, "m")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return False


def _start(cursor: str) -> tuple[tuple[str, int] | None, Position, datetime | None]:
    """((epoch, prunes), position) of a signed cursor, or the time of an old-stream one."""
    bad = HttpError(400, "cursor: not a cursor this API gave out")
    try:
        text = _unb64(cursor)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise bad from exc
    if text.startswith("m|"):  # the old stream's: it was never signed
        try:
            _kind, moment, _pk = text.split("|")
            when = datetime.fromisoformat(moment)
        except ValueError as exc:
            raise bad from exc
        if when.tzinfo is None:
            raise bad
        return None, BEGINNING, when
    try:
        kind, epoch, prunes, txid, pk = signing.Signer(salt=_SALT).unsign(text).split("|")
        if kind != KIND:
            raise ValueError(kind)
        return (epoch, int(prunes)), Position(int(txid), int(pk)), None
    except (signing.BadSignature, ValueError) as exc:
        raise bad from exc


def read(*, cursor: str = "", since: datetime | None = None, edition: Edition | None = None,
         agency: Agency | None = None, limit: int) -> SyncPage:
    """The next page of changes after ``cursor`` (or since ``since``, or the beginning).

    410 when the log can no longer answer for everything after that point (pruned, or a
    restore since): the partner must start again from the beginning.
    """
    if changes.lifts_due():
        changes.lift_due_embargoes()  # committed before reading, like any other change
    given, position = None, BEGINNING
    if cursor:
        given, position, since = _start(cursor)
    try:
        if since is not None:
            position = changes.position_since(since)
        elif given is not None:
            changes.check_position(position, *given)
        page = changes.changes_after(position, limit=limit,
                                     edition_id=edition.pk if edition else None,
                                     agency_id=agency.pk if agency else None)
        # A prune that committed while the page was read may have taken rows it needed
        # (from the beginning nothing withdrawn is needed).
        state = changes.log_state()
        if given is not None:
            changes.check_position(position, *given)
        elif position != BEGINNING and state.pruned_at and since <= state.pruned_at:
            raise ChangesGone("updated_since is older than the changes kept")
    except ChangesGone as exc:
        raise HttpError(410, f"{exc}{RESYNC}") from exc
    articles = articles_query().in_bulk([c.article_id for c in page.changed])
    states = []
    for change in page.changed:
        article = articles.get(change.article_id)
        carried = {p.edition_id for p in article.placements.all()} if article else set()
        reason = changes.withdrawn_reason(article, carried, edition.pk if edition else None)
        states.append(State(change, article, reason))
    return SyncPage(states, encode_cursor(state, page.end), page.more)
