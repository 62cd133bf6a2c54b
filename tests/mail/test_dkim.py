"""DKIM: keys per sending domain, every message to the relay signed, and dkimpy's own
verifier accepting what the real SMTP server received."""

import os
import stat

import dkim as dkimpy
import pytest

from tests.dkim_keys import dns_of, signature_tags
from wiredesk.mail import dkim

MESSAGE = (b"From: Chile Sun <desk@chilesun.example>\r\nTo: reader@example.org\r\n"
           b"Subject: Hello\r\nDate: Tue, 01 Dec 2026 07:00:00 +0000\r\n"
           b"Message-ID: <1@chilesun.example>\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: text/plain; charset=utf-8\r\n\r\nGood morning.\r\n")


@pytest.fixture
def keys(tmp_path, settings):
    settings.WIREDESK_DKIM_KEYS = tmp_path / "dkim"
    return tmp_path / "dkim"


def test_a_signed_message_verifies_and_a_changed_one_does_not(keys):
    key = dkim.generate_key(domain="chilesun.example", selector="wd1", directory=keys,
                            bits=1024)
    assert stat.S_IMODE(os.stat(key.path).st_mode) == 0o600
    assert key.path.name == "wd1._domainkey.chilesun.example.pem"
    signed = dkim.sign(MESSAGE)
    assert signed.startswith(b"DKIM-Signature:") and signed.endswith(MESSAGE)
    tags = signature_tags(signed)
    assert tags["d"] == "chilesun.example" and tags["s"] == "wd1"
    assert tags["c"] == "relaxed/relaxed"
    assert dkimpy.verify(signed, dnsfunc=dns_of(key))
    assert not dkimpy.verify(signed.replace(b"Good morning", b"Good evening"),
                             dnsfunc=dns_of(key))
    assert not dkimpy.verify(signed.replace(b"Subject: Hello", b"Subject: Win"),
                             dnsfunc=dns_of(key))


def test_which_key_signs(keys):
    parent = dkim.generate_key(domain="chilesun.example", selector="a2025", directory=keys,
                               bits=1024)
    newer = dkim.generate_key(domain="chilesun.example", selector="b2026", directory=keys,
                              bits=1024)
    (keys / "not-a-key-name.pem").write_text("junk")
    found = dkim.signing_keys()
    assert found["chilesun.example"] == newer and len(found) == 1
    # A subdomain is signed by its parent's key (DMARC's relaxed alignment accepts it).
    assert dkim.key_for("news.chilesun.example") == newer
    assert dkim.key_for("example.org") is None
    assert dkim.sign(MESSAGE.replace(b"desk@chilesun", b"desk@elsewhere")) == \
        MESSAGE.replace(b"desk@chilesun", b"desk@elsewhere")
    assert parent.path.exists()
    with pytest.raises(dkim.DkimKeyError, match="exists"):
        dkim.generate_key(domain="chilesun.example", selector="b2026", directory=keys)
    with pytest.raises(dkim.DkimKeyError, match="selector"):
        dkim.generate_key(domain="chilesun.example", selector="bad selector", directory=keys)


def test_a_broken_key_sends_unsigned_and_says_why(keys, caplog):
    keys.mkdir()
    (keys / "wd1._domainkey.chilesun.example.pem").write_text("not a key")
    assert dkim.sign(MESSAGE) == MESSAGE
    assert "DKIM signing for chilesun.example failed" in caplog.text


def test_smtp_urls_use_the_signing_backend():
    from wiredesk.mail import SMTP_BACKEND, email_settings_from_url

    assert email_settings_from_url("smtp://relay.example")["EMAIL_BACKEND"] == SMTP_BACKEND
