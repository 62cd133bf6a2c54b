"""Every dateline style the desk meets, and text that merely looks like one."""

import pytest

from wiredesk.wire.datelines import parse_dateline

STYLES = [
    ("New Delhi [India], July 12 (ANI): The minister said", "New Delhi [India]", "July 12",
     ["ANI"], "The minister said"),
    ("Lucknow (Uttar Pradesh) [India], July 10 (ANI): The state said",
     "Lucknow (Uttar Pradesh) [India]", "July 10", ["ANI"], "The state said"),
    ("New York [US], July 12 (ANI/WAM): The UAE envoy said", "New York [US]", "July 12",
     ["ANI", "WAM"], "The UAE envoy said"),
    ("(250711) -- WASHINGTON, July 11, 2025 (Xinhua) -- U.S. officials said", "WASHINGTON",
     "July 11, 2025", ["Xinhua"], "U.S. officials said"),
    ("WASHINGTON (AP) — The Senate voted", "WASHINGTON", "", ["AP"], "The Senate voted"),
    ("LONDON, July 12 (Reuters) - Britain said", "LONDON", "July 12", ["Reuters"],
     "Britain said"),
    ("PARIS (AFP) - France said", "PARIS", "", ["AFP"], "France said"),
    ("MOSCOW, July 11 (RFE/RL) -- Russia said", "MOSCOW", "July 11", ["RFE/RL"],
     "Russia said"),
    ("FORT WASHINGTON, Pa. (AP) — Nutrisystem said", "FORT WASHINGTON, Pa.", "", ["AP"],
     "Nutrisystem said"),
    ("London (dpa) - Eintracht Frankfurt", "London", "", ["dpa"], "Eintracht Frankfurt"),
    ("SYDNEY, March 22 AAP - Police said", "SYDNEY", "March 22", ["AAP"], "Police said"),
    ("SANTIAGO, 12 jul (Prensur) — El Gobierno anunció", "SANTIAGO", "12 jul", ["Prensur"],
     "El Gobierno anunció"),
    ("CIUDAD DE MÉXICO, 11 de julio de 2025 (Prensur) — La presidenta dijo",
     "CIUDAD DE MÉXICO", "11 de julio de 2025", ["Prensur"], "La presidenta dijo"),
    ("PARIS, 12 juil. (AFP) - Le gouvernement a annoncé", "PARIS", "12 juil.", ["AFP"],
     "Le gouvernement a annoncé"),
]


@pytest.mark.parametrize(("text", "place", "date", "agencies", "rest"), STYLES,
                         ids=[s[0][:24] for s in STYLES])
def test_dateline_styles(text, place, date, agencies, rest):
    dateline = parse_dateline(text)
    assert dateline is not None
    assert (dateline.place, dateline.date, dateline.agencies) == (place, date, agencies)
    assert dateline.rest == rest


def test_xinhua_code_is_kept():
    assert parse_dateline("(250711) -- WASHINGTON, July 11, 2025 (Xinhua) -- x").code == "250711"


NEGATIVE = [
    "New Delhi [India], July 12 ANI the minister said",       # no parentheses, no separator
    "New York [US] said on July 12 (ANI/WAM) that",           # not at the start
    "The ministry said (Xinhua) -- more",                      # sentence, not a place
    "Washington said (AP) — that",                             # lower-case word in the place
    "LONDON, July 12 (Reuters)",                              # nothing after the dateline
    "PARIS - France said",                                     # no agency
    "MOSCOW, July 11 (the RFE/RL bureau) -- Russia",           # prose in the parentheses
    "WASHINGTON (said) - x",                                   # a lower-case word is no agency
    "(250711) WASHINGTON, July 11 Xinhua officials",           # broken Xinhua shape
]


@pytest.mark.parametrize("text", NEGATIVE)
def test_unknown_styles_leave_the_text_alone(text):
    assert parse_dateline(text) is None
