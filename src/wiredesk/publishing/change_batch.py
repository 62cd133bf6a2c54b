"""A batch's change log (``newsroom.runs.batch``: the intelligence stage's turn): the rows
the change stream's ``_log`` calls would have left, kept in memory and written once as
the batch ends, in its transaction, by plain SQL."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from django.db import connection
from django.utils import timezone

from wiredesk.publishing.models import Change


class PendingLog:
    """A batch's change log: the rows its ``_log`` calls would have left, in the order
    they would have been added, and the stored rows they would have deleted."""

    def __init__(self) -> None:
        self.gone: dict[int, set[int | None]] = {}  # stored rows to delete: article, scopes
        self.rows: dict[tuple[int, int | None], tuple[int, int]] = {}  # -> (order, version)
        self.added = 0

    def add(self, article_id: int, scopes: Collection[int | None], *, version: int,
            superseded: Iterable[int], new: bool) -> None:
        if not new:
            replaced = {*scopes, *superseded}
            self.gone.setdefault(article_id, set()).update(replaced)
            for scope in replaced:
                self.rows.pop((article_id, scope), None)
        for scope in sorted(scopes, key=lambda s: -1 if s is None else s):
            self.rows.pop((article_id, scope), None)  # a row added again goes last
            self.added += 1
            self.rows[(article_id, scope)] = (self.added, version)

    def copy(self) -> PendingLog:
        kept = PendingLog()
        kept.gone = {article_id: set(scopes) for article_id, scopes in self.gone.items()}
        kept.rows = dict(self.rows)
        kept.added = self.added
        return kept

    def write(self) -> None:
        """Plain SQL (the ORM building one filter of every article's scopes cost more than
        running it): the statements ``Change.objects.filter(<each article's scopes, or-ed>)
        .delete()`` and ``Change.objects.bulk_create(<the rows in their order>)`` make,
        a few articles at a time."""
        table = Change._meta.db_table
        with connection.cursor() as cursor:
            where: list[str] = []
            params: list = []
            for article_id, scopes in self.gone.items():
                editions = sorted(s for s in scopes if s is not None)
                either = ([f"edition_id IN ({', '.join(['%s'] * len(editions))})"]
                          if editions else [])
                if None in scopes:
                    either.append("edition_id IS NULL")
                if not either:
                    continue
                if where and len(params) + 1 + len(editions) > _VARIABLES:
                    cursor.execute(f"DELETE FROM {table} WHERE {' OR '.join(where)}",  # noqa: S608
                                   params)
                    where, params = [], []
                where.append(f"(article_id = %s AND ({' OR '.join(either)}))")
                params += [article_id, *editions]
            if where:
                cursor.execute(f"DELETE FROM {table} WHERE {' OR '.join(where)}",  # noqa: S608
                               params)
            rows = [(article_id, scope, version) for (article_id, scope), (_order, version)
                    in sorted(self.rows.items(), key=lambda item: item[1][0])]
            if not rows:
                return
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            txid = "txid_current()" if connection.vendor == "postgresql" else "0"
            for start in range(0, len(rows), _ROWS_PER_STATEMENT):
                part = rows[start:start + _ROWS_PER_STATEMENT]
                cursor.execute(
                    f"INSERT INTO {table} (article_id, edition_id, at, txid, version)"  # noqa: S608
                    " VALUES " + ", ".join([f"(%s, %s, %s, {txid}, %s)"] * len(part)),
                    [value for article_id, scope, version in part
                     for value in (article_id, scope, now, version)])


# Under SQLite's limit of variables in one statement (999 before 3.32).
_VARIABLES = 900
_ROWS_PER_STATEMENT = _VARIABLES // 4
