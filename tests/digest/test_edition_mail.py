"""Each edition's mail identity: sender name and address, reply-to, and its postal
address at the foot of every digest and confirmation (HTML and text)."""

import pytest

from tests.digest.conftest import make_confirmed
from wiredesk.digest.sending import send_pending
from wiredesk.digest.services import digest_plan, subscriber_subscribe
from wiredesk.editions.services import edition_brand_set

pytestmark = pytest.mark.django_db

POSTAL = "Chile Sun Ltd <b>\n1 Plaza de Armas\nSantiago, Chile"


@pytest.fixture
def chile(site):
    chile, _ = site
    return edition_brand_set(chile, sender_name="Chile Sun newsroom",
                             sender_address="desk@chilesun.example",
                             reply_to="letters@chilesun.example", postal_address=POSTAL)


def test_the_digest_carries_the_editions_identity_and_postal_address(chile, smtp):
    make_confirmed(chile, "reader@example.org")
    digest_plan(force=True)
    assert send_pending().sent == 1
    [received] = smtp.to("reader@example.org")
    message = received.message
    assert received.mail_from == "desk@chilesun.example"
    assert message["From"].addresses[0].display_name == "Chile Sun newsroom"
    assert message["Reply-To"] == "letters@chilesun.example"
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.rstrip().endswith("Chile Sun newsroom\n" + POSTAL)
    html = message.get_body(("html",)).get_content()
    assert ("Chile Sun newsroom<br>Chile Sun Ltd &lt;b&gt;<br>1 Plaza de Armas<br>"
            "Santiago, Chile") in html


def test_an_edition_without_them_sends_no_reply_to_and_no_footer(site, smtp):
    make_confirmed(site[1], "reader@example.org")
    digest_plan(force=True)
    send_pending()
    [received] = smtp.to("reader@example.org")
    assert received.message["Reply-To"] is None
    assert "Plaza" not in received.data.decode()


def test_the_confirmation_mail_too(chile, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        subscriber_subscribe(edition=chile, email="new@example.org")
    [notice] = smtp.to("new@example.org")
    assert notice.message["Reply-To"] == "letters@chilesun.example"
    assert notice.mail_from == "desk@chilesun.example"
    assert POSTAL in notice.message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "1 Plaza de Armas<br>" in notice.message.get_body(("html",)).get_content()


def test_news_release_mail_replies_to_the_edition(settings, mailoutbox):
    from wiredesk import mail

    assert mail.send("Your release", "Thanks.", ["pr@example.org"], from_name="Chile Sun",
                     from_address="desk@chilesun.example",
                     reply_address="letters@chilesun.example")
    assert mailoutbox[0].reply_to == ["letters@chilesun.example"]
    assert mail.reply_to("bad\r\nBcc: x@y.z") == [] and mail.reply_to("") == []


def test_the_command_sets_them(site, capsys):
    from wiredesk.cli import main
    from wiredesk.editions.models import Edition

    assert main(["edition", "update", "euro-ledger", "--reply-to", "desk@euro.example",
                 "--postal-address", "2 Rue de Rivoli, Paris"]) == 0
    euro = Edition.objects.get(slug="euro-ledger")
    assert euro.reply_to == "desk@euro.example"
    assert euro.postal_address == "2 Rue de Rivoli, Paris"
    assert main(["edition", "update", "euro-ledger", "--reply-to", "not an address"]) == 2
    assert "reply-to address" in capsys.readouterr().err


def test_the_admin_edits_them_in_the_mail_group(admin_client, chile):
    page = admin_client.get(f"/admin/editions/edition/{chile.pk}/change/").content.decode()
    assert 'name="reply_to"' in page and 'name="postal_address"' in page
    assert "1 Plaza de Armas" in page
