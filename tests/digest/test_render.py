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
