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

from wiredesk.wire import gazetteer
from wiredesk.wire.language import primary

PERSON, ORGANISATION, PLACE = "person", "organisation", "place"
# Languages whose capitals do not mark names (nouns are capitalised).
NOUNS_CAPITALISED = frozenset({"de", "lb", "gsw"})
MAX_TEXT_CHARS = 30_000
MAX_ENTITIES = 3
BIG_TOWN = 1_000_000  # a town this big is taken for itself without its country named

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
instead meanwhile however also now then yet still so even last next earlier later today
yesterday tonight according despite although though because since until where why how what
who once indeed overall there here former late new-look
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
# Facilities are places (ECB+ and ACE annotate them so): "Betty Ford Center".
_PERSON_VERBS = _word_set("""
said says told added explained wrote testified stated claimed insisted denied admitted
who whose pleaded
""")
# "Boston beat Detroit": sports copy names a team by its town.
_TEAM_AFTER = _word_set("""
beat beats defeated edged routed rallied trailed drafted traded clinched won lost signed
plays played picked
""")
_BUILDINGS = _word_set("bank church club parliament school college court museum library")
_AT_A_PLACE = frozenset({"in", "at", "inside", "outside", "near", "into"})
_FACILITY_WORDS = _word_set("""
center centre clinic hospital stadium arena hotel airport prison jail mall tower bridge park
station hall theatre theater
""")
# Names of events and things, which a two-word run would otherwise make a person.
_EVENT_WORDS = _word_set("""
awards award prix cup games olympics championship championships open festival series bowl
day week war show tour trophy league classic marathon grammys oscars emmys
""")
# Wire agencies' credit codes: the source of the copy, never what it is about.
_AGENCY_CODES = _word_set("""
AP AFP UPI DPA EFE ANSA PTI IANS ANI RFE RL RFE/RL TASS ITAR-TASS KYODO APA BSS CNA KUNA
WAM SPA MENA IRNA ISNA PA AAP NZPA CP KNA UNI
""")
# Acronyms that name no organisation: times, zones, titles, things.
_NOT_ORG_ACRONYMS = _word_set("""
TV AM PM EDT EST EDST GMT UTC BST CET CEST PST PDT CST CDT MST MDT DNA CEO CFO MP MPS OK ID IR
HIV AIDS GDP IT USD EUR GBP PC CD DVD DJ MVP SUV UK US USA UAE VIP RIP ET PT CT MT
""")
# Demonyms and regional adjectives: "Central Asian" is no one.
_DEMONYMS = _word_set("""
american americans asian asians african africans european europeans british briton britons
english scottish welsh irish french german germans italian italians spanish portuguese dutch
belgian swiss austrian swedish norwegian danish finnish icelandic polish czech slovak
hungarian romanian bulgarian greek turkish russian russians ukrainian belarusian georgian
armenian azerbaijani kazakh kyrgyz uzbek tajik turkmen afghan pakistani indian indians
bangladeshi sri lankan nepalese chinese japanese korean taiwanese vietnamese thai cambodian
malaysian indonesian filipino australian canadian mexican brazilian argentine argentinian
chilean peruvian colombian venezuelan cuban haitian jamaican egyptian libyan tunisian
algerian moroccan sudanese ethiopian somali kenyan ugandan nigerian ghanaian senegalese
congolese angolan zimbabwean israeli israelis palestinian palestinians lebanese syrian
jordanian iraqi iranian saudi yemeni omani emirati qatari kuwaiti arab arabs arabic persian
kurdish muslim muslims christian christians jewish catholic hindu sikh buddhist sunni shia
shiite sicilian bavarian catalan basque corsican tibetan uighur chechen punjabi kashmiri
latin latino hispanic western eastern northern southern central asia-pacific
mideast middle-eastern caribbean balkan baltic nordic scandinavian slavic caucasian
hawaiian californian texan
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
striker midfielder defender goalkeeper manager director actor actress singer rookie veteran
quarterback pitcher forward guard star reporter correspondent author writer rapper designer
""")
_NOISE_OR_TITLE = _LEADING_NOISE | _PERSON_TITLES
_PLACE_PREPOSITIONS = frozenset({"in", "near", "across", "outside"})
_PLACE_FIRST = frozenset({"port", "mount", "mt", "lake", "cape", "fort", "san", "santa",
                          "saint", "st", "los", "las", "el", "new", "north", "south", "east",
                          "west"})
_GENERIC_WORDS = _ORG_WORDS | _PLACE_WORDS | _FACILITY_WORDS  # "the Bank" names nothing
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


def entity_key(name: str) -> str:
    """A URL-safe, accent-free key: one tag page per name however it is written."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:100]


_AGENCY_KEYS = frozenset(entity_key(code) for code in _AGENCY_CODES)


def _is_capitalised(token: str) -> bool:
    return token[:1].isupper() and token[:1].isalpha()


def _is_acronym(token: str) -> bool:
    return 2 <= len(token) <= 6 and token.isalpha() and token.isupper()


def _runs(text: str) -> list[tuple[list[str], bool, str, str]]:
    """Runs of capitalised words: (words, opens a sentence, the lower-cased word before, the
    lower-cased word after)."""
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
        while j < len(tokens) and not _POSSESSIVE.search(words[-1]):
            nxt = tokens[j]
            if _is_capitalised(nxt):
                words.append(nxt)
                j += 1
            elif (nxt in _CONNECTORS and j + 1 < len(tokens) and _is_capitalised(tokens[j + 1])):
                words.extend([nxt, tokens[j + 1]])
                j += 2
            else:
                break
        runs.append((words, opens, before, tokens[j].lower() if j < len(tokens) else ""))
        previous = words[-1]
        i = j
    return runs


def _trim(words: list[str], opens: bool, before: str) -> tuple[list[str], str, bool]:
    """Drop noise at the start of a run (``The``, ``Judge``): the title becomes a hint.

    Also says whether the run still opens its sentence (where any word is capitalised).
    """
    hint = before
    while (words and words[0].lower().rstrip(".") in _NOISE_OR_TITLE
           and not _is_acronym(words[0])):  # "WHO" is no "who"
        hint = words[0].lower().rstrip(".")
        words = words[1:]
        opens = False
    while words and words[-1] in _CONNECTORS:
        words = words[:-1]
    return words, hint, opens


def _looks_like_a_person(words: list[str]) -> bool:
    """Two or three ordinary capitalised words, none saying the name is something else."""
    if not 2 <= len(words) <= 3 or any(w in _CONNECTORS for w in words):
        return False
    lowered = [w.lower() for w in words]
    return not (any(w.isupper() for w in words)
                or any(w in _DEMONYMS or w in _EVENT_WORDS for w in lowered)
                or any(w in gazetteer.countries() for w in words))


def _is_team(words: list[str]) -> bool:
    return (len(words) > 1 and _PLURAL.search(words[-1]) is not None
            and not gazetteer.lookup(" ".join(words))
            and bool(gazetteer.lookup(" ".join(words[:-1]))))


def _kind(words: list[str], hint: str, after: str = "") -> str | None:
    name = " ".join(words)
    last = words[-1].lower()
    if len(words) == 1 and _is_acronym(words[0]):
        if name in _NOT_ORG_ACRONYMS:
            return PLACE if gazetteer.lookup(name) else None
        return ORGANISATION
    if last in _ORG_WORDS or words[0].lower() in {"ministry", "university", "bank"}:
        # "robbed at Marfin Bank": the building, where something happened, is a place.
        return PLACE if last in _BUILDINGS and hint in _AT_A_PLACE else ORGANISATION
    if last in _FACILITY_WORDS:
        return PLACE
    if _is_team(words):
        return ORGANISATION  # a town's team: "Indianapolis Colts", "Portland Pioneers"
    if len(words) == 2 and last == "state" and any(
            p.level == "state" for p in gazetteer.lookup(words[0])):
        return ORGANISATION  # a university: "Ohio State"
    known = gazetteer.lookup(name)
    # A one-word town needs more than its name (see ``extract``): "Bush" is a town in Egypt.
    if known and (len(words) > 1 or known[0].level != "town"):
        return ORGANISATION if known[0].level == "town" and after in _TEAM_AFTER else PLACE
    if last in _PLACE_WORDS or (len(words) > 1 and words[0].lower() in _PLACE_FIRST):
        return PLACE
    if len(words) == 1 and (name in _DEMONYMS or last in _DEMONYMS):
        return None
    if hint in _PERSON_TITLES:
        return PERSON if _looks_like_a_person(words) or len(words) == 1 else None
    if hint in _PLACE_PREPOSITIONS:
        return PLACE if not any(w.lower() in _DEMONYMS for w in words) else None
    if _looks_like_a_person(words):
        return PERSON
    return None


def _split_at_and(words: list[str], hint: str) -> list[tuple[list[str], str]]:
    """"The United States and Kyrgyzstan" names two places; "Fish and Wildlife Service" one."""
    if "and" not in words or words[-1].lower() in _ORG_WORDS | _FACILITY_WORDS:
        return [(words, hint)]
    parts, current = [], []
    for word in words:
        if word == "and":
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
    if primary(language) in NOUNS_CAPITALISED:
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
        for words, opens, before, after in _runs(line):
            position += 1
            owner = _POSSESSIVE.sub("", before) if _POSSESSIVE.search(before) else ""
            run_words, run_hint, opens = _trim(words, opens, before)
            for words, hint in _split_at_and(run_words, run_hint):
                if not words or any(len(w) < 2 for w in words if w not in _CONNECTORS):
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
                kind = _kind(words, hint, after)
                if kind is None:
                    continue
                if kind == PERSON and (hint in _PERSON_TITLES or after in _PERSON_VERBS):
                    confirmed.add(name)
                kinds.setdefault(name, Counter())[kind] += 1
                found[name] = Entity(name, kind)
                counts[name] += 1
    single_names = {single[0] for single in singles}
    for name, votes in list(kinds.items()):
        # A title before any mention settles it; otherwise the most frequent reading.
        kind = votes.most_common(1)[0][0]
        if kind == PERSON and name not in confirmed and name.split()[-1] not in single_names:
            # Two capitalised words are a person when the copy treats them as one: a title,
            # "X said", or the surname alone later. "Red Sox", "Middle East" never are.
            del found[name], kinds[name], counts[name]
            continue
        found[name] = Entity(name, kind)
        if kind == PERSON:
            surnames.setdefault(name.split()[-1], name)
    single_kinds: dict[str, Counter[str]] = {}
    titled = {name for name, hint, _opens, _after in singles if hint in _PERSON_TITLES}
    # Countries and states the text names: "Athens" is a place in a story naming Greece,
    # "Bush" (a town in Egypt) is not in one about Washington.
    in_countries = {p.country for name in {*found, *single_names} for p in gazetteer.lookup(name)
                    if p.level != "town"}
    for name, hint, opens, after in singles:
        if name in surnames or name in titled:  # "President Bush" is no town
            continue
        known = gazetteer.lookup(name)
        if known and known[0].level == "town" and after in _TEAM_AFTER:
            single_kinds.setdefault(name, Counter())[ORGANISATION] += 1
            continue
        town_here = known and known[0].level == "town" and (
            known[0].population >= BIG_TOWN or any(p.country in in_countries for p in known))
        if (town_here and not opens) or (known and known[0].level != "town"):
            # A known place needs no "in" before it; a country may open a sentence.
            single_kinds.setdefault(name, Counter())[PLACE] += 1
            continue
        generic = name.lower() in _GENERIC_WORDS
        kind = None if opens or generic else _kind([name], hint)  # "the Bank" names nothing
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
