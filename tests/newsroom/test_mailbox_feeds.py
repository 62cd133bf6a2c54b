"""Mailbox feeds against a real IMAP server (Dovecot, tests/mailbox_server.py): agency copy
in the body or attached, each message taken once; spam, loops and huge mail recorded and
skipped; the same identity rules and error record as any feed."""

import json
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
from django.utils import timezone

from tests.newsroom.test_drop_folders import NITF
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article, Feed, Intake

pytestmark = [pytest.mark.django_db]

AGENCY = "desk@agency.example"


def message(subject: str, body: str = "", *, html: str = "", sender: str = AGENCY,
            attachments=(), headers=None, message_id: str = "") -> bytes:
    mail = EmailMessage()
    mail["From"] = f"Agency Desk <{sender}>"
    mail["To"] = "copy@wiredesk.example"
    mail["Subject"] = subject
    mail["Date"] = format_datetime(timezone.now() - timedelta(minutes=5))
    mail["Message-ID"] = message_id or make_msgid(domain="agency.example")
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(body or f"{subject}: officials said on Saturday that the work would go "
                     "on through the night.\n\nThe harbour master said the channel would "
                     "reopen to ferries by Monday morning.")
    if html:
        mail.add_alternative(html, subtype="html")
    for name, data, maintype, subtype in attachments:
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return bytes(mail)


@pytest.fixture
def mailbox(mailbox_server, mailbox_user):
    def deliver(data: bytes) -> None:
        mailbox_server.add_message(data, user=mailbox_user)

    deliver.url = lambda scheme="imap", query="": mailbox_server.url(
        scheme, user=mailbox_user, query=query)
    deliver.server = mailbox_server
    deliver.user = mailbox_user
    return deliver


def poll(feed):
    feed.refresh_from_db()
    return services.feed_poll(feed)


def test_copy_in_the_body_or_attached_is_stored_once(mailbox):
    feed = services.feed_add(source=mailbox.url(), agency=services.agency_ensure(code="AGY"))
    assert feed.transport == Feed.Transport.IMAP
    mailbox(message("Ferries return to the harbour"))
    mailbox(message("Bridge inspection finished", html=(
        "<p>Bridge inspection finished on Saturday, engineers said, and the bridge "
        "reopens to traffic in the morning.</p><script>alert(1)</script>")))
    json_feed = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "wire",
                            "items": [{"id": "jf-1", "title": "Rail line reopens",
                                       "content_html": "<p>The rail line reopened on "
                                       "Saturday after repairs to the signals.</p>"}]})
    mailbox(message("Today's copy", body="Please find today's copy attached.", attachments=[
        ("harbour.xml", NITF, "application", "xml"),
        ("wire.json", json_feed.encode(), "application", "json"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 100, "image", "jpeg"),
    ]))
    report = poll(feed)
    assert report.created == 4 and report.errors == []
    headlines = set(Article.objects.values_list("headline", flat=True))
    assert headlines == {"Ferries return to the harbour", "Bridge inspection finished",
                         "Harbour reopens after storm", "Rail line reopens"}
    bridge = Article.objects.get(headline="Bridge inspection finished")
    assert "<script" not in bridge.body_html and "engineers said" in bridge.body_html
    ferries = Article.objects.get(headline="Ferries return to the harbour")
    assert ferries.body_html.count("<p>") == 2  # the sender's paragraphs
    cover = Intake.objects.get(feed=feed, name__contains="Today's copy")
    assert cover.articles == 2 and "photo.jpg: image/jpeg, not a wire format" in cover.detail
    # Taken once: the next poll finds nothing new, and the messages are marked read.
    assert poll(feed).nothing_new
    assert Intake.objects.filter(feed=feed).count() == 3
    assert all(b"\\Seen" in flags for flags in _flags(mailbox))
    mailbox(message("Late copy"))
    assert poll(feed).created == 1


def _flags(mailbox) -> list[bytes]:
    import imaplib

    imap = imaplib.IMAP4("127.0.0.1", mailbox.server.ports["imap"])
    imap.login(mailbox.user, "secret")
    imap.select("INBOX", readonly=True)
    _status, data = imap.fetch("1:*", "(FLAGS)")
    imap.logout()
    return [line for line in data if isinstance(line, bytes)]


def test_spam_loops_and_huge_mail_are_recorded_and_skipped(mailbox, settings):
    settings.WIREDESK_MAIL_MAX_BYTES = 200_000
    settings.WIREDESK_FETCH_MAX_BYTES = 50_000
    feed = services.feed_add(source=mailbox.url(), agency=services.agency_ensure(code="AGY"))
    mailbox(message("Cheap watches", headers={"X-Spam-Flag": "YES"}))
    mailbox(message("Out of office", headers={"Auto-Submitted": "auto-replied"}))
    mailbox(message("Automatic reply: Today's copy"))
    mailbox(message("Your daily digest", sender="news@localhost"))  # our own, come back
    mailbox(message("Undelivered Mail", sender="MAILER-DAEMON@mail.example"))
    mailbox(message("Huge", attachments=[("big.bin", b"x" * 300_000, "application",
                                          "octet-stream")]))
    mailbox(message("Big attachment", attachments=[
        ("big.xml", b"<rss>" + b" " * 60_000 + b"</rss>", "application", "xml"),
        ("small.xml", NITF, "application", "xml")]))
    from tests.wire.test_mail import nested

    mailbox(nested(1200))  # built to break mail parsers: refused, and the rest go on
    mailbox(message("Real copy"))
    report = poll(feed)
    assert report.created == 2
    assert set(Article.objects.values_list("headline", flat=True)) == {
        "Real copy", "Harbour reopens after storm"}
    skipped = dict((name.split("(", 1)[1].rstrip(")"), detail) for name, detail in
                   Intake.objects.filter(outcome="skipped").values_list("name", "detail"))
    assert skipped["Cheap watches"] == "marked as spam by the mail server"
    assert skipped["Out of office"].startswith("an automatic message")
    assert skipped["Automatic reply: Today's copy"] == "an automatic reply (by its subject)"
    assert skipped["Your daily digest"] == "our own mail coming back (news@localhost)"
    assert skipped["Undelivered Mail"] == "a delivery report"
    assert "over the 200000-byte limit for one message" in skipped["Huge"]
    assert "nested too deeply" in skipped["no subject"]
    feed.refresh_from_db()
    # Routine refusals stay in the ledger; what was lost is in the feed's error too.
    assert "over the 200000-byte limit" in feed.last_error
    assert "big.xml: " in feed.last_error and "over the 50000-byte limit" in feed.last_error
    assert "Cheap watches" not in feed.last_error
    assert poll(feed).nothing_new


def test_only_the_senders_named_in_from_are_copy(mailbox):
    feed = services.feed_add(source=mailbox.url(query="from=.agency.example,x@partner.example"),
                             agency=services.agency_ensure(code="AGY"))
    mailbox(message("From the agency"))
    mailbox(message("From a bureau", sender="bureau@eu.agency.example"))
    mailbox(message("From the partner", sender="x@partner.example"))
    mailbox(message("From a stranger", sender="someone@elsewhere.example"))
    assert poll(feed).created == 3
    stranger = Intake.objects.get(name__contains="stranger")
    assert stranger.detail == ("from someone@elsewhere.example, not a sender this mailbox "
                               "takes copy from")


def test_the_same_message_id_is_the_same_item_even_when_the_mailbox_is_renumbered(mailbox):
    feed = services.feed_add(source=mailbox.url(), agency=services.agency_ensure(code="AGY"))
    mailbox(message("Storm warning", message_id="<storm-1@agency.example>"))
    mailbox(message("Storm warning", message_id="<storm-1@agency.example>"))  # sent twice
    report = poll(feed)
    assert (report.created, report.unchanged) == (1, 1)
    # A new UIDVALIDITY makes every message new by UID (and unknown to the ledger, which
    # is keyed by it); the copy is still the same.
    Feed.objects.filter(pk=feed.pk).update(intake_state={"uidvalidity": 1, "last_uid": 99})
    Intake.objects.filter(feed=feed).delete()
    again = poll(feed)
    assert again.created == 0 and again.unchanged == 2
    assert Article.objects.count() == 1


def test_a_message_whose_items_cannot_be_written_is_taken_again(mailbox, monkeypatch):
    from django.db import OperationalError

    from wiredesk.newsroom.services import documents as ingest

    feed = services.feed_add(source=mailbox.url(), agency=services.agency_ensure(code="AGY"))
    mailbox(message("First"))
    mailbox(message("Second"))
    real = ingest.store_item
    monkeypatch.setattr(ingest, "store_item", lambda *a, **k: (_ for _ in ()).throw(
        OperationalError("database is locked")))
    report = poll(feed)
    assert report.store_failures == 1 and Intake.objects.count() == 0
    feed.refresh_from_db()
    assert feed.intake_state["last_uid"] == 0
    monkeypatch.setattr(ingest, "store_item", real)
    assert poll(feed).created == 2


def test_imaps_checks_the_certificate_and_a_bad_login_backs_off(mailbox, monkeypatch):
    agency = services.agency_ensure(code="AGY")
    mailbox(message("Over TLS"))
    secure = services.feed_add(source=mailbox.url("imaps"), agency=agency)
    poll(secure)
    secure.refresh_from_db()
    assert secure.last_status == Feed.Status.ERROR
    assert "certificate" in secure.last_error
    monkeypatch.setenv("SSL_CERT_FILE", str(mailbox.server.ca_file))
    Feed.objects.filter(pk=secure.pk).update(next_poll_at=timezone.now())
    assert poll(secure).created == 1

    wrong = services.feed_add(source=mailbox.url().replace(":secret@", ":wrong@"),
                              agency=agency)
    report = poll(wrong)
    wrong.refresh_from_db()
    assert wrong.last_status == Feed.Status.ERROR and wrong.error_count == 1
    assert "IMAP login to 127.0.0.1 failed" in wrong.last_error
    assert wrong.next_poll_at - wrong.last_polled_at == timedelta(minutes=20)
    assert "wrong" not in report.summary() and "***" in report.summary()
