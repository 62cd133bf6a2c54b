"""The assembled message parses back to exactly what was meant, whatever the text."""

from datetime import UTC, datetime

import pytest

from wiredesk.digest.addresses import AddressError, normalize_address
from wiredesk.digest.render import (
    MessageParts,
    RenderedDigest,
    assemble_message,
    message_parts,
)


def parts_for(name: str, subject: str, text: str, html: str) -> MessageParts:
    from wiredesk.editions.models import Edition

    edition = Edition(name=name, slug="edition", time_zone="UTC")
    return message_parts(RenderedDigest(subject=subject, text=text, html=html,
                                        story_count=1), edition)


def parse(data: bytes):
    import email
    from email import policy

    return email.message_from_bytes(data, policy=policy.default)


def test_unicode_long_lines_and_dots_survive_the_round_trip():
    text = "Señor Piñera’s visit — “quoted” 東京\n.\n" + "word " * 60 + "\n.starts with a dot"
    html = f"<p>{text}</p><p>{'x' * 500}</p>"
    subject = "Café Sol daily: Señor Piñera’s visit — " + "long " * 30
    data = assemble_message(parts_for("Café Sol", subject, text, html),
                            to="reader@example.org", message_id="<1.2@example.org>",
                            date=datetime(2025, 7, 12, 5, 14, tzinfo=UTC),
                            unsubscribe_url="https://e.example/u/T", preferences_url="x")
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))
    assert b"\n" not in data.replace(b"\r\n", b"")
    message = parse(data)
    assert message["Subject"] == subject
    assert "Café Sol" in message["From"]
    # On the wire every line ends in CRLF; a mail store gives them back as it keeps them.
    def content(kind):
        return message.get_body((kind,)).get_content().replace("\r\n", "\n").rstrip("\n")

    assert content("plain") == text
    assert content("html") == html
    assert message["Date"] == "Sat, 12 Jul 2025 05:14:00 +0000"


@pytest.mark.parametrize("to", ["a@b.example\r\nBcc: x@y.example", "a@b.example\nBcc: x"])
def test_assembly_refuses_a_header_injection_even_past_the_form(to):
    parts = parts_for("Sun", "Sun daily", "t", "<p>h</p>")
    with pytest.raises(ValueError):
        assemble_message(parts, to=to, message_id="<1@e>", date=datetime.now(UTC),
                         unsubscribe_url="https://e.example/u", preferences_url="p")


@pytest.mark.parametrize("raw,expected", [
    ("  Reader@Example.ORG ", "reader@example.org"),
    ("first.last+digest@sub.example.co.uk", "first.last+digest@sub.example.co.uk"),
])
def test_addresses_are_normalized(raw, expected):
    assert normalize_address(raw) == expected


@pytest.mark.parametrize("raw", [
    "a@b.c\r\nBcc: x@y", "a@b.example\x00", "a@b.example, c@d.example", "<a@b.example>",
    "a" * 65 + "@example.org", "x@" + "d" * 250 + ".example", "no-at-sign", "a@b", None,
])
def test_bad_addresses_are_refused(raw):
    with pytest.raises(AddressError):
        normalize_address(raw)


@pytest.mark.parametrize(("language", "html_tag"), [
    ("ar", '<html lang="ar" dir="rtl">'), ("he-IL", '<html lang="he-IL" dir="rtl">'),
    ("es", '<html lang="es">')])
def test_mail_pages_read_in_the_editions_direction(language, html_tag):
    from django.template.loader import render_to_string

    from wiredesk.editions.models import Edition

    edition = Edition(name="Sun", slug="sun", time_zone="UTC", language=language)
    assert html_tag in render_to_string("digest/notice.html", {"edition": edition})


def _whole_message_reference(parts, *, to, message_id, date, unsubscribe_url,
                             preferences_url, boundary) -> bytes:
    """The message as it was assembled before the shared parts were encoded once: each
    body personalized whole, then quoted-printable, then CRLF over everything."""
    import binascii
    from email.utils import format_datetime

    from wiredesk.digest.render import personalize

    def qp(text):
        return binascii.b2a_qp(text.replace("\r\n", "\n").encode(), quotetabs=False,
                               istext=True, header=False)

    def header(name, value):
        return f"{name}: {value}\n".encode()

    text = personalize(parts.rendered.text, unsubscribe_url, preferences_url)
    html = personalize(parts.rendered.html, unsubscribe_url, preferences_url)
    head = b"".join([
        header("From", parts.from_header),
        *([header("Reply-To", parts.reply_to)] if parts.reply_to else []),
        header("To", to), header("Subject", parts.subject_header),
        header("Date", format_datetime(date)), header("Message-ID", message_id),
        header("MIME-Version", "1.0"), header("List-Id", parts.list_id),
        header("List-Unsubscribe", f"<{unsubscribe_url}>"),
        header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        header("Precedence", "bulk"),
        header("Content-Type", f'multipart/alternative; boundary="{boundary}"')])
    b = boundary.encode()
    body = b"".join([
        b"\n--", b, b'\nContent-Type: text/plain; charset="utf-8"\n',
        b"Content-Transfer-Encoding: quoted-printable\n\n", qp(text),
        b"\n--", b, b'\nContent-Type: text/html; charset="utf-8"\n',
        b"Content-Transfer-Encoding: quoted-printable\n\n", qp(html),
        b"\n--", b, b"--\n"])
    return (head + body).replace(b"\n", b"\r\n")


@pytest.mark.parametrize("unsubscribe_url,preferences_url", [
    ("https://e.example/digest/unsubscribe/WzEsImFiYyJd:sig", "https://e.example/p/T"),
    # Long enough that quoted-printable must break the line inside the link, and
    # starting at a column where a short one would not.
    ("https://chilesun.example/digest/unsubscribe/" + "Wz" * 60 + ":" + "s" * 43,
     "https://chilesun.example/digest/preferences/" + "x=y" * 40),
])
@pytest.mark.parametrize("from_template", [False, True])
def test_shared_parts_encoded_once_give_the_bytes_of_encoding_each_copy_whole(
        unsubscribe_url, preferences_url, from_template, monkeypatch):
    """Splicing a reader's links into parts encoded once is byte for byte the message the
    whole personalized text would give: soft line breaks, trailing spaces, dots, tabs,
    non-ASCII and lines with both links included."""
    import re

    from wiredesk.digest import render

    placeholders = (render.UNSUBSCRIBE_PLACEHOLDER, render.PREFERENCES_PLACEHOLDER)
    if from_template:
        from django.template.loader import render_to_string

        from wiredesk.editions.models import Edition

        edition = Edition(name="Sun", slug="sun", time_zone="UTC",
                          postal_address="1 Calle Sol")
        context = {"edition": edition, "groups": [], "base_url": "https://e.example",
                   "issue_label": "12 jul", "since": "", "story_count": 0,
                   "unsubscribe_url": placeholders[0], "preferences_url": placeholders[1]}
        text = render_to_string("digest/email.txt", context)
        html = render_to_string("digest/email.html", context)
    else:
        text = ("Señor Piñera’s visit 東京 \n.\n\tTabbed line ending in space \n"
                + "word " * 40 + f"Unsubscribe: {placeholders[0]}\n"
                + f"Both {placeholders[0]} and {placeholders[1]} \n" + "x" * 200
                + f"\r\nlast {placeholders[1]}")
        html = (f'<p>{"é" * 90}</p>\n<p><a href="{placeholders[0]}">U</a> &middot; '
                f'<a href="{placeholders[1]}">P</a></p>\n<p>end</p>')
    assert placeholders[0] in text and placeholders[1] in html
    parts = parts_for("Café Sol", "Sun daily: a day", text, html)
    when = datetime(2025, 7, 12, 5, 14, tzinfo=UTC)
    data = render.assemble_message(
        parts, to="reader@example.org", message_id="<1.2@example.org>", date=when,
        unsubscribe_url=unsubscribe_url, preferences_url=preferences_url)
    boundary = re.search(rb'boundary="([^"]+)"', data).group(1).decode()
    assert data == _whole_message_reference(
        parts, to="reader@example.org", message_id="<1.2@example.org>", date=when,
        unsubscribe_url=unsubscribe_url, preferences_url=preferences_url,
        boundary=boundary)
    message = parse(data)
    assert unsubscribe_url in message.get_body(("plain",)).get_content()
    assert preferences_url in message.get_body(("html",)).get_content()
