"""People, organisations and places named in an item, found cheaply (no model, no download).

Names are runs of capitalised words in running text. A run counts when the item makes it
stand out: it is in the headline, or the body names it twice (a later mention by surname
alone counts for the full name, as news copy does: "Teodor Vasek ... Vasek said"). Readers
see these as tags, so precision is preferred to recall: single words are kept only when
their kind is clear from the words around them, and sentence-initial words alone never are.

The kind comes from the name's own words (``... Group``, ``Ministry of ...``, an acronym),
from a title before it (``Judge``, ``Governor``) or a preposition of place (``in``,
``near``); a two- or three-word name with none of these is taken for a person.

Capitals mark names in English and the Romance languages, not in German (every noun has
one: "Die Opposition" is no person), and not at all in scripts without case (Arabic,
Devanagari, Chinese...): items known to be in those languages get no names rather than
wrong ones (``language``: the item's BCP 47 tag, ``wire.language.detect``).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from wiredesk.wire.language import primary

PERSON, ORGANISATION, PLACE = "person", "organisation", "place"
# Languages whose capitals do not mark names (nouns are capitalised).
NOUNS_CAPITALISED = frozenset({"de", "lb", "gsw"})
MAX_TEXT_CHARS = 30_000
MAX_ENTITIES = 8

_TOKEN = re.compile(r"[^\W\d_][^\W_]*(?:['’.-][^\W_]+)*|[0-9]+|[.!?;:,\"“”()«»—–]", re.U)


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_CONNECTORS = frozenset({"of", "de", "del", "la", "le", "al", "bin", "van", "von", "der",
                         "da", "do", "dos", "du", "for", "and"})
_LEADING_NOISE = _word_set("""
the a an this that these those his her their its our my your mr mrs ms dr prof sir
monday tuesday wednesday thursday friday saturday sunday january february march april may
june july august september october november december update updated breaking exclusive
photos video watch live analysis opinion editorial report reports but and or if when while
after before as at in on for from by with without under over into of to
""")
_ORG_WORDS = _word_set("""
group bank party ministry council court university inc ltd llc plc corp corporation company
co agency association federation union club police army navy committee commission
parliament government authority department office institute foundation fc airlines airways
network news times post press tribunal senate congress assembly board fund service services
organisation organization alliance front movement church hospital school college academy
airport railways railway exchange reserve brigade force forces league trust holdings
rovers united wanderers athletic rangers products industries motors systems technologies media
partners capital energy pharmaceuticals labs line lines
""")
_PLACE_WORDS = _word_set("""
city island islands river valley province county state republic kingdom street square
mountains mountain lake sea ocean bay gulf coast region district port harbour harbor avenue
road
""")
_PERSON_TITLES = _word_set("""
mr mrs ms dr prof sir judge governor president minister senator mayor general colonel
captain coach chancellor king queen prince princess pope bishop sheikh chairman chief
officer inspector spokesman spokeswoman ambassador secretary premier councillor lawyer
striker midfielder defender goalkeeper manager director actor actress singer
""")
_PLACE_PREPOSITIONS = frozenset({"in", "near", "across", "outside"})
_PLACE_FIRST = frozenset({"port", "mount", "mt", "lake", "cape", "fort", "san", "santa",
                          "saint", "st", "los", "las", "el", "new", "north", "south", "east",
                          "west"})
_SENTENCE_END = frozenset(".!?;:\"“”")


@dataclass(frozen=True, slots=True)
class Entity:
    name: str
    kind: str

    @property
    def key(self) -> str:
        return entity_key(self.name)


def entity_key(name: str) -> str:
    """A URL-safe, accent-free key: one tag page per name however it is written."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:100]


def _is_capitalised(token: str) -> bool:
    return token[:1].isupper() and token[:1].isalpha()


def _is_acronym(token: str) -> bool:
    return 2 <= len(token) <= 6 and token.isalpha() and token.isupper()


def _runs(text: str) -> list[tuple[list[str], bool, str]]:
    """Runs of capitalised words: (words, opens a sentence, the lower-cased word before)."""
    tokens = _TOKEN.findall(text)
    runs = []
    i = 0
    previous = "."
    while i < len(tokens):
        token = tokens[i]
        if not _is_capitalised(token):
            previous = token
            i += 1
            continue
        opens = previous in _SENTENCE_END or previous == "."
        before = previous.lower()
        words = [token]
        j = i + 1
        while j < len(tokens):
            nxt = tokens[j]
            if _is_capitalised(nxt):
                words.append(nxt)
                j += 1
            elif (nxt in _CONNECTORS and j + 1 < len(tokens) and _is_capitalised(tokens[j + 1])):
                words.extend([nxt, tokens[j + 1]])
                j += 2
            else:
                break
        runs.append((words, opens, before))
        previous = words[-1]
        i = j
    return runs


def _trim(words: list[str], opens: bool, before: str) -> tuple[list[str], str, bool]:
    """Drop noise at the start of a run (``The``, ``Judge``): the title becomes a hint.

    Also says whether the run still opens its sentence (where any word is capitalised).
    """
    hint = before
    while words and words[0].lower().rstrip(".") in _LEADING_NOISE | _PERSON_TITLES:
        hint = words[0].lower().rstrip(".")
        words = words[1:]
        opens = False
    while words and words[-1] in _CONNECTORS:
        words = words[:-1]
    return words, hint, opens


def _kind(words: list[str], hint: str) -> str | None:
    last = words[-1].lower()
    if len(words) == 1 and _is_acronym(words[0]):
        return ORGANISATION
    if last in _ORG_WORDS or words[0].lower() in {"ministry", "university", "bank"}:
        return ORGANISATION
    if last in _PLACE_WORDS or (len(words) > 1 and words[0].lower() in _PLACE_FIRST):
        return PLACE
    if hint in _PERSON_TITLES:
        return PERSON
    if hint in _PLACE_PREPOSITIONS:
        return PLACE
    if 2 <= len(words) <= 3 and all(w not in _CONNECTORS for w in words):
        return PERSON
    return None


def extract(headline: str, body_text: str, *, limit: int = MAX_ENTITIES,
            language: str = "") -> list[Entity]:
    """The names an item is about, most mentioned first.

    Names are read from the body only: headlines are often in title case, where every word
    is capitalised. A name the headline repeats counts as one more mention. None for an
    item in a language whose capitals do not mark names (see the module's docstring).
    """
    if primary(language) in NOUNS_CAPITALISED:
        return []
    text = (body_text or "")[:MAX_TEXT_CHARS]
    found: dict[str, Entity] = {}
    counts: Counter[str] = Counter()
    surnames: dict[str, str] = {}
    singles: list[tuple[str, str, bool]] = []
    kinds: dict[str, Counter[str]] = {}
    for line in text.splitlines():
        for words, opens, before in _runs(line):
            words, hint, opens = _trim(words, opens, before)
            if not words or any(len(w) < 2 for w in words if w not in _CONNECTORS):
                continue
            words[-1] = re.sub(r"['’]s$", "", words[-1])
            name = " ".join(words)
            if len(name) > 80 or len(words) > 6:
                continue
            if len(words) == 1 and not _is_acronym(name):
                singles.append((name, hint, opens))
                continue
            kind = _kind(words, hint)
            if kind is None:
                continue
            kinds.setdefault(name, Counter())[kind] += 1
            found[name] = Entity(name, kind)
            counts[name] += 1
    for name, votes in kinds.items():
        # A title before any mention settles it; otherwise the most frequent reading.
        kind = votes.most_common(1)[0][0]
        found[name] = Entity(name, kind)
        if kind == PERSON:
            surnames.setdefault(name.split()[-1], name)
    single_kinds: dict[str, Counter[str]] = {}
    for name, hint, opens in singles:
        kind = None if opens or name in surnames else _kind([name], hint)
        if kind in (PLACE, ORGANISATION):
            single_kinds.setdefault(name, Counter())[kind] += 1
    for name, _hint, opens in singles:
        if name in surnames:  # "Vasek" after "Teodor Vasek"
            counts[surnames[name]] += 1
        elif name in single_kinds and not opens:
            # Once one mention shows what it is ("in Harlow"), "Harlow's appeal" counts too.
            found.setdefault(name, Entity(name, single_kinds[name].most_common(1)[0][0]))
            counts[name] += 1
    headline_words = set(_TOKEN.findall(headline or ""))
    for name in found:
        if set(name.split()) <= headline_words or (
                found[name].kind == PERSON and name.split()[-1] in headline_words):
            counts[name] += 1
    kept = [found[name] for name, count in counts.items() if count >= 2]
    kept.sort(key=lambda e: (-counts[e.name], e.name))
    unique: dict[str, Entity] = {}
    for entity in kept:
        if entity.key and entity.key not in unique:
            unique[entity.key] = entity
    return list(unique.values())[:limit]
