"""People, organisations and places named in an item, found cheaply (no model, no download).

Names are runs of capitalised words in running text. A run counts when the item makes it
stand out: it is in the headline, or the body names it twice (a later mention by surname
alone counts for the full name, as news copy does: "Teodor Vasek ... Vasek said"). Readers
see these as tags, so precision is preferred to recall: single words are kept only when
their kind is clear from the words around them, and sentence-initial words alone never are.

The kind comes from the name's own words (``... Group``, ``Ministry of ...``, ``... Center``,
an acronym), from a gazetteer of known places (``wire.gazetteer``: countries, US states,
towns, each with its country), from a title before it (``Judge``, ``Governor``) or a
preposition of place (``in``, ``near``); a two- or three-word name with none of these is
taken for a person only when it looks like one: no acronym, demonym, country or event word
in it ("AM EDT", "Central Asian", "Academy Awards", "Grand Prix" are no one).

Never tags: the agencies' credit codes ("AP", "RFE"), and whatever the caller names in
``not_names`` (the agency and edition names), demonyms alone ("Central Asian"), common
acronyms that are no organisation ("TV", "EDT"). A possessive ends a name and, when it is
a country's, places the next name in it: "Kyrgyzstan's Naryn" is Naryn, in Kyrgyzstan.

Capitals mark names in English and the Romance languages, not in German (every noun has
one: "Die Opposition" is no person), and not at all in scripts without case (Arabic,
Devanagari, Chinese...): items known to be in those languages get no names rather than
wrong ones (``language``: the item's BCP 47 tag, ``wire.language.detect``).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from wiredesk.wire import gazetteer
from wiredesk.wire.name_words import (
    AGENCY_CODES,
    BUILDINGS,
    EVENT_WORDS,
    FACILITY_WORDS,
    NOT_ORG_ACRONYMS,
    ORG_WORDS,
    PLACE_FIRST,
    PLACE_WORDS,
    TEAM_AFTER,
    NameWords,
    fold,
    for_language,
)

PERSON, ORGANISATION, PLACE = "person", "organisation", "place"
MAX_TEXT_CHARS = 30_000
MAX_ENTITIES = 3
BIG_TOWN = 1_000_000  # a town this big is taken for itself without its country named

_TOKEN = re.compile(r"[^\W\d_][^\W_]*(?:['’.-][^\W_]+)*|[0-9]+|[.!?;:,\"“”()«»—–]", re.U)
# French elides its articles into the name: "l'Assemblée", "d'Italie".
_ELISION = re.compile(r"\b([cdjlmnst]|qu)['’](?=[^\W\d_])", re.I | re.U)
_GENERIC_WORDS = ORG_WORDS | PLACE_WORDS | FACILITY_WORDS  # "the Bank" names nothing
_ORG_OR_FACILITY = ORG_WORDS | FACILITY_WORDS
_SENTENCE_END = frozenset(".!?;:\"“”")
_POSSESSIVE = re.compile(r"['’]s$")
_PLURAL = re.compile(r"[b-hj-rtv-z]s$")  # "Colts", "Saints"; not "Acropolis", "Texas"


@dataclass(frozen=True, slots=True)
class Entity:
    name: str
    kind: str
    country: str = ""  # a known place's country (ISO 3166 alpha-2), else empty

    @property
    def key(self) -> str:
        return entity_key(self.name)


@lru_cache(maxsize=1 << 15)  # asked for every name of every item: most names recur
def entity_key(name: str) -> str:
    """A URL-safe, accent-free key: one tag page per name however it is written."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:100]


_AGENCY_KEYS = frozenset(entity_key(code) for code in AGENCY_CODES)


def _is_capitalised(token: str) -> bool:
    return token[:1].isupper() and token[:1].isalpha()


def _is_acronym(token: str) -> bool:
    return 2 <= len(token) <= 6 and token.isalpha() and token.isupper()


def _runs(text: str, lang: NameWords) -> list[tuple[list[str], bool, str, str]]:
    """Runs of capitalised words: (words, opens a sentence, the folded word before, the
    folded word after)."""
    if lang.elisions:
        text = _ELISION.sub(r"\1' ", text)
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
        before = fold(previous)
        words = [token]
        j = i + 1
        while j < len(tokens) and not _POSSESSIVE.search(words[-1]):
            if _is_capitalised(tokens[j]):
                words.append(tokens[j])
                j += 1
                continue
            # Particles inside a name: "Rio de Janeiro", "Ministerio de la Mujer".
            k = j
            while (k < len(tokens) and k - j < lang.connectors_in_a_row
                   and tokens[k] in lang.connectors):
                k += 1
            if k == j or k >= len(tokens) or not _is_capitalised(tokens[k]):
                break
            words.extend(tokens[j:k + 1])
            j = k + 1
        if lang.institution_adjectives and fold(words[-1]) in lang.org_heads:
            while j < len(tokens) and fold(tokens[j]) in lang.institution_adjectives:
                words.append(tokens[j])  # "Assemblée nationale"
                j += 1
        runs.append((words, opens, before, fold(tokens[j]) if j < len(tokens) else ""))
        previous = words[-1]
        i = j
    return runs


def _trim(words: list[str], opens: bool, before: str,
          lang: NameWords) -> tuple[list[str], str, bool]:
    """Drop noise at the start of a run (``The``, ``Judge``, ``Según``): the title becomes a
    hint. Also says whether the run still opens its sentence (where any word is capitalised).

    Where articles begin place names ("La Paz", "Los Ángeles", "Le Havre"), a run that is a
    known place keeps its article.
    """
    hint = before
    while (words and fold(words[0]).rstrip(".") in lang.noise_or_title
           and not _is_acronym(words[0])  # "WHO" is no "who"
           and not (lang.articles_in_place_names and gazetteer.lookup(" ".join(words)))):
        hint = fold(words[0]).rstrip(".")
        words = words[1:]
        opens = False
    while words and words[-1] in lang.connectors:
        words = words[:-1]
    return words, hint, opens


def _looks_like_a_person(words: list[str], lang: NameWords) -> bool:
    """Two or three ordinary capitalised words, none saying the name is something else."""
    if not 2 <= len(words) <= 3 or any(w in lang.connectors for w in words):
        return False
    lowered = [fold(w) for w in words]
    return not (any(w.isupper() for w in words)
                or any(w in lang.demonyms or w in EVENT_WORDS for w in lowered)
                or any(w in gazetteer.countries() for w in words))


def _is_team(words: list[str]) -> bool:
    return (len(words) > 1 and _PLURAL.search(words[-1]) is not None
            and not gazetteer.lookup(" ".join(words))
            and bool(gazetteer.lookup(" ".join(words[:-1]))))


def _kind(words: list[str], hint: str, lang: NameWords, after: str = "") -> str | None:
    name = " ".join(words)
    first, last = fold(words[0]), fold(words[-1])
    if len(words) == 1 and _is_acronym(words[0]):
        if name in NOT_ORG_ACRONYMS:
            return PLACE if gazetteer.lookup(name) else None
        return ORGANISATION
    if len(words) > 1 and first in lang.org_heads:
        return ORGANISATION  # the head first: "Banco Central de Chile", "Assemblée nationale"
    if len(words) > 1 and first in lang.place_heads:
        return PLACE  # "Plaza Baquedano", "Región de Valparaíso"
    if last in ORG_WORDS or first in {"ministry", "university", "bank"}:
        # "robbed at Marfin Bank": the building, where something happened, is a place.
        return PLACE if last in BUILDINGS and hint in lang.at_a_place else ORGANISATION
    if last in FACILITY_WORDS:
        return PLACE
    if _is_team(words):
        return ORGANISATION  # a town's team: "Indianapolis Colts", "Portland Pioneers"
    if len(words) == 2 and last == "state" and any(
            p.level == "state" for p in gazetteer.lookup(words[0])):
        return ORGANISATION  # a university: "Ohio State"
    known = gazetteer.lookup(name)
    # A one-word town needs more than its name (see ``extract``): "Bush" is a town in Egypt.
    if known and (len(words) > 1 or known[0].level != "town"):
        return ORGANISATION if known[0].level == "town" and after in TEAM_AFTER else PLACE
    if last in PLACE_WORDS or (len(words) > 1 and first in PLACE_FIRST):
        return PLACE
    if len(words) == 1 and (last in lang.demonyms or last in lang.never_alone):
        return None
    if hint in lang.titles:
        return PERSON if _looks_like_a_person(words, lang) or len(words) == 1 else None
    if hint in lang.place_prepositions:
        return PLACE if not any(fold(w) in lang.demonyms for w in words) else None
    if _looks_like_a_person(words, lang):
        return PERSON
    return None


def _surnames(name: str, lang: NameWords) -> set[str]:
    """What later mentions call a person: the last name; in Spanish copy also the first of
    two surnames ("Teresa Valdivieso Araya ... Valdivieso dijo")."""
    words = name.split()
    if lang.two_surnames and len(words) == 3:
        return {words[-1], words[1]}
    return {words[-1]}


def _split_at_and(words: list[str], hint: str,
                  lang: NameWords) -> list[tuple[list[str], str]]:
    """"The United States and Kyrgyzstan" names two places; "Fish and Wildlife Service" one,
    "Ministerio de Ciencia y Tecnología" too."""
    if (not any(w in lang.conjunctions for w in words)
            or fold(words[-1]) in _ORG_OR_FACILITY
            or fold(words[0]) in lang.heads):
        return [(words, hint)]
    parts, current = [], []
    for word in words:
        if word in lang.conjunctions:
            parts.append(current)
            current = []
        else:
            current.append(word)
    parts.append(current)
    return [(part, hint if i == 0 else "and") for i, part in enumerate(parts)]


def _sentence_case(headline: str) -> bool:
    """A headline whose longer words are mostly lower case ("Tara Reid enters rehab")."""
    words = [w for w in _TOKEN.findall(headline)[1:] if len(w) >= 4 and w[:1].isalpha()]
    return len(words) >= 3 and sum(w[:1].isupper() for w in words) * 2 < len(words)


def _never_tags(not_names: Iterable[str]) -> frozenset[str]:
    return _AGENCY_KEYS | {entity_key(n) for n in not_names if n}


def extract(headline: str, body_text: str, *, limit: int = MAX_ENTITIES,
            not_names: Iterable[str] = (), language: str = "") -> list[Entity]:
    """The names an item is about, most mentioned first.

    Names are read from the body only: headlines are often in title case, where every word
    is capitalised. A name the headline repeats counts as one more mention. ``not_names``
    never become tags (the caller's agency codes and names, the edition's name). None for
    an item in a language whose capitals do not mark names (see the module's docstring).
    """
    lang = for_language(language)
    if lang is None:
        return []
    text = (body_text or "")[:MAX_TEXT_CHARS]
    if _sentence_case(headline or ""):
        # Its capitals mark names, as in the body: a name in it is what the item is about.
        text = f"{headline}\n{text}"
    excluded = _never_tags(not_names)
    found: dict[str, Entity] = {}
    counts: Counter[str] = Counter()
    surnames: dict[str, str] = {}
    singles: list[tuple[str, str, bool]] = []
    kinds: dict[str, Counter[str]] = {}
    confirmed: set[str] = set()  # people shown to be people: "Judge X", "X said"
    owners: dict[str, str] = {}  # "Naryn" -> "KG" after "Kyrgyzstan's Naryn"
    first_seen: dict[str, int] = {}  # the earlier a name comes, the more the item is about it
    position = 0
    country_codes = gazetteer.countries()
    for line in text.splitlines():
        for words, opens, before, after in _runs(line, lang):
            position += 1
            owner = _POSSESSIVE.sub("", before) if _POSSESSIVE.search(before) else ""
            run_words, run_hint, opens = _trim(words, opens, before, lang)
            for words, hint in _split_at_and(run_words, run_hint, lang):
                if not words or any(len(w) < 2 for w in words if w not in lang.connectors):
                    continue
                words[-1] = _POSSESSIVE.sub("", words[-1])
                name = " ".join(words)
                if len(name) > 80 or len(words) > 6 or entity_key(name) in excluded:
                    continue
                owner_country = country_codes.get(owner.capitalize()) or country_codes.get(owner)
                if owner_country and gazetteer.town_in(name, owner_country.upper()):
                    owners[name] = owner_country
                    hint = "in"
                first_seen.setdefault(name, position)
                if len(words) == 1 and not _is_acronym(name):
                    singles.append((name, hint, opens, after))
                    continue
                kind = _kind(words, hint, lang, after)
                if kind is None:
                    continue
                if kind == PERSON and (hint in lang.titles or after in lang.person_verbs):
                    confirmed.add(name)
                kinds.setdefault(name, Counter())[kind] += 1
                found[name] = Entity(name, kind)
                counts[name] += 1
    single_names = {single[0] for single in singles}
    for name, votes in list(kinds.items()):
        # A title before any mention settles it; otherwise the most frequent reading.
        kind = votes.most_common(1)[0][0]
        if kind == PERSON and name not in confirmed and not (
                _surnames(name, lang) & single_names):
            # Two capitalised words are a person when the copy treats them as one: a title,
            # "X said", or the surname alone later. "Red Sox", "Middle East" never are.
            del found[name], kinds[name], counts[name]
            continue
        found[name] = Entity(name, kind)
        if kind == PERSON:
            for surname in _surnames(name, lang):
                surnames.setdefault(surname, name)
    single_kinds: dict[str, Counter[str]] = {}
    titled = {name for name, hint, _opens, _after in singles if hint in lang.titles}
    # Countries and states the text names: "Athens" is a place in a story naming Greece,
    # "Bush" (a town in Egypt) is not in one about Washington.
    in_countries = {p.country for name in {*found, *single_names} for p in gazetteer.lookup(name)
                    if p.level != "town"}
    for name, hint, opens, after in singles:
        if name in surnames or name in titled:  # "President Bush" is no town
            continue
        known = gazetteer.lookup(name)
        if known and known[0].level == "town" and after in TEAM_AFTER:
            single_kinds.setdefault(name, Counter())[ORGANISATION] += 1
            continue
        town_here = known and known[0].level == "town" and (
            known[0].population >= BIG_TOWN or any(p.country in in_countries for p in known))
        if (town_here and not opens) or (known and known[0].level != "town"):
            # A known place needs no "in" before it; a country may open a sentence.
            single_kinds.setdefault(name, Counter())[PLACE] += 1
            continue
        generic = fold(name) in _GENERIC_WORDS or fold(name) in lang.heads
        kind = None if opens or generic else _kind([name], hint, lang)  # "the Bank" names nothing
        if kind == PLACE and not known and name.endswith("s"):
            kind = None  # "in Colts history": an unknown plural is a team, not a place
        if kind in (PLACE, ORGANISATION):
            single_kinds.setdefault(name, Counter())[kind] += 1
    for name, _hint, opens, _after in singles:
        if name in surnames:  # "Vasek" after "Teodor Vasek"
            counts[surnames[name]] += 1
        elif name in single_kinds and (not opens or gazetteer.lookup(name)):
            # Once one mention shows what it is ("in Harlow"), "Harlow's appeal" counts too.
            found.setdefault(name, Entity(name, single_kinds[name].most_common(1)[0][0]))
            counts[name] += 1
    headline_words = set(_TOKEN.findall(headline or ""))
    for name in found:
        if set(name.split()) <= headline_words or (
                found[name].kind == PERSON and name.split()[-1] in headline_words):
            counts[name] += 1
    kept = [found[name] for name, count in counts.items() if count >= 2]
    kept.sort(key=lambda e: (-counts[e.name], first_seen.get(e.name, 0), e.name))
    team_towns = {e.name.rsplit(" ", 1)[0] for e in found.values() if e.kind == ORGANISATION
                  and _is_team(e.name.split())}
    # In a story about the Indianapolis Colts, "Indianapolis" is the team.
    kept = [Entity(e.name, ORGANISATION) if e.kind == PLACE and e.name in team_towns else e
            for e in kept]
    named_countries = frozenset(e.country for e in _with_countries(kept, owners, frozenset())
                                if gazetteer.lookup(e.name) and e.country
                                and gazetteer.lookup(e.name)[0].level == "country")
    unique: dict[str, Entity] = {}
    for entity in _with_countries(kept, owners, named_countries):
        if entity.key and entity.key not in unique:
            unique[entity.key] = entity
    return list(unique.values())[:limit]


def _with_countries(kept: list[Entity], owners: dict[str, str],
                    named_countries: frozenset[str]) -> list[Entity]:
    """Places with the country the gazetteer (or a possessive before them) gives them."""
    placed = []
    for entity in kept:
        if entity.kind == PLACE:
            known = gazetteer.place(entity.name, named_countries)
            country = owners.get(entity.name) or (known.country if known else "")
            entity = Entity(entity.name, entity.kind, country)
        placed.append(entity)
    return placed
