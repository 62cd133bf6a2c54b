"""Reading a mailbox once, from a real Dovecot over IMAP, IMAPS, POP3 and POP3S."""

import pytest

from tests import bounce_samples as samples
from wiredesk.inbox import Mailbox, MailboxError, parse_mailbox_url


def test_mailbox_urls():
    url = parse_mailbox_url("imaps://bounce%40x.example:p%3Ass@mail.example:1993/Bounces"
                            "?move=Done")
    assert (url.protocol, url.tls, url.host, url.port) == ("imap", True, "mail.example", 1993)
    assert (url.user, url.password, url.folder, url.move_to) == (
        "bounce@x.example", "p:ss", "Bounces", "Done")
    assert "p:ss" not in url.redacted()
    assert parse_mailbox_url("pop3://u:p@h").port == 110
    assert parse_mailbox_url("imap://u:p@h").folder == "INBOX"
    for bad in ("http://u:p@h/", "imap://h/INBOX", "imap://u:p@/INBOX", "pop3://u:p@h/Other",
                "pop3://u:p@h?move=X", "imap://u:p@h:99999/", 'imap://u:p@h/a"b'):
        with pytest.raises(MailboxError):
            parse_mailbox_url(bad)


@pytest.mark.parametrize("scheme", ["imap", "imaps", "pop3", "pop3s"])
def test_each_message_is_read_and_removed_once_done(scheme, mailbox_server, mailbox_user,
                                                    monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(mailbox_server.ca_file))
    first, second = samples.qmail(), samples.postfix_hard()
    mailbox_server.add_message(first, user=mailbox_user)
    mailbox_server.add_message(second, user=mailbox_user)
    url = mailbox_server.url(scheme, user=mailbox_user)
    with Mailbox(url) as box:
        read = list(box.messages())
        assert [m.data.replace(b"\r\n", b"\n") for m in read] == [
            first.replace(b"\r\n", b"\n"), second.replace(b"\r\n", b"\n")]
        box.done(read[0].key)
    # Only what was marked done is gone; the rest is read again next time.
    assert mailbox_server.messages(user=mailbox_user) == [second]
    with Mailbox(url) as box:
        assert [m.data.replace(b"\r\n", b"\n") for m in box.messages()] == [
            second.replace(b"\r\n", b"\n")]


def test_imap_can_move_what_is_done_to_a_folder(mailbox_server, mailbox_user):
    mailbox_server.add_message(samples.qmail(), user=mailbox_user)
    with Mailbox(mailbox_server.url("imap", user=mailbox_user, query="move=Processed")) as box:
        for message in box.messages():
            box.done(message.key)
    assert mailbox_server.messages(user=mailbox_user) == []
    assert mailbox_server.messages(user=mailbox_user, folder="Processed") == [samples.qmail()]


@pytest.mark.parametrize("scheme", ["imap", "pop3"])
def test_a_huge_message_is_read_only_up_to_the_cap(scheme, mailbox_server, mailbox_user):
    huge = samples.gmail_dsn() + b"\r\n" + (b"A" * 998 + b"\r\n") * 3000  # 3 MB
    mailbox_server.add_message(huge, user=mailbox_user)
    with Mailbox(mailbox_server.url(scheme, user=mailbox_user), max_bytes=64 * 1024) as box:
        [message] = list(box.messages())
    assert message.truncated and message.size >= len(huge)
    assert len(message.data) <= 64 * 1024 + 2
    assert b"message/delivery-status" in message.data


def test_a_wrong_password_or_no_server_is_a_clear_error(mailbox_server, mailbox_user):
    url = mailbox_server.url("imap", user=mailbox_user).replace(":secret@", ":wrong@")
    with pytest.raises(MailboxError, match="cannot read imap://") as error:
        Mailbox(url).__enter__()
    assert "wrong" not in str(error.value)
    with pytest.raises(MailboxError, match="cannot read pop3://"):
        Mailbox(mailbox_server.url("pop3", user=mailbox_user).replace(
            ":secret@", ":wrong@")).__enter__()
    with pytest.raises(MailboxError, match="no folder"):
        Mailbox(mailbox_server.url("imap", user=mailbox_user, folder="Nope")).__enter__()
