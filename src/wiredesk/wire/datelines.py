"""Datelines: where and when a story was filed, and by which agency.

Recognised styles (a place, an optional date, the agencies in parentheses, then a
separator)::

    New Delhi [India], July 12 (ANI):
    Lucknow (Uttar Pradesh) [India], July 10 (ANI):   the state in parentheses
    New York [US], July 12 (ANI/WAM):          two agencies
    (250711) -- WASHINGTON, July 11, 2025 (Xinhua) --
    WASHINGTON (AP) —
    FORT WASHINGTON, Pa. (AP) —
    LONDON, July 12 (Reuters) -
    PARIS (AFP) -
    MOSCOW, July 11 (RFE/RL) --                one agency with a slash in its name
    SYDNEY, March 22 AAP -                     agency without parentheses (AAP NITF)
    SANTIAGO, 12 jul (Prensur) —               the day first (Spanish, French)

Anything else leaves the text untouched: a wrong dateline is worse than none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Agency names that contain a slash: never split them into two agencies.
COMPOUND_AGENCIES = {"RFE/RL", "AP/NORC", "AFP/JIJI"}
# Agencies that write their own name in lower case; any other agency name has a capital.
LOWERCASE_AGENCIES = {"dpa", "apa", "sda", "ats", "ansa"}
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|"
          r"Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
# Spanish and French copy put the day first: "12 jul", "12 de julio de 2025", "12 juil.".
_DAY_FIRST_MONTH = (r"(?:ene(?:ro)?|feb(?:rero)?|mar(?:zo|s)?|abr(?:il)?|avr(?:il)?|mayo?|mai|"
                    r"jun(?:io)?|juin|jul(?:io)?|juil(?:let)?|ago(?:sto)?|août|"
                    r"sept?(?:iembre|embre)?|oct(?:ubre|obre)?|nov(?:iembre|embre)?|"
                    r"dic(?:iembre)?|déc(?:embre)?|janv(?:ier)?|févr(?:ier)?)\.?")
_DATE = (rf"(?:{_MONTH}\s+\d{{1,2}}(?:,?\s+\d{{4}})?"
         rf"|\d{{1,2}}\s+(?:de\s+)?{_DAY_FIRST_MONTH}(?:\s+(?:de\s+)?\d{{4}})?)")
_WORD = r"[A-Z\u00c0-\u00de][\w'’.\-]*"
# One to five capitalised words ("New Delhi", "FORT WASHINGTON", "Rio de Janeiro").
_PLACE = rf"{_WORD}(?:\s+(?:de|da|do|del|la|le|of|am|an|upon|sur|en|el)?\s*{_WORD}){{0,4}}"
_SEPARATOR = r"(?::|--|—|–|-)"
_AGENCY = r"[A-Za-z][A-Za-z&.\-]{1,15}"
_DATELINE = re.compile(
    rf"""^\s*
    (?:\((?P<code>\d{{6}})\)\s*(?:--|—|–)\s*)?             # Xinhua's (yymmdd) --
    (?P<place>{_PLACE}
        (?:\s*\([^()]{{1,40}}\)(?=\s*\[))?                # (Uttar Pradesh) before [India]
        (?:\s*\[[^\]\[]{{1,40}}\])?                        # [India]
        (?:,\s*[A-Z][a-z]{{1,4}}\.)?                       # , Pa.
        (?:,\s*[A-Z][A-Za-z]+(?:\s[A-Z][A-Za-z]+)?(?=\s*,\s*{_MONTH}))?  # , Ontario
    )
    (?:,?\s+(?P<date>{_DATE}))?
    \s*(?:\((?P<agencies>{_AGENCY}(?:\s*/\s*{_AGENCY}){{0,3}})\)
        |(?P<bare>[A-Z]{{2,6}})(?=\s*{_SEPARATOR}))
    \s*(?P<sep>{_SEPARATOR})\s+
    """,
    re.VERBOSE,
)
# Words that begin sentences and never name a place filed from.
_NOT_PLACES = {"The", "A", "An", "He", "She", "It", "They", "We", "This", "That", "But",
               "And", "In", "On", "At", "When", "If", "As", "By", "For", "Officials"}


@dataclass(slots=True)
class Dateline:
    text: str  # the dateline as written, without the trailing separator
    place: str
    date: str = ""
    agencies: list[str] = field(default_factory=list)
    code: str = ""
    rest: str = ""  # the text after the dateline


def _agencies(raw: str) -> list[str]:
    raw = " ".join(raw.split()).replace(" / ", "/").replace(" /", "/").replace("/ ", "/")
    if raw.upper() in COMPOUND_AGENCIES:
        return [raw]
    names: list[str] = []
    parts = raw.split("/")
    i = 0
    while i < len(parts):
        pair = "/".join(parts[i:i + 2])
        if pair.upper() in COMPOUND_AGENCIES:
            names.append(pair)
            i += 2
            continue
        names.append(parts[i])
        i += 1
    return [n for n in names if n]


def parse_dateline(text: str) -> Dateline | None:
    """The dateline at the start of ``text``, or None when there is no recognised one."""
    match = _DATELINE.match(text or "")
    if not match:
        return None
    place = " ".join(match.group("place").split()).rstrip(",")
    first_word = place.split()[0]
    if first_word in _NOT_PLACES:
        return None
    agencies = _agencies(match.group("agencies") or match.group("bare") or "")
    if not agencies or any(a == a.lower() and a not in LOWERCASE_AGENCIES for a in agencies):
        return None
    if match.group("bare") and not match.group("date"):
        return None  # "SYDNEY AAP -" alone is too weak a signal
    rest = text[match.end():]
    if not rest.strip():
        return None
    dateline_text = text[:match.start("sep")].strip()
    return Dateline(text=dateline_text, place=place, date=match.group("date") or "",
                    agencies=agencies, code=match.group("code") or "", rest=rest)
