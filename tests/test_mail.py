import email
import email.policy

import pytest

from wiredesk.mail import EmailURLError, email_settings_from_url


def test_smtp_urls():
    plain = email_settings_from_url("smtp://user%40x:p%3Ass@mail.example:2525")
    assert plain["EMAIL_HOST"] == "mail.example" and plain["EMAIL_PORT"] == 2525
    assert plain["EMAIL_HOST_USER"] == "user@x" and plain["EMAIL_HOST_PASSWORD"] == "p:ss"
    assert not plain["EMAIL_USE_TLS"] and not plain["EMAIL_USE_SSL"]
    assert email_settings_from_url("smtp+tls://h")["EMAIL_USE_TLS"]
    assert email_settings_from_url("smtp+tls://h")["EMAIL_PORT"] == 587
    assert email_settings_from_url("smtps://h")["EMAIL_USE_SSL"]
    assert "console" in email_settings_from_url("console://")["EMAIL_BACKEND"]


@pytest.mark.parametrize("url", ["http://h", "smtp://", "smtp://h:port"])
def test_bad_urls_are_refused(url):
    with pytest.raises(EmailURLError):
        email_settings_from_url(url)


def test_starttls_and_implicit_tls_ports_and_timeout():
    ssl = email_settings_from_url("smtps://u:p@relay.example?timeout=5")
    assert ssl["EMAIL_USE_SSL"] and not ssl["EMAIL_USE_TLS"]
    assert ssl["EMAIL_PORT"] == 465 and ssl["EMAIL_TIMEOUT"] == 5
    assert email_settings_from_url("smtp://relay.example")["EMAIL_PORT"] == 25


def test_file_and_locmem():
    assert email_settings_from_url("file:///var/spool/wd")["EMAIL_FILE_PATH"] == "/var/spool/wd"
    assert email_settings_from_url("locmem://")["EMAIL_BACKEND"].endswith("locmem.EmailBackend")


@pytest.mark.parametrize(("name", "display_name"), [
    ("Chile Sun", "Chile Sun"),
    ("Diário  do\nSul", "Diário do Sul"),  # encoded, spaces folded, never a line break
    ('Ledger, "Euro"', 'Ledger, "Euro"'),  # quoted
])
def test_an_edition_sends_under_its_name_from_the_configured_address(settings, name,
                                                                     display_name):
    from django.core.mail import EmailMessage

    from wiredesk.mail import sender, sender_address

    settings.DEFAULT_FROM_EMAIL = "wiredesk <news@wiredesk.example>"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert sender_address() == "news@wiredesk.example"
    message = EmailMessage("s", "b", sender(name), ["a@example.org"]).message()
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    (address,) = parsed["From"].addresses
    assert (address.display_name, address.addr_spec) == (display_name,
                                                         "news@wiredesk.example")
    assert sender("") == "wiredesk <news@wiredesk.example>"  # no edition: as configured


def test_an_edition_with_its_own_address_sends_from_it(settings):
    from wiredesk.mail import sender

    settings.DEFAULT_FROM_EMAIL = "wiredesk <news@wiredesk.example>"
    assert sender("Chile Sun", "desk@chilesun.example") == "Chile Sun <desk@chilesun.example>"
    assert sender("", "desk@chilesun.example") == "desk@chilesun.example"
    # What could not be one plain address never reaches the header: the configured one.
    for bad in ("desk@chilesun.example\r\nBcc: x@y", "a@b, c@d", "<a@b>", "nobody", "  "):
        assert sender("Chile Sun", bad) == "Chile Sun <news@wiredesk.example>", bad
