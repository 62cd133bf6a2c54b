"""Agency prefixes on headlines: taken off, read as the item's status, never a false hit."""

import pytest

from wiredesk.wire.normalize import normalize
from wiredesk.wire.prefixes import correction_text, parse_prefixes
from wiredesk.wire.types import WireItem


@pytest.mark.parametrize("headline,clean,signal,words", [
    ("CORRECTED-Bank holds rates", "Bank holds rates", "correction", ("CORRECTED",)),
    ("CORRECTION-Bank holds rates", "Bank holds rates", "correction", ("CORRECTION",)),
    ("Corrected-Bank holds rates", "Bank holds rates", "correction", ("CORRECTED",)),
    ("corrected: bank holds rates", "bank holds rates", "correction", ("CORRECTED",)),
    ("CORRECTED Bank holds rates", "Bank holds rates", "correction", ("CORRECTED",)),
    ("UPDATE 1-Bank holds rates", "Bank holds rates", "update", ("UPDATE 1",)),
    ("UPDATE 12-Bank holds rates", "Bank holds rates", "update", ("UPDATE 12",)),
    ("Update 2: Bank holds rates", "Bank holds rates", "update", ("UPDATE 2",)),
    ("UPDATE 3 - Bank holds rates", "Bank holds rates", "update", ("UPDATE 3",)),
    ("UPDATE 2 BANK HOLDS RATES", "BANK HOLDS RATES", "update", ("UPDATE 2",)),
    ("UPDATE 2-CORRECTED-Bank holds rates", "Bank holds rates", "correction",
     ("UPDATE 2", "CORRECTED")),
    ("REFILE-CORRECTED-Bank holds rates", "Bank holds rates", "correction",
     ("REFILE", "CORRECTED")),
    ("REFILE-Bank holds rates", "Bank holds rates", "refile", ("REFILE",)),
    ("RPT-Bank holds rates", "Bank holds rates", "refile", ("RPT",)),
    ("WRAPUP 1-Bank holds rates", "Bank holds rates", "wrapup", ("WRAPUP 1",)),
    ("WRAPUP 2-UPDATE 1-Markets fall", "Markets fall", "wrapup", ("WRAPUP 2", "UPDATE 1")),
    ("URGENT: Quake hits city", "Quake hits city", "", ("URGENT",)),
    ("URGENT Quake hits city", "Quake hits city", "", ("URGENT",)),
    ("Urgent: Quake hits city", "Quake hits city", "", ("URGENT",)),
    ("FLASH-Quake hits city", "Quake hits city", "", ("FLASH",)),
    ("BULLETIN: Quake hits city", "Quake hits city", "", ("BULLETIN",)),
    ("ADVISORY-Coverage plans for Sunday", "Coverage plans for Sunday", "", ("ADVISORY",)),
    ("EXCLUSIVE-Bank weighs sale", "Bank weighs sale", "", ("EXCLUSIVE",)),
    ("Exclusive: Bank weighs sale", "Bank weighs sale", "", ("EXCLUSIVE",)),
    ("  UPDATE 1 \u2013 Bank holds rates ", "Bank holds rates", "update", ("UPDATE 1",)),
])
def test_prefixes_are_taken_off_and_read(headline, clean, signal, words):
    found = parse_prefixes(headline)
    assert (found.headline, found.signal, found.words) == (clean, signal, words)


def test_urgency_and_labels():
    assert parse_prefixes("FLASH-Quake").urgency == 1
    assert parse_prefixes("BULLETIN-Quake").urgency == 2
    assert parse_prefixes("URGENT-Quake").urgency == 3
    assert parse_prefixes("URGENT-FLASH-Quake").urgency == 1  # the most urgent
    assert parse_prefixes("CORRECTED-Quake").urgency is None
    assert parse_prefixes("EXCLUSIVE-Quake").labels == ("exclusive",)
    assert parse_prefixes("UPDATE 2-CORRECTED-Quake").flags == ["prefix:update-2",
                                                                "prefix:corrected"]


@pytest.mark.parametrize("headline", [
    "Update on flood relief",
    "Urgent care clinic opens",
    "URGENT CARE CLINIC OPENS",
    "Flash-flood warning issued for the valley",
    "Flash floods kill ten",
    "Breaking-news rules change",
    "Updated forecast shows rain",
    "Updates to the tax code",
    "Correctional officers strike",
    "Corrections officers strike",
    "Refiled lawsuit heads to court",
    "Repeat offenders face longer terms",
    "Wrap-up of the week in markets",
    "Alert-level raised at volcano",
    "Exclusive interview with the minister",
    "Advisory board meets",
    "Bulletin board thefts rise",
    "The minister issued a correction",
    "Bank holds rates - CORRECTED",
    "",
])
def test_ordinary_headlines_are_left_alone(headline):
    found = parse_prefixes(headline)
    assert (found.headline, found.words, found.signal) == (headline, (), "")


@pytest.mark.parametrize("headline", ["CORRECTED-", "URGENT:", "UPDATE 1-", "CORRECTED"])
def test_a_headline_is_never_only_taken_away(headline):
    # Nothing after the prefix: it is not one, and the headline is kept.
    assert parse_prefixes(headline).headline == headline


def test_hostile_stack_is_bounded():
    headline = "URGENT-" * 5000 + "Quake"
    found = parse_prefixes(headline)
    assert len(found.words) == 8 and found.headline.endswith("Quake")


@pytest.mark.parametrize("paragraph,note", [
    ("(Corrects paragraph 3 to show the bank held rates, not cut them)",
     "Corrects paragraph 3 to show the bank held rates, not cut them"),
    ("( Corrects spelling of minister's name in headline )",
     "Corrects spelling of minister's name in headline"),
    ("(Correction: an earlier version misstated the date)",
     "Correction: an earlier version misstated the date"),
    ("(In Jan. 3 story, corrects last paragraph to reflect that\nfigure refers to "
     "capacity)", "In Jan. 3 story, corrects last paragraph to reflect that figure refers "
                  "to capacity"),
    ("(In a story on Friday, the minister corrects the record)", ""),
        ("Corrects paragraph 3", ""),  # not the agency's bracketed note
    ("(Adds quote in paragraph 4)", ""),
    ("(Reporting by Jane Doe)", ""),
    ("The bank corrects its forecast (again)", ""),
])
def test_correction_text(paragraph, note):
    assert correction_text(paragraph) == note


def _item(title, body="<p>The bank held rates on Saturday, officials said.</p>"):
    return WireItem(title=title, body=body)


def test_normalize_takes_prefixes_off_before_identity_and_fingerprint():
    first = normalize(_item("Bank holds rates"))
    again = normalize(_item("REFILE-UPDATE 1-Bank holds rates"))
    # With no guid and no link, the headline is part of the identity: the prefix is not.
    assert (again.headline, again.identity, again.fingerprint) == (
        "Bank holds rates", first.identity, first.fingerprint)
    assert again.signal == "refile"
    assert again.flags == ["prefix:refile", "prefix:update-1"]
    assert normalize(_item("FLASH-Quake hits city")).urgency == 1


def test_normalize_reads_the_agencys_correction_note():
    clean = normalize(_item("CORRECTED-Bank holds rates",
                            "<p>(Corrects paragraph 1 to show rates were held)</p>"
                            "<p>The bank held rates on Saturday, officials said.</p>"))
    assert clean.signal == "correction"
    assert clean.correction_note == "Corrects paragraph 1 to show rates were held"
    assert "Corrects" not in clean.body_html and "officials said" in clean.body_html


def test_a_release_headline_is_its_own_words():
    clean = normalize(_item("Update: our new store opens"), agency_prefixes=False)
    assert (clean.headline, clean.signal) == ("Update: our new store opens", "")
