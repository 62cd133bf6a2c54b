"""The submitter's mail reads as sentences and comes from the edition, as its digest does."""

from __future__ import annotations

import re
from email.headerregistry import Address

import pytest

from tests.releases.conftest import CHILE_HOST, form_data
from wiredesk.releases import services
from wiredesk.releases.models import Release

# Each request commits its mail through `requests_commit`: no transactional database needed.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("requests_commit")]

HEADLINE = "Rowing club opens new boathouse with junior regatta"


@pytest.fixture
def plain_sender(smtp, settings):
    """The configured sender as an operator leaves it: the software's name on it."""
    settings.DEFAULT_FROM_EMAIL = "wiredesk <news@wiredesk.example>"
    return smtp


def sender_of(received) -> Address:
    (address,) = received.message["From"].addresses
    return address


def digest_sender(edition) -> Address:
    from email import message_from_bytes, policy

    from wiredesk.digest.render import RenderedDigest, message_parts

    parts = message_parts(RenderedDigest(subject="s", text="", html="", story_count=0),
                          edition)
    header = message_from_bytes(f"From: {parts.from_header}\n\n".encode(),
                                policy=policy.default)
    (address,) = header["From"].addresses
    return address


def paragraphs(body: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]


def assert_reads_as_sentences(body: str, headline: str) -> None:
    """Greeting, then sentences that begin with a capital and end with a stop; the
    headline quoted on a line of its own, introduced by the sentence before it."""
    parts = paragraphs(body)
    assert parts[0].startswith("Hello ") and parts[0].endswith(",")
    quoted = f'"{headline}"'
    assert quoted in parts, body
    assert parts[parts.index(quoted) - 1].endswith(":"), body
    for part in parts[1:]:
        if len(part.split()) >= 5 and "://" not in part and part != quoted:
            assert part[0].isupper() and part[-1] in ".:", part
    for line in body.splitlines():
        assert headline not in line or line.strip() == quoted, line


def test_every_release_mail_comes_from_the_edition_as_its_digest_does(
        client, plain_sender, editions, commit):
    smtp = plain_sender
    _chile, euro = editions
    client.post("/euro-ledger/releases/submit", form_data(euro, category="business"))
    verify = smtp.last("ana@rowing.example")
    client.post(verify.link("verify"))
    receipt = smtp.last("ana@rowing.example")
    with commit():
        services.release_approve(release=Release.objects.get(),
                                 actor=services.Actor(label="test"))
    approved = smtp.last("ana@rowing.example")

    expected = Address("Euro Ledger", addr_spec="news@wiredesk.example")
    assert digest_sender(euro) == expected
    for received in (verify, receipt, approved):
        assert sender_of(received) == expected, received.message["From"]
        assert received.sender == "news@wiredesk.example"  # the SMTP envelope


def test_an_editions_own_sender_name_and_address_are_used(client, plain_sender, editions,
                                                         commit):
    from wiredesk.editions.services import edition_brand_set

    smtp = plain_sender
    _chile, euro = editions
    edition_brand_set(euro, sender_name="Euro Ledger desk",
                      sender_address="desk@euroledger.example")
    client.post("/euro-ledger/releases/submit", form_data(euro, category="business"))
    verify = smtp.last("ana@rowing.example")
    expected = Address("Euro Ledger desk", addr_spec="desk@euroledger.example")
    assert sender_of(verify) == expected
    assert verify.sender == "desk@euroledger.example"  # the SMTP envelope
    assert digest_sender(euro) == expected


def test_the_mails_read_as_sentences(client, smtp, editions, commit):
    chile, _euro = editions
    client.post("/chile-sun/releases/submit", form_data(chile))
    verify = smtp.last("ana@rowing.example")
    assert_reads_as_sentences(verify.body, HEADLINE)
    assert "Chile Sun" in verify.body and "Valparaiso Rowing Club" in verify.body

    client.post(verify.link("verify"), HTTP_HOST=CHILE_HOST)
    receipt = smtp.last("ana@rowing.example")
    assert f'Headline:  "{HEADLINE}"' in receipt.body

    with commit():
        services.release_approve(release=Release.objects.get(),
                                 actor=services.Actor(label="test"))
    assert_reads_as_sentences(smtp.last("ana@rowing.example").body, HEADLINE)

    other = "Choir gives a free concert in the cathedral"
    client.post("/chile-sun/releases/submit", form_data(
        chile, email="bo@other.example", organisation="Other Org", headline=other))
    client.post(smtp.last("bo@other.example").link("verify"), HTTP_HOST=CHILE_HOST)
    with commit():
        services.release_reject(release=Release.objects.get(email="bo@other.example"),
                                actor=services.Actor(label="test"),
                                reason="We only publish releases about events in Chile.")
    rejected = smtp.last("bo@other.example")
    assert_reads_as_sentences(rejected.body, other)
    assert "We only publish releases about events in Chile." in rejected.body
