"""The per-message "sent" record (digest.sent_records): one narrow row, authoritative
until its batch is folded into the ledger; every reader counts it as sent."""

import logging
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.digest.conftest import make_confirmed
from wiredesk.digest.ledger import claim_batch, pending_count, recover_stale_claims
from wiredesk.digest.models import Delivery, Digest, SentRecord, Subscriber
from wiredesk.digest.selectors import digest_status
from wiredesk.digest.sent_records import note_sent, record_sent, sent_q
from wiredesk.digest.services import digest_plan

pytestmark = pytest.mark.django_db


def planned(site, count: int):
    for n in range(count):
        make_confirmed(site[0], f"rec{n}@example.org")
    digest_plan(force=True)


def test_a_send_is_recorded_by_one_insert_of_a_narrow_row(site, smtp):
    """Not an update of the delivery: its state and time are indexed, so updating them
    rewrites an entry in every one of its indexes (the cost this record avoids)."""
    planned(site, 1)
    token, [held] = claim_batch(size=1)
    with CaptureQueriesContext(connection) as queries:
        record_sent(held, token, timezone.now())
    assert len(queries) == 1
    statement = queries[0]["sql"].replace('"', "")
    assert statement.startswith(f"INSERT INTO {SentRecord._meta.db_table} ")
    assert Delivery.objects.get(pk=held.pk).state == "sending"
    assert SentRecord.objects.get(pk=held.pk).claim_token == token


def test_a_recorded_send_is_sent_for_every_reader_before_its_batch_is_folded(
        site, smtp, settings):
    from wiredesk.digest import bounces
    from wiredesk.digest.figures import figure, with_figures
    from wiredesk.digest.transport import RateLimiter
    from wiredesk.mailreports import HARD, Recipient, Report

    planned(site, 3)
    token, held = claim_batch(size=3)
    when = timezone.now()
    record_sent(held[0], token, when)

    assert Delivery.objects.filter(sent_q()).get().pk == held[0].pk
    deliveries = digest_status()["chile-sun"]["deliveries"]
    assert (deliveries["sent"], deliveries["pending"]) == (1, 2)
    assert pending_count() == 2
    [digest] = with_figures(Digest.objects.filter(edition=site[0]))
    assert figure(digest, "sent") == 1
    settings.WIREDESK_DIGEST_RATE_PER_HOUR = 1  # the hour's one send is this one
    assert not RateLimiter.from_settings(now=timezone.now()).acquire()
    recipient = Recipient(address=held[0].email, action="failed", status="5.1.1",
                          severity=HARD)
    report = Report(kind="bounce", format="rfc3464", recipients=(recipient,))
    assert bounces._match(report, recipient, trusted=True).delivery.pk == held[0].pk

    assert note_sent(token) == 1
    row = Delivery.objects.get(pk=held[0].pk)
    assert (row.state, row.claim_token, row.smtp_code, row.attempts) == ("sent", "", 250, 1)
    assert row.sent_at == when
    assert not SentRecord.objects.exists()
    subscriber = Subscriber.objects.get(pk=held[0].subscriber_id)
    assert (subscriber.last_window_end, subscriber.last_sent_at) == (row.window_end, when)
    # The two never recorded are still held by their claim, untouched by the fold.
    assert set(Delivery.objects.filter(claim_token=token).values_list("state", flat=True)) \
        == {"sending"}
    assert digest_status()["chile-sun"]["deliveries"]["sent"] == 1


def test_a_record_under_a_claim_taken_over_is_not_a_send(site, smtp):
    """A sender whose claim was taken over (it looked dead) may still record: that
    record does not make the delivery sent, the fold says so, and a later send of the
    same delivery under the new claim replaces it."""
    planned(site, 1)
    old_token, [held] = claim_batch(size=1)
    record_sent(held, old_token, timezone.now())
    # The claim is taken over: the delivery goes back to pending and is claimed again.
    Delivery.objects.filter(pk=held.pk).update(state="pending", claim_token="",
                                               claimed_at=None)
    new_token, [again] = claim_batch(size=1)
    assert again.pk == held.pk
    assert not Delivery.objects.filter(sent_q()).exists()
    assert pending_count() == 1

    record_sent(again, new_token, timezone.now())  # replaces the stale record
    assert SentRecord.objects.get().claim_token == new_token
    assert note_sent(old_token) == 0
    assert note_sent(new_token) == 1
    assert Delivery.objects.get(pk=held.pk).state == "sent"


def test_folding_a_record_whose_claim_was_taken_over_is_logged(site, smtp, caplog):
    planned(site, 1)
    token, [held] = claim_batch(size=1)
    record_sent(held, token, timezone.now())
    Delivery.objects.filter(pk=held.pk).update(state="pending", claim_token="",
                                               claimed_at=None)
    with caplog.at_level(logging.ERROR):
        assert note_sent(token) == 0
    assert "1 digest deliveries were sent after their claim was taken over" in caplog.text
    assert not SentRecord.objects.exists()
    assert Delivery.objects.get(pk=held.pk).state == "pending"


def test_the_recovery_drops_records_that_name_no_current_claim(site, smtp):
    planned(site, 2)
    old_token, held = claim_batch(size=2)
    record_sent(held[0], old_token, timezone.now())
    Delivery.objects.filter(pk=held[0].pk).update(state="pending", claim_token="",
                                                  claimed_at=None)
    live_token, _ = claim_batch(size=1)
    record_sent(held[1], old_token, timezone.now())  # held[1] is still under old_token
    # Nothing is stale yet: the live claims' records stay, the orphan goes.
    recover_stale_claims()
    assert list(SentRecord.objects.values_list("delivery_id", flat=True)) == [held[1].pk]
    assert Delivery.objects.get(pk=held[0].pk).claim_token == live_token


def test_the_recovery_folds_a_dead_senders_records_before_it_frees_the_claim(
        site, smtp, settings):
    planned(site, 3)
    token, held = claim_batch(size=3)
    now = timezone.now()
    record_sent(held[0], token, now)
    Delivery.objects.filter(claim_token=token).update(
        claimed_at=now - timedelta(seconds=settings.WIREDESK_DIGEST_CLAIM_TIMEOUT + 1))
    report = recover_stale_claims()
    # The recorded one is sent; of the rest only the lowest id may have been on the wire.
    assert Delivery.objects.get(pk=held[0].pk).state == "sent"
    assert (report.in_flight_resent, report.returned) == (1, 1)
    assert Delivery.objects.get(pk=held[1].pk).resent_after_crash
    assert not SentRecord.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_records_made_on_the_drivers_connection_survive_a_lost_prepared_statement(site, smtp):
    """Outside a transaction, as a sender records: on PostgreSQL through a statement
    prepared once per connection; if it vanishes (other work on the connection deallocated
    every statement, or a pooler handed the next transaction another session), the insert
    is made unprepared, not lost, and the statement prepared again; vanishing a second time,
    it is no longer prepared on that connection."""
    planned(site, 5)
    token, held = claim_batch(size=5)
    now = timezone.now()

    def prepared() -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements"
                           " WHERE name = 'wiredesk_sent_record'")
            return cursor.fetchone()[0] == 1

    def vanish() -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("DEALLOCATE ALL")

    record_sent(held[0], token, now)
    vanish()
    record_sent(held[1], token, now)  # not there: made unprepared
    record_sent(held[2], token, now)  # prepared again
    if connection.vendor == "postgresql":
        assert prepared()
    vanish()
    record_sent(held[3], token, now)
    record_sent(held[4], token, now)
    if connection.vendor == "postgresql":
        assert not prepared()  # a pooler's doing: not tried again
    assert sorted(SentRecord.objects.values_list("delivery_id", flat=True)) == \
        sorted(each.pk for each in held)
    assert set(SentRecord.objects.values_list("sent_at", flat=True)) == {now}
    assert note_sent(token) == 5
