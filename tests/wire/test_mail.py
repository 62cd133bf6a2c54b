"""wire.mail.read_message on its own: what in a message is copy, and what is not."""

import json

import pytest

from wiredesk.wire import mail
from wiredesk.wire.pipeline import process


def read(raw: bytes, **kwargs):
    options = {"max_attachment_bytes": 10_000, "own_addresses": {"news@wiredesk.example"},
               "allowed_senders": []}
    return mail.read_message(raw, **{**options, **kwargs})


def test_a_plain_body_becomes_one_item_with_the_subject_as_headline():
    raw = (b"From: Desk <desk@agency.example>\r\nSubject: =?utf-8?q?Caf=C3=A9_reopens?=\r\n"
           b"Message-ID: <m-1@agency.example>\r\nDate: Sat, 12 Jul 2025 09:30:00 +1000\r\n"
           b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
           b"The caf\xc3\xa9 reopened <today>.\r\n\r\nOwners were glad.\r\n")
    copy = read(raw)
    assert (copy.skip, copy.subject, copy.message_id) == (
        "", "Café reopens", "m-1@agency.example")
    [(label, document)] = copy.documents
    item = json.loads(document)["items"][0]
    assert label == "body" and item["id"] == "m-1@agency.example"
    assert item["content_html"] == "<p>The café reopened &lt;today&gt;.</p><p>Owners were glad.</p>"
    assert item["date_published"] == "2025-07-11T23:30:00+00:00"
    result = process(document)
    assert result.items[0].headline == "Café reopens"


def test_broken_mail_never_raises():
    assert read(b"\x00\xff garbage without headers").skip.startswith("no subject")
    assert read(b"Subject: Empty\r\n\r\n  \r\n").skip.startswith("no copy")
    odd = (b"From: desk@agency.example\r\nSubject: Odd charset\r\n"
           b"Content-Type: text/plain; charset=x-no-such-charset\r\n\r\nWords \xe9 here\r\n")
    copy = read(odd)
    assert copy.skip == "" and "Words" in json.loads(copy.documents[0][1])["items"][0][
        "content_html"]
    # Without a Message-ID the guid is the message's own hash: the same bytes, one item.
    no_id = b"From: desk@agency.example\r\nSubject: No id\r\n\r\nBody text here.\r\n"
    first = json.loads(read(no_id).documents[0][1])["items"][0]["id"]
    assert first.startswith("mail:") and first == json.loads(
        read(no_id).documents[0][1])["items"][0]["id"]


@pytest.mark.parametrize("headers, reason", [
    ("Auto-Submitted: auto-generated", "an automatic message"),
    ("X-Autoreply: yes", "an automatic reply"),
    ("Precedence: junk", "an automatic reply"),
    ("Return-Path: <>", "no return path"),
    ("X-Spam-Status: Yes, score=9.1", "marked as spam"),
    ("Content-Type: multipart/report; report-type=delivery-status; boundary=x",
     "a delivery report"),
])
def test_loops_and_spam_are_not_copy(headers, reason):
    raw = f"From: desk@agency.example\r\nSubject: Hello\r\n{headers}\r\n\r\nBody\r\n".encode()
    assert reason in read(raw).skip


def test_our_own_address_and_the_allowed_senders():
    own = b"From: Chile Sun <NEWS@wiredesk.example>\r\nSubject: Digest\r\n\r\nBody\r\n"
    assert read(own).skip == "our own mail coming back (news@wiredesk.example)"
    assert mail.sender_allowed("a@agency.example", ["agency.example"])
    assert mail.sender_allowed("a@eu.agency.example", [".agency.example"])
    assert not mail.sender_allowed("a@eu.agency.example", ["agency.example"])
    assert not mail.sender_allowed("a@evilagency.example", [".agency.example"])
    assert mail.sender_allowed("x@partner.example", ["X@Partner.example"])
    assert not mail.sender_allowed("", ["agency.example"])


def nested(depth: int) -> bytes:
    head = (b"From: desk@agency.example\r\nSubject: Nest\r\n"
            b"Content-Type: multipart/mixed; boundary=b0\r\n\r\n")
    body = b"".join(b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n"
                    % (i, i + 1) for i in range(depth))
    body += b"--b%d\r\nContent-Type: text/plain\r\n\r\nhi\r\n" % depth
    return head + body + b"".join(b"--b%d--\r\n" % i for i in range(depth, -1, -1))


def test_a_message_nested_to_break_the_parser_is_refused_not_raised():
    assert "nested too deeply" in read(nested(3000)).skip
