"""Every digest and every mail Django sends leaves for the relay DKIM-signed: the real
SMTP server receives it and dkimpy's verifier accepts it."""

import dkim as dkimpy
import pytest

from tests.digest.conftest import make_confirmed
from tests.dkim_keys import dns_of, signature_tags
from wiredesk.mail import dkim

pytestmark = pytest.mark.django_db


@pytest.fixture
def keys(tmp_path, settings):
    settings.WIREDESK_DKIM_KEYS = tmp_path / "dkim"
    return tmp_path / "dkim"


def test_every_digest_to_the_relay_is_signed_and_verifies(site, smtp, keys):
    from wiredesk.digest.sending import send_pending
    from wiredesk.digest.services import digest_plan
    from wiredesk.editions.services import edition_brand_set

    chile, euro = site
    key = dkim.generate_key(domain="chilesun.example", selector="wd1", directory=keys)
    edition_brand_set(chile, sender_address="desk@chilesun.example")
    make_confirmed(chile, "reader@example.org")
    make_confirmed(euro, "other@example.org")
    digest_plan(force=True)
    assert send_pending().sent == 2
    [received] = smtp.to("reader@example.org")
    assert dkimpy.verify(received.data, dnsfunc=dns_of(key))
    signed = signature_tags(received.data)["h"].lower().split(":")
    for header in ("from", "to", "subject", "date", "message-id", "list-unsubscribe",
                   "list-unsubscribe-post", "mime-version", "content-type"):
        assert header in signed
    # One more From than there is: a From added on the way breaks the signature.
    assert signed.count("from") == 2
    # Euro Ledger mails from the configured address, a domain without a key: unsigned.
    [unsigned] = smtp.to("other@example.org")
    assert b"DKIM-Signature" not in unsigned.data


def test_mail_django_sends_is_signed_too(site, smtp, keys, settings,
                                         django_capture_on_commit_callbacks):
    from wiredesk.digest.services import subscriber_subscribe

    settings.EMAIL_BACKEND = "wiredesk.mail.backends.SigningEmailBackend"
    chile, _ = site
    key = dkim.generate_key(domain="wiredesk.example", selector="wd1", directory=keys)
    with django_capture_on_commit_callbacks(execute=True):
        subscriber_subscribe(edition=chile, email="new@example.org")
    [confirmation] = smtp.to("new@example.org")
    assert "Confirm" in confirmation.subject
    assert dkimpy.verify(confirmation.data, dnsfunc=dns_of(key))
