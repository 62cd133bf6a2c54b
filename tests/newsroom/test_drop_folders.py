"""Drop folders, local and on a real FTP server (pyftpdlib on loopback): files are taken
once and only when complete, each through the same ingest as a feed's, then moved; bad
files are recorded where the operator sees feed errors and never stop the others."""

import json
import os
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import rss, rss_item
from tests.ftp_server import FtpServer
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article, Feed, Intake
from wiredesk.newsroom.services.feeds import poll_due_feeds

pytestmark = [pytest.mark.django_db]

NITF = b"""<?xml version="1.0" encoding="utf-8"?>
<nitf version="-//IPTC//DTD NITF 3.4//EN">
<head><title>Harbour reopens</title>
<docdata management-status="usable"><doc-id id-string="AAP.1234"/>
<date.issue norm="20250712T093000+1000"/><du-key version="1"/></docdata></head>
<body><body.head><hedline><hl1>Harbour reopens after storm</hl1></hedline></body.head>
<body.content><p>SYDNEY, July 12 AAP - Sydney Harbour reopened to ferries on Saturday
morning after the storm closed it for two days.</p><p>Cafe owners welcomed the news and
said the weekend trade would make up for the lost days.</p></body.content></body></nitf>"""


def json_feed(guid: str, title: str) -> bytes:
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "JSON wire",
                       "items": [{"id": guid, "title": title, "date_published":
                                  "2025-07-12T10:00:00Z", "content_html":
                                  f"<p>{title}: officials said on Saturday that the work "
                                  "would go on through the night and finish by Monday.</p>"}]
                       }).encode()


@pytest.fixture(autouse=True)
def _settle_at_once(settings):
    # Two listings are still needed; how far apart is the setting's business, not the test's.
    settings.WIREDESK_DROP_SETTLE_SECONDS = 0


@pytest.fixture
def ftp(tmp_path):
    with FtpServer(tmp_path / "ftp-home") as server:
        (server.home / "incoming").mkdir()
        yield server


def poll(feed):
    feed.refresh_from_db()
    return services.feed_poll(feed)


def test_ftp_files_are_taken_once_when_complete_and_moved(ftp):
    incoming = ftp.home / "incoming"
    agency = services.agency_ensure(code="AAP")
    feed = services.feed_add(source=ftp.url("/incoming"), agency=agency)
    assert feed.transport == Feed.Transport.FTP
    (incoming / "harbour.xml").write_bytes(NITF)
    (incoming / "wire.rss").write_bytes(rss(rss_item("rss-1", "Bridge opens")))
    (incoming / "late.json.part").write_bytes(json_feed("j-1", "Tunnel")[:40])
    (incoming / "growing.json").write_bytes(json_feed("g-1", "Rail line")[:50])

    first = poll(feed)
    # Seen once: nothing is taken before a second listing shows the same size and time.
    assert first.created == 0 and first.waiting == 4
    feed.refresh_from_db()
    assert feed.next_poll_at - feed.last_polled_at == timedelta(seconds=5)
    with (incoming / "growing.json").open("ab") as still_writing:
        still_writing.write(b" ")

    second = poll(feed)
    assert second.created == 2 and second.errors == []
    assert sorted(Article.objects.values_list("headline", flat=True)) == [
        "Bridge opens", "Harbour reopens after storm"]
    assert sorted(os.listdir(incoming / "done")) == ["harbour.xml", "wire.rss"]
    assert (incoming / "growing.json").exists() and (incoming / "late.json.part").exists()

    # The writer finishes: the file is renamed to its real name and has settled.
    (incoming / "late.json.part").rename(incoming / "late.json")
    (incoming / "growing.json").write_bytes(json_feed("g-1", "Rail line"))
    os.utime(incoming / "growing.json", (1_700_000_000, 1_700_000_000))
    assert poll(feed).created == 0
    (incoming / "late.json").write_bytes(json_feed("j-1", "Tunnel"))
    os.utime(incoming / "late.json", (1_700_000_000, 1_700_000_000))
    third = poll(feed)
    assert third.created == 1  # growing.json, complete since the last listing
    assert poll(feed).created == 1  # late.json
    assert set(Article.objects.values_list("headline", flat=True)) >= {"Rail line", "Tunnel"}
    assert Intake.objects.filter(feed=feed, outcome="stored").count() == 4
    assert poll(feed).nothing_new
    feed.refresh_from_db()
    assert feed.last_status == Feed.Status.NOT_MODIFIED and feed.last_error == ""
    assert feed.items_created == 4
    row = Intake.objects.get(feed=feed, name="harbour.xml")
    assert (row.articles, row.size) == (1, len(NITF)) and row.detail.startswith("1 new")


def test_bad_and_oversized_files_are_recorded_and_the_others_taken(ftp, settings, capsys):
    settings.WIREDESK_FETCH_MAX_BYTES = 20_000
    incoming = ftp.home / "incoming"
    feed = services.feed_add(source=ftp.url("/incoming"),
                             agency=services.agency_ensure(code="AAP"))
    (incoming / "good.xml").write_bytes(NITF)
    (incoming / "broken.xml").write_bytes(b"<nitf><body>never closed")
    (incoming / "huge.xml").write_bytes(b"<rss>" + b" " * 30_000 + b"</rss>")
    (incoming / "bomb.xml").write_bytes(
        b'<?xml version="1.0"?><!DOCTYPE nitf [<!ENTITY a "aaaaaaaa">]><nitf>&a;</nitf>')
    (incoming / "empty.rss").write_bytes(rss(""))
    poll(feed)
    report = poll(feed)
    assert report.created == 1
    feed.refresh_from_db()
    assert feed.last_status == Feed.Status.OK
    assert "broken.xml: not well-formed XML" in feed.last_error
    assert "huge.xml: 30011 bytes, over the 20000-byte limit" in feed.last_error
    assert "bomb.xml: document declares XML entities" in feed.last_error
    assert "empty.rss: no item could be read from it" in feed.last_error
    assert sorted(os.listdir(incoming / "failed")) == [
        "bomb.xml", "broken.xml", "empty.rss", "huge.xml"]
    assert os.listdir(incoming / "done") == ["good.xml"]
    failed = dict(Intake.objects.filter(outcome="failed").values_list("name", "detail"))
    assert set(failed) == {"bomb.xml", "broken.xml", "empty.rss", "huge.xml"}
    # The operator's list shows the error, and never the password.
    from wiredesk import cli

    assert cli.main(["feed", "list"]) == 0
    out = capsys.readouterr().out
    assert "broken.xml" in out and "ftp://agency:***@127.0.0.1" in out
    assert FtpServer.password not in out and "p%40ss" not in out


def test_the_same_copy_again_changes_nothing_and_a_taken_file_is_never_retaken(ftp):
    incoming = ftp.home / "incoming"
    feed = services.feed_add(source=ftp.url("/incoming", query="done="),
                             agency=services.agency_ensure(code="AAP"))
    (incoming / "a.xml").write_bytes(NITF)
    (incoming / "copy-of-a.xml").write_bytes(NITF)  # the agency sent it twice
    poll(feed)
    report = poll(feed)
    # The same item by the same identity rules as a feed's: one article.
    assert (report.created, report.unchanged) == (1, 1)
    assert Article.objects.count() == 1
    # done= left empty: the files stay where they are; the ledger alone remembers them.
    assert sorted(os.listdir(incoming)) == ["a.xml", "copy-of-a.xml"]
    again = poll(feed)
    assert again.seen == 0 and again.nothing_new
    assert Intake.objects.filter(feed=feed).count() == 2


def test_a_folder_that_cannot_be_reached_backs_off_like_a_feed(ftp, settings):
    agency = services.agency_ensure(code="AAP")
    wrong = services.feed_add(source=ftp.url("/incoming", password="wrong"), agency=agency)
    report = poll(wrong)
    wrong.refresh_from_db()
    assert wrong.last_status == Feed.Status.ERROR and wrong.error_count == 1
    assert "FTP login to 127.0.0.1 failed" in wrong.last_error
    assert wrong.next_poll_at - wrong.last_polled_at == timedelta(minutes=20)
    assert "wrong" not in report.summary()

    missing = services.feed_add(source=ftp.url("/nowhere"), agency=agency)
    poll(missing)
    missing.refresh_from_db()
    assert "cannot enter /nowhere" in missing.last_error

    settings.WIREDESK_FETCH_ALLOW = []
    refused = services.feed_add(source=ftp.url("/incoming", scheme="ftp") + "?failed=bad",
                                agency=agency)
    poll(refused)
    refused.refresh_from_db()
    assert "loopback address, not the public Internet" in refused.last_error


def test_local_drop_folder_through_the_polling_schedule(tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    feed = services.feed_add(source=drop.as_uri(), agency=services.agency_ensure(code="AAP"))
    assert (feed.transport, feed.source) == (Feed.Transport.FOLDER, str(drop))
    (drop / "item.json").write_bytes(json_feed("x-1", "Dam repaired"))
    (drop / ".hidden.json").write_bytes(json_feed("x-2", "Hidden"))
    os.symlink(tmp_path / "elsewhere.json", drop / "link.json")
    (tmp_path / "elsewhere.json").write_bytes(json_feed("x-3", "Outside the folder"))
    later = timezone.now() + timedelta(hours=1)
    poll_due_feeds(now=later)
    reports = poll_due_feeds(now=later + timedelta(minutes=1))
    assert [r.created for r in reports] == [1]
    assert list(Article.objects.values_list("headline", flat=True)) == ["Dam repaired"]
    assert os.listdir(drop / "done") == ["item.json"]
    assert (drop / "link.json").is_symlink() and (drop / ".hidden.json").exists()


def test_celery_task_polls_a_drop_folder_like_a_feed(ftp):
    from wiredesk.newsroom.tasks import feed_host, poll_feed

    feed = services.feed_add(source=ftp.url("/incoming"), agency=services.agency_ensure(code="A"))
    assert feed_host(feed.source) == f"127.0.0.1:{ftp.port}"
    (ftp.home / "incoming" / "a.xml").write_bytes(NITF)
    poll_feed.run(feed.pk)
    Feed.objects.filter(pk=feed.pk).update(next_poll_at=timezone.now())
    assert "1 new" in poll_feed.run(feed.pk)


@pytest.mark.parametrize("source, message", [
    ("gopher://agency.example/", "unknown kind of source"),
    ("ftp:///incoming", "needs a host"),
    ("ftp://agency.example:99999/x", "not a valid address"),
    ("ftp://agency.example/x?delete=1", "unknown option(s) delete"),
    ("ftp://agency.example/x?done=../../etc", "names one subfolder"),
    ("sftp://agency.example/x?key=/k&pass=1", "unknown option(s) pass"),
    ("file://otherhost/x", "on this machine"),
    ("/no/such/folder/anywhere", "no such file or folder"),
])
def test_sources_that_cannot_be_drop_folders_are_refused_when_added(source, message):
    with pytest.raises(services.ServiceError, match=message.replace("(", r"\(").replace(
            ")", r"\)")):
        services.feed_add(source=source, agency=services.agency_ensure(code="A"))


def test_sftp_drop_folder_with_a_pinned_host_key(tmp_path):
    from tests.sftp_server import SftpServer

    with SftpServer(tmp_path / "sftp-home") as server:
        incoming = server.home / "incoming"
        incoming.mkdir()
        (incoming / "harbour.xml").write_bytes(NITF)
        (incoming / "broken.xml").write_bytes(b"<nitf>")
        (incoming / "half.xml.part").write_bytes(NITF[:100])
        agency = services.agency_ensure(code="AAP")

        # Not trusted until the operator names the server's key: the error says which.
        untrusted = services.feed_add(source=server.url("/incoming", hostkey=""),
                                      agency=agency)
        assert untrusted.transport == Feed.Transport.SFTP
        poll(untrusted)
        untrusted.refresh_from_db()
        assert untrusted.last_status == Feed.Status.ERROR
        assert f"add hostkey={server.fingerprint} to the source" in untrusted.last_error
        impostor = services.feed_add(
            source=server.url("/incoming", hostkey="SHA256:" + "A" * 43), agency=agency)
        poll(impostor)
        impostor.refresh_from_db()
        assert "not the trusted SHA256:AAAA" in impostor.last_error
        assert Article.objects.count() == 0 and (incoming / "harbour.xml").exists()

        feed = services.feed_add(source=server.url("/incoming"), agency=agency)
        poll(feed)
        report = poll(feed)
        assert report.created == 1 and report.waiting == 1
        feed.refresh_from_db()
        assert "broken.xml: not well-formed XML" in feed.last_error
        assert os.listdir(incoming / "done") == ["harbour.xml"]
        assert os.listdir(incoming / "failed") == ["broken.xml"]
        assert (incoming / "half.xml.part").exists()
        assert poll(feed).nothing_new

        wrong = services.feed_add(source=server.url("/incoming", password="nope"),
                                  agency=agency)
        poll(wrong)
        wrong.refresh_from_db()
        assert "SFTP login to 127.0.0.1 failed" in wrong.last_error


def test_ftps_checks_the_certificate_and_protects_the_data(tmp_path, monkeypatch):
    from pyftpdlib.handlers import TLS_FTPHandler

    from tests.mailbox_server import _make_certificate

    certificates = tmp_path / "certificates"
    certificates.mkdir()
    ca_file, certificate, key = _make_certificate(certificates)
    with FtpServer(tmp_path / "home", handler=TLS_FTPHandler,
                   tls=(certificate, key)) as server:
        (server.home / "harbour.xml").write_bytes(NITF)
        feed = services.feed_add(source=server.url("/", scheme="ftps"),
                                 agency=services.agency_ensure(code="AAP"))
        poll(feed)
        feed.refresh_from_db()
        assert feed.last_status == Feed.Status.ERROR and "CERTIFICATE_VERIFY_FAILED" in \
            feed.last_error
        # With the server's CA trusted, the login, listing and file go over TLS (the
        # server refuses anything else).
        monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
        Feed.objects.filter(pk=feed.pk).update(next_poll_at=timezone.now())
        poll(feed)
        assert poll(feed).created == 1
        assert os.listdir(server.home / "done") == ["harbour.xml"]


def test_the_admin_lists_the_ledger_and_never_the_password(client, django_user_model):
    feed = services.feed_add(source="ftp://agency:hunter2@ftp.agency.example/out",
                             agency=services.agency_ensure(code="AAP"))
    Intake.objects.create(feed=feed, key="file:1", name="harbour.xml", size=10,
                          outcome="failed", detail="not well-formed XML")
    client.force_login(django_user_model.objects.create_superuser("ed", "ed@x.example", "pw"))
    feeds = client.get("/admin/newsroom/feed/")
    assert feeds.status_code == 200
    assert b"ftp://agency:***@ftp.agency.example/out" in feeds.content
    assert b"hunter2" not in feeds.content
    ledger = client.get("/admin/newsroom/intake/?outcome=failed")
    assert ledger.status_code == 200
    assert b"harbour.xml" in ledger.content and b"not well-formed XML" in ledger.content


def test_a_file_whose_every_item_is_broken_goes_to_failed(tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    feed = services.feed_add(source=str(drop), agency=services.agency_ensure(code="AAP"))
    (drop / "hollow.rss").write_bytes(rss("<item><guid>x</guid></item>"))
    poll(feed)
    poll(feed)
    feed.refresh_from_db()
    assert "hollow.rss: item 1: no headline and no body; skipped" in feed.last_error
    assert os.listdir(drop / "failed") == ["hollow.rss"]
    assert Intake.objects.get().outcome == "failed"


def test_a_file_that_breaks_a_parser_never_blocks_the_folder(tmp_path, monkeypatch):
    from wiredesk.newsroom.services import intake

    drop = tmp_path / "drop"
    drop.mkdir()
    feed = services.feed_add(source=str(drop), agency=services.agency_ensure(code="AAP"))
    (drop / "a-poison.xml").write_bytes(b"<nitf>poison</nitf>")
    (drop / "b-good.xml").write_bytes(NITF)
    real = intake.ingest_bytes

    def fragile(data, **kwargs):
        if b"poison" in data:
            raise RecursionError("maximum recursion depth exceeded")
        return real(data, **kwargs)

    monkeypatch.setattr(intake, "ingest_bytes", fragile)
    poll(feed)
    assert poll(feed).created == 1
    feed.refresh_from_db()
    assert "a-poison.xml: RecursionError" in feed.last_error
    assert os.listdir(drop / "failed") == ["a-poison.xml"]
    assert poll(feed).nothing_new
