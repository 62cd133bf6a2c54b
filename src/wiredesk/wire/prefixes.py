"""Agency prefixes on headlines: ``CORRECTED-``, ``UPDATE 2-``, ``REFILE-``, ``URGENT:`` ...

Agencies put a version's status in front of its headline. It is the item's status, never
part of the headline a reader, a slug, a feed or a search engine sees: ``parse_prefixes``
takes every prefix off the front (they stack: ``UPDATE 2-CORRECTED-``) and says what they
meant. Only the agency form counts, so ordinary headlines that start with the same words
("Update on flood relief", "Urgent care clinic opens", "Flash-flood warning") are left
alone:

- a prefix is a known word at the very start, then a separator and more headline;
- ``-`` and ``:`` (with any spacing) and dashes are separators in any letter case, except
  that a word which also makes English compounds ("Flash-flood", "Breaking-news") needs
  the upper case or a space beside its dash;
- a plain space is a separator only after the upper-case word (``URGENT Quake hits``),
  and not when the whole headline is in capitals (unless numbered: ``UPDATE 2 QUAKE``).

Pure: no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# word -> what it means. A signal is what the version is (the strongest wins, see below);
# an urgency is IPTC's 1 (flash) to 9; a label is kept in the item's flags only.
CORRECTION, UPDATE, REFILE, WRAPUP = "correction", "update", "refile", "wrapup"
_MEANING: dict[str, tuple[str, int | None]] = {
    "CORRECTED": (CORRECTION, None),
    "CORRECTION": (CORRECTION, None),
    "CORRECTING": (CORRECTION, None),
    "CORRECTS": (CORRECTION, None),
    "UPDATE": (UPDATE, None),
    "UPDATED": (UPDATE, None),
    "REFILE": (REFILE, None),
    "REFILED": (REFILE, None),
    "RPT": (REFILE, None),
    "REPEAT": (REFILE, None),
    "WRAPUP": (WRAPUP, None),
    "WRAP": (WRAPUP, None),
    "FLASH": ("", 1),
    "ALERT": ("", 1),
    "BULLETIN": ("", 2),
    "BREAKING": ("", 2),
    "URGENT": ("", 3),
    "ADVISORY": ("", None),
    "EXCLUSIVE": ("", None),
}
# English words that also start ordinary compounds or phrases: stricter separators.
_COMMON_WORDS = {"UPDATE", "UPDATED", "REPEAT", "FLASH", "ALERT", "BULLETIN", "BREAKING",
                 "URGENT", "ADVISORY", "EXCLUSIVE", "WRAP", "CORRECTION"}
# The strongest signal names the version: a refiled correction is a correction.
_SIGNAL_RANK = [CORRECTION, REFILE, WRAPUP, UPDATE]

_WORDS = "|".join(sorted(_MEANING, key=len, reverse=True))
_PREFIX = re.compile(
    rf"^(?P<word>{_WORDS})(?:[ ]?(?P<number>\d{{1,2}}))?"
    r"(?P<sep>\s*[-:\u2013\u2014]\s*|\s+)(?P<rest>\S.*)$",
    re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Prefixes:
    """A headline without its agency prefixes, and what they said."""

    headline: str
    words: tuple[str, ...] = ()  # as found, upper case, numbers kept: ("UPDATE 2", "CORRECTED")
    signal: str = ""  # correction, refile, wrapup, update or ""
    urgency: int | None = None  # the most urgent prefix's IPTC urgency, if any
    labels: tuple[str, ...] = field(default=())  # e.g. ("exclusive",)

    @property
    def is_correction(self) -> bool:
        return self.signal == CORRECTION

    @property
    def flags(self) -> list[str]:
        """What the item's flags record of its prefixes, e.g. ``prefix:update-2``."""
        return ["prefix:" + word.lower().replace(" ", "-") for word in self.words]


def _one_prefix(headline: str) -> tuple[str, str] | None:
    """(the word as found, the rest of the headline) when it starts with a prefix."""
    found = _PREFIX.match(headline)
    if found is None:
        return None
    word, number, sep, rest = (found.group("word"), found.group("number"), found.group("sep"),
                               found.group("rest"))
    upper_word = word.upper()
    as_written_upper = word == upper_word
    if number and upper_word not in {"UPDATE", "WRAPUP", "WRAP", "REFILE"}:
        return None
    if not sep.strip():  # a plain space
        if not as_written_upper:
            return None
        if not number and rest.upper() == rest:  # all capitals: "URGENT CARE CLINIC OPENS"
            return None
    elif sep.strip() != ":" and not as_written_upper and upper_word in _COMMON_WORDS \
            and not number and sep == sep.strip():
        return None  # "Flash-flood warning", "Update-ready": a compound, not a prefix
    return (upper_word + (f" {number}" if number else "")), rest


def parse_prefixes(headline: str) -> Prefixes:
    """Take every agency prefix off the front of a headline (the rest is kept verbatim).

    A headline that would be nothing but prefixes is kept as it is: a headline is never
    lost to this."""
    rest = headline.strip()
    words: list[str] = []
    for _ in range(8):  # prefixes stack; a hostile headline of thousands of them does not
        found = _one_prefix(rest)
        if found is None:
            break
        words.append(found[0])
        rest = found[1].strip()
    if not words:
        return Prefixes(headline=headline)
    meanings = [_MEANING[word.split(" ")[0]] for word in words]
    signals = {signal for signal, _ in meanings if signal}
    urgencies = [urgency for _, urgency in meanings if urgency is not None]
    labels = tuple(word.lower() for word in words if word in {"ADVISORY", "EXCLUSIVE"})
    return Prefixes(
        headline=rest, words=tuple(words),
        signal=next((s for s in _SIGNAL_RANK if s in signals), ""),
        urgency=min(urgencies) if urgencies else None, labels=labels)


# "(Corrects ...)", and Reuters' "(In Jan. 3 story, corrects last paragraph to ...)".
_CORRECTION_NOTE = re.compile(
    r"^\(\s*(?P<text>(?:in\s[^,()]{1,60}\b(?:story|item|report|article)s?,\s*)?"
    r"(?:corrects|correcting|corrected|correction)\b[^()]*?)\s*\)$",
    re.IGNORECASE)


def correction_text(paragraph: str) -> str:
    """The agency's own words about a correction, from a paragraph such as
    "(Corrects paragraph 3 to show the minister resigned, not was fired)" or "(In Jan. 3
    story, corrects last paragraph to ...)"; "" if the paragraph is not one."""
    text = " ".join(paragraph.split())
    if not (text.startswith("(") and text.endswith(")")) or len(text) > 600:
        return ""
    found = _CORRECTION_NOTE.match(text)
    return found.group("text").strip() if found else ""
