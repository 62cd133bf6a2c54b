"""Pushes by FTP drop folder (a real pyftpdlib server) and by email (the aiosmtpd sink)."""

from __future__ import annotations

import json

import pytest

from tests.digest.conftest import smtp, smtp_server  # noqa: F401  (the real SMTP server)
from tests.syndication.ftpserver import DropFolder
from tests.syndication.helpers import ingest
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services as newsroom
from wiredesk.syndication import signing
from wiredesk.syndication.models import Delivery
from wiredesk.syndication.sending import push_due
from wiredesk.syndication.services import PartnerError, partner_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition():
    return edition_save(name="Chile Sun", time_zone="UTC", hosts=["chilesun.example"])


@pytest.fixture
def drop(tmp_path):
    with DropFolder(tmp_path / "ftp") as folder:
        yield folder


def test_ftp_drop_folder_gets_each_state_as_a_whole_file(tmp_path, edition, drop):
    partner = partner_add(name="archive", url=drop.url, format="json")
    assert partner.transport == "ftp"
    (first,) = ingest(tmp_path, "Port strike ends")
    assert push_due().acked == 1
    (second,) = ingest(tmp_path, "Frost hits vineyards", name="second.rss")
    newsroom.article_kill(article=first, reason="legal")
    assert push_due().acked == 2
    files = drop.files()
    assert sorted(files) == sorted([f"{first.pk}-v1-publish.json", f"{first.pk}-v1-kill.json",
                                    f"{second.pk}-v1-publish.json"])
    assert not any(name.endswith(".tmp") for name in files)  # renamed into place
    assert json.loads(files[f"{first.pk}-v1-kill.json"])["reason"] == "killed"
    assert json.loads(files[f"{second.pk}-v1-publish.json"])["article"]["headline"] == \
        "Frost hits vineyards"


def test_ftp_wrong_password_is_recorded_and_retried(tmp_path, edition, drop):
    partner = partner_add(name="archive", url=drop.url.replace("drop-pass", "nope"),
                          format="json")
    ingest(tmp_path, "One")
    push_due()
    delivery = Delivery.objects.get(partner=partner)
    assert delivery.state == "pending" and "login" in delivery.last_error
    assert "530" in delivery.last_error
    assert drop.files() == {}


def test_sftp_drop_folder_with_the_servers_host_key_pinned(tmp_path, edition):
    from tests.sftp_server import SftpServer

    with SftpServer(tmp_path / "sftp") as server:
        (server.home / "in").mkdir()
        partner = partner_add(name="vault", url=server.url("/in"), format="json")
        assert partner.transport == "sftp"
        stranger = partner_add(name="stranger", url=server.url(
            "/in", hostkey="SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), format="json")
        (article,) = ingest(tmp_path, "Port strike ends")
        push_due()
        push_due()  # a partner that failed one waits for the next run; nothing is due
    files = {p.name: p.read_bytes() for p in (server.home / "in").iterdir()}
    assert list(files) == [f"{article.pk}-v1-publish.json"]
    assert json.loads(files[f"{article.pk}-v1-publish.json"])["article"]["headline"] == \
        "Port strike ends"
    assert Delivery.objects.get(partner=partner).state == "acked"
    refused = Delivery.objects.get(partner=stranger)
    assert refused.state == "dead" and "not the trusted" in refused.last_error


def test_ftp_to_a_private_address_is_refused(tmp_path, edition, settings):
    settings.WIREDESK_FETCH_ALLOW = []
    partner = partner_add(name="inside", url="ftp://u:p@127.0.0.1:2121/in", format="json")
    ingest(tmp_path, "One")
    push_due()
    delivery = Delivery.objects.get(partner=partner)
    assert delivery.state == "dead" and "loopback" in delivery.last_error


def test_email_partner_gets_the_document_attached_through_the_relay(tmp_path, edition, smtp):  # noqa: F811
    partner = partner_add(name="desk", url="mailto:desk@partner.example", format="json")
    assert partner.transport == "email"
    (article,) = ingest(tmp_path, "Port strike ends")
    push_due()
    (message,) = smtp.to("desk@partner.example")
    parsed = message.message
    key = f"{article.pk}-v1-publish"
    assert parsed["Idempotency-Key"] == key and key in message.subject
    (attachment,) = list(parsed.iter_attachments())
    assert attachment.get_filename() == f"{key}.json"
    body = attachment.get_payload(decode=True)
    assert json.loads(body)["article"]["headline"] == "Port strike ends"
    assert signing.verify(parsed["X-Wiredesk-Signature"], body, partner.secret)
    assert Delivery.objects.get(partner=partner).state == "acked"


def test_email_relay_refusal_is_retried(tmp_path, edition, smtp):  # noqa: F811
    partner = partner_add(name="desk", url="mailto:desk@partner.example", format="json")
    smtp.fail_next(1, "451 4.3.0 Try again later")
    ingest(tmp_path, "One")
    push_due()
    delivery = Delivery.objects.get(partner=partner)
    assert delivery.state == "pending" and "451" in delivery.last_error


@pytest.mark.parametrize("url", ["gopher://x/", "https://", "mailto:a@b.example,c@d.example",
                                 "file:///etc/passwd", ""])
def test_partner_urls_that_name_no_transport_are_refused(url):
    with pytest.raises(PartnerError):
        partner_add(name="bad", url=url, format="json")
