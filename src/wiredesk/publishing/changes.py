"""The change stream: every change to what is public, in order, for partners that sync.

Written by the receivers that also bump the page cache's stamps (``publishing.receivers``):
an article saved or deleted, placed in an edition or taken out of one. Time alone changes
what is public when an embargo passes; that is logged when it is due
(``lift_due_embargoes``: the ``log-embargo-lifts`` job, and every stream read before it
reads). What the log holds is *that* an article changed, never what it became: a reader
takes each changed article's state as it is now (``withdrawn_reason``), so a partner that
replays from any position ends with exactly the public state.

See ``models.Change`` for the log's shape, and why rows are ordered by transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BigIntegerField, Exists, Expression, F, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from wiredesk.editions.models import Placement
from wiredesk.errors import WiredeskError
from wiredesk.newsroom.models import Article
from wiredesk.newsroom.runs import batched
from wiredesk.publishing.change_batch import PendingLog
from wiredesk.publishing.models import Change, ChangeLog, PendingLift


class ChangesGone(WiredeskError):
    """A position from before the retained log (or before a restore): sync from scratch."""


@dataclass(frozen=True, order=True)
class Position:
    """A place in the log: after it come the rows a reader has not had yet."""

    txid: int
    id: int


BEGINNING = Position(0, 0)


@dataclass(frozen=True)
class Changed:
    """An article that changed after a position, once, with its last change there."""

    article_id: int
    at: datetime
    version: int  # the article's version at that change (all a deleted one has left)


@dataclass(frozen=True)
class ChangePage:
    changed: list[Changed]  # in the order of their last change
    end: Position  # read from here next time
    more: bool  # rows after ``end`` were there already


class _CurrentTxid(Expression):
    """The writing transaction's id on PostgreSQL; 0 on SQLite (one writer at a time)."""

    output_field = BigIntegerField()

    def as_sql(self, compiler, connection):
        if connection.vendor == "postgresql":
            return "txid_current()", []
        return "0", []


# ---------------------------------------------------------------------------------------
# Writing: called by publishing.receivers inside the writer's transaction.


def _scope_q(scopes: Iterable[int | None]) -> Q:
    scopes = set(scopes)
    q = Q(edition_id__in=[s for s in scopes if s is not None])
    if None in scopes:
        q |= Q(edition_id__isnull=True)
    return q


def _log(article_id: int, scopes: Collection[int | None], *, version: int,
         superseded: Iterable[int] = (), new: bool = False) -> None:
    """Append one row per scope and delete the rows they (and ``superseded``) replace
    (a ``new`` article has none: ids are never used twice). In a batch
    (``newsroom.runs.batch``: the intelligence stage's turn) written once for the whole
    batch as it ends, in its transaction."""
    pending = batched("publishing.changes", PendingLog, PendingLog.write)
    if pending is not None:
        pending.add(article_id, scopes, version=version, superseded=superseded, new=new)
        return
    if not new:
        Change.objects.filter(article_id=article_id).filter(
            _scope_q([*scopes, *superseded])).delete()
    now = timezone.now()
    Change.objects.bulk_create([
        Change(article_id=article_id, edition_id=scope, at=now, txid=_CurrentTxid(),
               version=version)
        for scope in sorted(scopes, key=lambda s: -1 if s is None else s)])


def article_changed(article: Article, carried_by: Collection[int], *, created: bool = False,
                    deleted: bool = False) -> None:
    """The article itself was saved (``created``) or deleted; ``carried_by``: its editions.

    Its rows for those editions are superseded: a reader of such an edition takes the
    article's own row, and a later placement change logs a row of its own again.
    """
    _log(article.pk, [None], version=article.version, superseded=carried_by, new=created)
    # An embargo later lifted or moved into the past leaves its lift behind: logged when
    # due, it is one more row of the article, which is harmless.
    if (not deleted and article.embargo_until is not None
            and article.embargo_until > timezone.now()):
        PendingLift.objects.bulk_create(
            [PendingLift(article_id=article.pk, due_at=article.embargo_until)],
            update_conflicts=True, unique_fields=["article_id"], update_fields=["due_at"])


def placements_changed(article_id: int, edition_ids: Iterable[int], *, version: int) -> None:
    """The article was placed in these editions or taken out of them."""
    scopes = set(edition_ids)
    if scopes:
        _log(article_id, scopes, version=version)


def lift_due_embargoes(*, now: datetime | None = None) -> int:
    """Log the articles whose embargo has passed; how many. Idempotent: a lift is logged
    and forgotten in one transaction, and two lifters never take the same one."""
    now = now or timezone.now()
    lifted = 0
    while True:
        with transaction.atomic():
            due = list(PendingLift.objects.select_for_update(skip_locked=True)
                       .filter(due_at__lte=now).order_by("due_at")[:500])
            if not due:
                return lifted
            versions = dict(Article.objects.filter(pk__in=[d.article_id for d in due])
                            .values_list("pk", "version"))
            for lift in due:
                _log(lift.article_id, [None], version=versions.get(lift.article_id, 0))
            PendingLift.objects.filter(pk__in=[d.pk for d in due]).delete()
            lifted += len(due)


def lifts_due(*, now: datetime | None = None) -> bool:
    return PendingLift.objects.filter(due_at__lte=now or timezone.now()).exists()


# ---------------------------------------------------------------------------------------
# Reading.


def log_state() -> ChangeLog:
    state = ChangeLog.objects.filter(pk=1).first()
    if state is None:
        state, _ = ChangeLog.objects.get_or_create(
            pk=1, defaults={"epoch": secrets.token_hex(4), "started_at": timezone.now()})
    return state


def _after(position: Position) -> Q:
    return Q(txid__gt=position.txid) | Q(txid=position.txid, id__gt=position.id)


def stable_rows():
    """Rows no future commit can land before.

    PostgreSQL hands out row ids when rows are written, not when they commit: a row of a
    transaction still running may later appear before rows already read. So a reader
    takes only rows of transactions older than the oldest still running. A reader inside
    a transaction of its own that wrote rows (a test) sees those too; the API reads
    outside any transaction, after the embargo lifts it logs have committed.
    """
    rows = Change.objects.all()
    if connection.vendor == "postgresql":
        rows = rows.filter(
            Q(txid__lt=RawSQL("txid_snapshot_xmin(txid_current_snapshot())", []))
            | Q(txid=RawSQL("txid_current_if_assigned()", [])))
    return rows


def check_position(position: Position, epoch: str, prunes: int) -> None:
    """Refuse a position the log can no longer answer for completely: one given out
    before a prune that took rows after it (``epoch`` and ``prunes`` as they were then).

    A position given out since the last prune is good wherever it is: its reader began
    after that prune, or went past the pruned rows before it, or was refused then.
    """
    state = log_state()
    if epoch != state.epoch:
        raise ChangesGone("this cursor is from before the database was restored")
    if prunes != state.prunes and position < Position(state.pruned_txid, state.pruned_id):
        raise ChangesGone("this cursor is older than the changes kept "
                          f"({settings.WIREDESK_CHANGES_RETENTION_DAYS} days)")


def position_since(moment: datetime) -> Position:
    """Where a sync that last saw the state at ``moment`` goes on from.

    A moment at or before the log's start is the beginning; one before the last pruned
    change is refused. Rows are ordered by transaction, not by time: the position is the
    one before the first row at or after ``moment``, and a few rows before the moment
    may come again (harmless: a reader gets states, not events).
    """
    state = log_state()
    if moment <= state.started_at:
        return BEGINNING
    if state.pruned_at is not None and moment <= state.pruned_at:
        raise ChangesGone("updated_since is older than the changes kept "
                          f"({settings.WIREDESK_CHANGES_RETENTION_DAYS} days)")
    first = (stable_rows().filter(at__gte=moment).order_by("txid", "id")
             .values_list("txid", "id").first())
    if first is None:
        return head()
    return Position(first[0], first[1] - 1)


def head() -> Position:
    """The position after every row a reader can take now."""
    last = stable_rows().order_by("-txid", "-id").values_list("txid", "id").first()
    return Position(*last) if last else BEGINNING


def changes_after(position: Position, *, limit: int, edition_id: int | None = None,
                  agency_id: int | None = None) -> ChangePage:
    """The articles that changed after ``position``, each once, in the order of their last
    change: at most ``limit`` of them. With ``edition_id``, the changes of that edition:
    placements in and out of it, and changes of the articles it carries now (an article it
    no longer carries came with the row of its removal)."""
    # Up to the head as it is now: when no row up there is this reader's, it goes on from
    # the head next time instead of sifting the same rows of other editions again.
    upto = head()
    rows = stable_rows().filter(_after(position)).exclude(_after(upto))
    if edition_id is not None:
        carried = Exists(Placement.objects.filter(article_id=OuterRef("article_id"),
                                                  edition_id=edition_id))
        rows = rows.filter(Q(edition_id=edition_id) | Q(carried, edition_id__isnull=True))
    if agency_id is not None:
        # An article never changes agency; a deleted one may have been this agency's.
        rows = rows.filter(Exists(Article.objects.filter(pk=OuterRef("article_id"),
                                                         agency_id=agency_id))
                           | ~Exists(Article.objects.filter(pk=OuterRef("article_id"))))
    rows = rows.order_by("txid", "id").values_list("txid", "id", "article_id", "at", "version")
    changed: dict[int, Changed] = {}
    end = position
    batch = max(limit * 2, 50)
    while True:
        chunk = list(rows.filter(_after(end))[:batch])
        for txid, pk, article_id, at, version in chunk:
            if article_id not in changed and len(changed) >= limit:
                return ChangePage(list(changed.values()), end, more=True)
            before = changed.pop(article_id, None)  # once, at its last change
            if before is not None:
                version = max(version, before.version)
            changed[article_id] = Changed(article_id, at, version)
            end = Position(txid, pk)
        if len(chunk) < batch:
            return ChangePage(list(changed.values()), max(end, upto), more=False)


def withdrawn_reason(article: Article | None, carried_in: Collection[int],
                     edition_id: int | None = None, *, now: datetime | None = None) -> str:
    """Why an article is not public (in that edition, or in any): "" when it is.

    The same rule as ``editions.selectors.public_q``, for one article in hand.
    """
    if article is None:
        return "deleted"
    if article.status == Article.Status.KILLED:
        return "killed"
    if article.status in (Article.Status.HELD, Article.Status.DRAFT):
        return "held"  # a draft is logged only once published; "held" if ever asked
    if article.embargo_until is not None and article.embargo_until > (now or timezone.now()):
        return "embargoed"
    if (edition_id not in carried_in) if edition_id is not None else not carried_in:
        return "removed"
    return ""


# ---------------------------------------------------------------------------------------
# Keeping the log bounded.


def prune_changes(*, now: datetime | None = None, days: int | None = None) -> int:
    """Delete the rows of articles withdrawn (in that scope) longer than the retention ago.

    Rows of public articles stay, however old: they are the snapshot a sync from the
    beginning replays. Positions before the highest pruned one are refused from then on.
    """
    now = now or timezone.now()
    days = settings.WIREDESK_CHANGES_RETENTION_DAYS if days is None else days
    cutoff = now - timedelta(days=days)
    pruned, position = 0, BEGINNING
    while True:
        chunk = list(Change.objects.filter(_after(position), at__lt=cutoff)
                     .order_by("txid", "id")[:1000])
        if not chunk:
            return pruned
        position = Position(chunk[-1].txid, chunk[-1].id)
        ids = {row.article_id for row in chunk}
        articles = Article.objects.only("status", "embargo_until").in_bulk(ids)
        carried: dict[int, set[int]] = {}
        for article_id, edition_id in Placement.objects.filter(
                article_id__in=ids).values_list("article_id", "edition_id"):
            carried.setdefault(article_id, set()).add(edition_id)
        doomed = [row for row in chunk
                  if withdrawn_reason(articles.get(row.article_id),
                                      carried.get(row.article_id, set()), row.edition_id,
                                      now=now)]
        if not doomed:
            continue
        last = max(doomed, key=lambda row: (row.txid, row.id))
        with transaction.atomic():
            state = log_state()
            Change.objects.filter(pk__in=[row.pk for row in doomed]).delete()
            mark = max(Position(state.pruned_txid, state.pruned_id), Position(last.txid, last.id))
            latest = max(row.at for row in doomed)
            ChangeLog.objects.filter(pk=state.pk).update(
                pruned_txid=mark.txid, pruned_id=mark.id, prunes=F("prunes") + 1,
                pruned_at=max(latest, state.pruned_at) if state.pruned_at else latest)
        pruned += len(doomed)


def restart_after_restore() -> None:
    """A restored database went back in time: every cursor given out since is refused.

    The restored rows go before any new one (a restore into another PostgreSQL cluster
    starts its transaction ids again), and ``updated_since`` before now is refused too.
    """
    now = timezone.now()
    state = log_state()
    Change.objects.exclude(txid=0).update(txid=0)
    ChangeLog.objects.filter(pk=state.pk).update(epoch=secrets.token_hex(4), pruned_txid=0,
                                                 pruned_id=0, pruned_at=now)
