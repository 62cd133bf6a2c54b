"""The change stream's log: compacted, bounded, and never read past a row still to commit."""

import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from wiredesk.editions.models import Placement
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article
from wiredesk.publishing import changes
from wiredesk.publishing.changes import BEGINNING
from wiredesk.publishing.models import Change, ChangeLog


def rows_of(article):
    return sorted(Change.objects.filter(article_id=article.pk)
                  .values_list("edition_id", flat=True), key=lambda e: e or 0)


@pytest.mark.django_db
def test_one_row_per_article_and_scope_whatever_the_churn(site):
    chile, spanish, plain = site
    article = Article.objects.get(headline="Sport story")
    # Stored, then placed in the editions made after it.
    assert rows_of(article) == [None, chile.pk, spanish.pk, plain.pk]
    for n in range(5):
        article.teaser = f"take {n}"
        article.save()
    # Its own row now tells the editions carrying it.
    assert rows_of(article) == [None]
    Placement.objects.get(article=article, edition=plain).delete()
    assert rows_of(article) == [None, plain.pk]
    page = changes.changes_after(BEGINNING, limit=100, edition_id=plain.pk)
    assert [c.article_id for c in page.changed] == [article.pk]
    assert changes.changes_after(BEGINNING, limit=100, edition_id=chile.pk).changed[-1] \
        .article_id == article.pk


@pytest.mark.django_db
def test_prune_takes_only_withdrawn_articles_rows(site):
    old = Article.objects.get(headline="Old world story")
    killed = Article.objects.get(headline="Sport story")
    services.article_kill(article=killed, reason="rights")
    kept = rows_of(old)
    later = timezone.now() + timedelta(days=40)
    assert changes.prune_changes(now=later, days=30) == 1  # the kill's row
    assert rows_of(killed) == [] and rows_of(old) == kept
    state = ChangeLog.objects.get()
    assert state.prunes == 1 and state.pruned_at is not None
    assert changes.prune_changes(now=later, days=30) == 0
    assert ChangeLog.objects.get().prunes == 1
    # A sync from the beginning is the whole public state, however old.
    everything = changes.changes_after(BEGINNING, limit=100)
    assert {c.article_id for c in everything.changed} == set(
        Article.objects.exclude(pk=killed.pk).values_list("pk", flat=True))


def _raw_row(cursor, article_id):
    cursor.execute("INSERT INTO publishing_change (article_id, edition_id, at, txid, version)"
                   " VALUES (%s, NULL, now(), txid_current(), 1)", [article_id])


@pytest.mark.django_db(transaction=True)
def test_a_row_committed_late_is_never_skipped():
    """PostgreSQL numbers rows when they are written: a transaction that began first and
    commits last has the lower id. A reader must not go past it while it runs."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite writes one transaction at a time")
    slow = connection.copy()
    try:
        with slow.cursor() as cursor:
            cursor.execute("BEGIN")
            _raw_row(cursor, 1001)  # first to write, still running
            with transaction.atomic(), connection.cursor() as fast:
                _raw_row(fast, 1002)  # written after it, committed before it
            first = changes.changes_after(BEGINNING, limit=10)
            assert first.changed == [] and first.end == BEGINNING
            cursor.execute("COMMIT")
        # Both, in order, once no older transaction is running anywhere on the server
        # (other databases' too: transaction ids are the server's).
        deadline = time.monotonic() + 60
        while not (then := changes.changes_after(first.end, limit=10)).changed:
            assert time.monotonic() < deadline, "the rows never came"
            time.sleep(0.2)
        assert [c.article_id for c in then.changed] == [1001, 1002]
    finally:
        slow.close()


@pytest.mark.django_db
@pytest.mark.parametrize("variables", [900, 5])
def test_a_batch_log_is_written_as_the_calls_one_by_one_would(monkeypatch, variables):
    """The batch's log (``PendingLog``, plain SQL, a few articles per statement) deletes
    the rows each call would have replaced and appends the rows in the calls' order."""
    from wiredesk.newsroom.runs import batch
    from wiredesk.publishing import change_batch

    monkeypatch.setattr(change_batch, "_VARIABLES", variables)
    base = 10_000
    stored = [(base + n % 7, scope, 1) for n, scope in enumerate([None, 1, 2, None, 3, 1, 2,
                                                                 None, 2, 5, None, 1, 4])]
    calls = [(base + 1, [None], (2, 3), False), (base + 2, {1, 2}, (), False),
             (base + 3, [None], (), False), (base + 1, {4}, (), False),
             (base + 5, [None], (1, 2, 4, 5), False), (base + 9, [None], (), True),
             (base + 2, [None], (1,), False), (base + 6, {5}, (), False),
             (base + 3, [None], (3,), False)]

    def run(in_batch: bool) -> list:
        Change.objects.all().delete()
        Change.objects.bulk_create([Change(article_id=a, edition_id=e, at=timezone.now(),
                                           version=v) for a, e, v in stored])
        for n, (article_id, scopes, superseded, new) in enumerate(calls):
            if in_batch and n == 0:
                context = batch()
                context.__enter__()
            changes._log(article_id, scopes, version=n, superseded=superseded, new=new)
        if in_batch:
            context.__exit__(None, None, None)
        return list(Change.objects.order_by("id").values_list("article_id", "edition_id",
                                                              "version"))

    assert run(True) == run(False)
