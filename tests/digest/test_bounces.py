"""Bounces and complaints: the VERP return path, reports from a real IMAP/POP3 mailbox
matched to their deliveries, the suppression list the sender obeys."""

import pytest

from tests import bounce_samples as samples
from tests.digest.conftest import make_confirmed
from wiredesk.cli import main
from wiredesk.digest import bounces
from wiredesk.digest.models import BounceEvent, Delivery, Subscriber, Suppression
from wiredesk.digest.sending import send_pending
from wiredesk.digest.services import digest_plan, subscriber_confirm, subscriber_subscribe
from wiredesk.mailreports import parse_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def verp(settings):
    settings.WIREDESK_BOUNCE_ADDRESS = "bounces@wiredesk.example"
    settings.WIREDESK_SOFT_BOUNCE_LIMIT = 2


def send_now():
    digest_plan(force=True)
    return send_pending()


def original_of(smtp, email: str) -> samples.Original:
    """What the reader's digest went out with: its return path and Message-ID."""
    [received] = smtp.to(email)
    return samples.Original(recipient=email, message_id=received.message["Message-ID"],
                            return_path=received.mail_from,
                            sender="news@wiredesk.example")


def test_the_return_token_names_its_delivery_and_cannot_be_forged(verp):
    token = bounces.return_token(123456)
    assert token == token.lower() and len(token) < 30
    assert bounces.read_return_token(token) == 123456
    assert bounces.read_return_token(token.upper()) == 123456  # an MTA folded the case
    assert bounces.read_return_token(bounces.return_token(7).replace("d7", "d8")) is None
    for forged in ("", "d1-", "dzz-0000000000000000", "x1-abc", "d" + "9" * 50 + "-0"):
        assert bounces.read_return_token(forged) is None
    assert bounces.return_path(5) == f"bounces+{bounces.return_token(5)}@wiredesk.example"


def test_without_a_bounce_address_the_envelope_is_the_editions(site, smtp, settings):
    settings.WIREDESK_BOUNCE_ADDRESS = ""
    make_confirmed(site[0], "reader@example.org")
    assert send_now().sent == 1
    assert smtp.to("reader@example.org")[0].mail_from == "news@wiredesk.example"


def test_each_digest_goes_out_with_its_own_verp_return_path(site, smtp, verp):
    chile, _ = site
    make_confirmed(chile, "a@example.org")
    make_confirmed(chile, "b@example.org")
    assert send_now().sent == 2
    for email in ("a@example.org", "b@example.org"):
        [received] = smtp.to(email)
        local, _, domain = received.mail_from.partition("@")
        assert domain == "wiredesk.example" and local.startswith("bounces+")
        delivery = Delivery.objects.get(pk=bounces.read_return_token(local.partition("+")[2]))
        assert delivery.email == email
        assert received.message["Message-ID"] == delivery.message_id


def test_the_sender_skips_suppressed_addresses(site, smtp, verp):
    chile, euro = site
    make_confirmed(chile, "gone@example.org")
    make_confirmed(euro, "gone@example.org")
    make_confirmed(chile, "fine@example.org")
    bounces.suppression_add(email="Gone@Example.org", reason=Suppression.Reason.MANUAL)
    report = send_now()
    assert report.sent == 1 and report.skipped == 2
    assert smtp.to("gone@example.org") == []
    skipped = Delivery.objects.filter(email="gone@example.org")
    assert {d.state for d in skipped} == {Delivery.State.SKIPPED}
    assert all("suppressed (manual)" in d.last_error for d in skipped)


@pytest.mark.parametrize("scheme", ["imap", "pop3s"])
def test_fetch_reads_the_mailbox_matches_and_acts(scheme, site, smtp, verp, settings,
                                                  mailbox_server, mailbox_user, capsys,
                                                  monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(mailbox_server.ca_file))
    chile, _ = site
    for email in ("hard@example.org", "complainer@example.org", "slow@example.org",
                  "full@example.org"):
        make_confirmed(chile, email)
    assert send_now().sent == 4
    hard, complainer, slow, full = (original_of(smtp, e) for e in (
        "hard@example.org", "complainer@example.org", "slow@example.org", "full@example.org"))
    for data in (samples.postfix_hard(hard), samples.arf_aol_redacted(complainer),
                 samples.exim_delay(slow), samples.exchange_mailbox_full(full),
                 samples.spam(), samples.out_of_office(hard), b"\x00\xff not mail at all",
                 samples.qmail() + b"X" * 2_000_000):
        mailbox_server.add_message(data, user=mailbox_user)
    settings.WIREDESK_BOUNCE_MAILBOX = mailbox_server.url(scheme, user=mailbox_user)

    assert main(["bounces", "fetch"]) == 0
    assert "8 read: 1 hard, 2 soft, 1 complaints, 4 unmatched" in capsys.readouterr().out
    assert mailbox_server.messages(user=mailbox_user) == []  # each read once

    suppressed = dict(Suppression.objects.values_list("email", "reason"))
    assert suppressed == {"hard@example.org": "hard-bounce",
                          "complainer@example.org": "complaint"}
    status = dict(Subscriber.objects.values_list("email", "status"))
    assert status["hard@example.org"] == Subscriber.Status.BOUNCING
    assert status["complainer@example.org"] == Subscriber.Status.UNSUBSCRIBED
    assert status["slow@example.org"] == status["full@example.org"] == "confirmed"
    events = {e.email: e for e in BounceEvent.objects.exclude(kind="unmatched")}
    assert events["hard@example.org"].status == "5.1.1"
    assert events["hard@example.org"].matched_by == "return-path"
    assert events["complainer@example.org"].kind == "complaint"
    assert events["slow@example.org"].kind == events["full@example.org"].kind == "soft"
    unmatched = BounceEvent.objects.filter(kind="unmatched")
    assert unmatched.count() == 4 and all(e.error for e in unmatched)
    assert any("You have WON" in e.report_subject for e in unmatched)

    # The same mail delivered again (a crash before the deletion) changes nothing.
    mailbox_server.add_message(samples.postfix_hard(hard), user=mailbox_user)
    assert main(["bounces", "fetch"]) == 0
    assert "1 read: 0 hard, 0 soft, 0 complaints, 0 unmatched, 1 seen before" in \
        capsys.readouterr().out
    assert Subscriber.objects.get(email="hard@example.org").bounce_count == 1


def test_a_report_without_our_token_is_matched_by_message_id(site, smtp, verp):
    make_confirmed(site[0], "reader@example.org")
    send_now()
    original = original_of(smtp, "reader@example.org")
    rewritten = samples.Original(recipient=original.recipient,
                                 message_id=original.message_id,
                                 return_path="srs0=ab12=cd=wiredesk.example=x@fwd.example")
    outcome = bounces.record_report(report=parse_report(samples.gmail_dsn(rewritten),
                                                        verp_local_part="bounces"),
                                    source="mailbox", fingerprint="t1")
    assert outcome.hard == 1
    assert BounceEvent.objects.get(fingerprint="t1").matched_by == "message-id"


def test_a_forged_bounce_naming_a_reader_suppresses_nobody(site, smtp, verp):
    make_confirmed(site[0], "victim@example.org")
    send_now()
    forged = samples.Original(recipient="victim@example.org",
                              message_id="<digest.1.1.000000000000@wiredesk.example>",
                              return_path="bounces+d1-0000000000000000@wiredesk.example")
    outcome = bounces.record_report(report=parse_report(samples.postfix_hard(forged),
                                                        verp_local_part="bounces"),
                                    source="mailbox", fingerprint="forged")
    assert outcome.hard == 0 and outcome.unmatched == 1
    assert not Suppression.objects.exists()
    assert Subscriber.objects.get(email="victim@example.org").status == "confirmed"


def test_soft_bounces_suppress_after_the_limit_of_deliveries(site, smtp, verp):
    subscriber = make_confirmed(site[0], "flaky@example.org")
    send_now()
    original = original_of(smtp, "flaky@example.org")
    report = parse_report(samples.postfix_delay(original), verp_local_part="bounces")
    bounces.record_report(report=report, source="mailbox", fingerprint="s1")
    # A second report on the same delivery is the same trouble, not a second one.
    bounces.record_report(report=report, source="mailbox", fingerprint="s2")
    assert not Suppression.objects.exists()
    other = Delivery.objects.get(subscriber=subscriber)
    other.pk, other.message_id = None, "<digest.other@wiredesk.example>"
    other.digest = type(other.digest).objects.create(edition=site[0],
                                                     issue_date="2020-01-01")
    other.save()
    second = samples.Original(recipient="flaky@example.org", message_id=other.message_id,
                              return_path="nobody@example.org")
    outcome = bounces.record_report(
        report=parse_report(samples.exim_delay(second), verp_local_part="bounces"),
        source="mailbox", fingerprint="s3")
    assert outcome.suppressed == 1
    row = Suppression.objects.get(email="flaky@example.org")
    assert row.reason == "soft-bounces" and "2 soft bounces" in row.detail


def test_confirming_a_new_signup_lifts_a_bounce_or_complaint_not_an_operators(site):
    chile, _ = site
    bounces.suppression_add(email="back@example.org", reason="hard-bounce")
    bounces.suppression_add(email="forgiving@example.org", reason="complaint")
    bounces.suppression_add(email="banned@example.org", reason="manual")
    for email in ("back@example.org", "forgiving@example.org", "banned@example.org"):
        subscriber_subscribe(edition=chile, email=email)
        subscriber_confirm(subscriber=Subscriber.objects.get(email=email))
    assert list(Suppression.objects.values_list("email", flat=True)) == ["banned@example.org"]


def test_a_message_that_cannot_be_stored_stays_in_the_mailbox(site, verp, settings,
                                                               mailbox_server, mailbox_user,
                                                               monkeypatch):
    mailbox_server.add_message(samples.qmail(), user=mailbox_user)
    settings.WIREDESK_BOUNCE_MAILBOX = mailbox_server.url("imap", user=mailbox_user)

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(bounces, "record_report", broken)
    report = bounces.bounces_fetch()
    assert report.failed == 1 and "left for the next run" in report.summary()
    assert len(mailbox_server.messages(user=mailbox_user)) == 1


def test_fetch_without_a_mailbox_or_with_a_dead_one_is_a_clear_error(settings, capsys):
    settings.WIREDESK_BOUNCE_MAILBOX = ""
    assert main(["bounces", "fetch"]) == 2
    assert "WIREDESK_BOUNCE_MAILBOX" in capsys.readouterr().err
    from tests.mailbox_server import _free_port

    settings.WIREDESK_BOUNCE_MAILBOX = f"imap://u:p@127.0.0.1:{_free_port()}/INBOX"
    assert main(["bounces", "fetch"]) == 2
    err = capsys.readouterr().err
    assert "cannot read imap://u@127.0.0.1" in err and ":p@" not in err


def test_list_suppress_unsuppress_and_csv(capsys):
    assert main(["bounces", "suppress", "Someone@Example.org", "--note", "asked by phone"]) == 0
    assert "someone@example.org suppressed" in capsys.readouterr().out
    bounces.suppression_add(email="x@example.org", reason="complaint", detail='said "spam"')
    assert main(["bounces", "list", "--csv"]) == 0
    import csv
    import io

    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["email", "reason", "detail", "source", "created_at"]
    assert [r[:4] for r in rows[1:]] == [
        ["someone@example.org", "manual", "asked by phone", "cli"],
        ["x@example.org", "complaint", 'said "spam"', ""]]
    assert main(["bounces", "unsuppress", "someone@example.org"]) == 0
    assert main(["bounces", "list", "--reason", "manual"]) == 0
    assert "0 suppressed" in capsys.readouterr().err


def test_the_admin_lists_and_exports_the_suppression_list(admin_client):
    bounces.suppression_add(email="a@example.org", reason="hard-bounce", detail="5.1.1 gone")
    bounces.suppression_add(email="b@example.org", reason="complaint")
    page = admin_client.get("/admin/digest/suppression/")
    assert page.status_code == 200
    assert b"a@example.org" in page.content and b"b@example.org" in page.content
    ids = list(Suppression.objects.values_list("pk", flat=True))
    response = admin_client.post("/admin/digest/suppression/", {
        "action": "export_csv", "_selected_action": ids})
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    assert text.splitlines()[0] == "email,reason,detail,source,created_at"
    assert "a@example.org,hard-bounce,5.1.1 gone" in text
    assert admin_client.get("/admin/digest/bounceevent/").status_code == 200


def test_the_fetch_job_runs_only_where_a_mailbox_is_set(settings):
    from wiredesk import jobs
    from wiredesk.core.taskqueue import task_named

    settings.WIREDESK_BOUNCE_MAILBOX = ""
    assert "fetch-bounces" not in {j.name for j in jobs.default_jobs()}
    settings.WIREDESK_BOUNCE_MAILBOX = "imap://u:p@127.0.0.1:1/INBOX"
    assert "fetch-bounces" in {j.name for j in jobs.default_jobs()}
    assert task_named("digest.fetch_bounces")


def test_a_relays_refusal_of_the_address_suppresses_at_once(site, smtp, verp):
    chile, _ = site
    make_confirmed(chile, "nobody@example.org")
    make_confirmed(chile, "blocked@example.org")
    smtp.reject("nobody@example.org", "550 5.1.1 <nobody@example.org>: no such user")
    smtp.reject("blocked@example.org", "550 5.7.1 message refused as spam")
    assert send_now().failed == 2
    row = Suppression.objects.get()
    assert (row.email, row.reason, row.source) == ("nobody@example.org", "hard-bounce", "smtp")
    status = dict(Subscriber.objects.values_list("email", "status"))
    assert status == {"nobody@example.org": "bouncing", "blocked@example.org": "confirmed"}


def test_erasing_a_reader_erases_the_reports_about_them_but_keeps_the_suppression(site):
    from wiredesk.digest.services import subscriber_erase
    from wiredesk.mailreports import Recipient, Report

    subscriber = make_confirmed(site[0], "leaving@example.org")
    report = Report(kind="bounce", format="ses", recipients=(Recipient(
        address="leaving@example.org", action="failed", status="5.1.1", severity="hard"),))
    bounces.record_report(report=report, source="ses", fingerprint="e1", trusted=True)
    assert BounceEvent.objects.filter(email="leaving@example.org").exists()
    subscriber_erase(subscriber=subscriber)
    assert not BounceEvent.objects.filter(email="leaving@example.org").exists()
    assert Suppression.objects.filter(email="leaving@example.org").exists()


def test_the_fetch_job_reads_the_mailbox_and_says_so_when_it_cannot(
        site, verp, settings, mailbox_server, mailbox_user, caplog):
    from tests.mailbox_server import _free_port
    from wiredesk.core.taskqueue import Idle, task_named

    job = task_named("digest.fetch_bounces")
    settings.WIREDESK_BOUNCE_MAILBOX = mailbox_server.url("imap", user=mailbox_user)
    assert isinstance(job.run(), Idle)  # an empty mailbox: a quiet turn
    mailbox_server.add_message(samples.spam(), user=mailbox_user)
    assert job.run().startswith("1 read: ")
    settings.WIREDESK_BOUNCE_MAILBOX = f"imap://u:p@127.0.0.1:{_free_port()}/INBOX"
    assert job.run().startswith("bounce mailbox not read: cannot read imap://u@127.0.0.1")
