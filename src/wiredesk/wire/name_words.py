"""The words around names, per language: what ``wire.entities`` reads capitals with.

English is the base; Spanish and French add their own function words, titles, demonyms,
months and days, institution words and the particles inside names ("Banco Central de
Chile", "Ministerio de la Mujer", "Assemblée nationale"). Comparisons are made on words
lower-cased and folded (accents off: "Según" is "segun"), so the lists are written
without accents. A language that is not here has no ``NameWords``: ``for_language``
returns None and the extractor finds no names rather than invent them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache

from wiredesk.wire.language import primary


@lru_cache(maxsize=65_536)  # asked for every word of every item: most words recur
def fold(word: str) -> str:
    """Lower case without accents: ``Según`` -> ``segun``, ``Assemblée`` -> ``assemblee``."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _folded(text: str) -> frozenset[str]:
    return frozenset(fold(w) for w in text.split())



CONNECTORS = frozenset({"of", "de", "del", "la", "le", "al", "bin", "van", "von", "der",
                         "da", "do", "dos", "du", "for", "and"})
LEADING_NOISE = _word_set("""
the a an this that these those his her their its our my your mr mrs ms dr prof sir
monday tuesday wednesday thursday friday saturday sunday january february march april may
june july august september october november december update updated breaking exclusive
photos video watch live analysis opinion editorial report reports but and or if when while
after before as at in on for from by with without under over into of to
instead meanwhile however also now then yet still so even last next earlier later today
yesterday tonight according despite although though because since until where why how what
who once indeed overall there here former late new-look
""")
ORG_WORDS = _word_set("""
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
PERSON_VERBS = _word_set("""
said says told added explained wrote testified stated claimed insisted denied admitted
who whose pleaded
""")
# "Boston beat Detroit": sports copy names a team by its town.
TEAM_AFTER = _word_set("""
beat beats defeated edged routed rallied trailed drafted traded clinched won lost signed
plays played picked
""")
BUILDINGS = _word_set("bank church club parliament school college court museum library")
AT_A_PLACE = frozenset({"in", "at", "inside", "outside", "near", "into"})
FACILITY_WORDS = _word_set("""
center centre clinic hospital stadium arena hotel airport prison jail mall tower bridge park
station hall theatre theater
""")
# Names of events and things, which a two-word run would otherwise make a person.
EVENT_WORDS = _word_set("""
awards award prix cup games olympics championship championships open festival series bowl
day week war show tour trophy league classic marathon grammys oscars emmys
""")
# Wire agencies' credit codes: the source of the copy, never what it is about.
AGENCY_CODES = _word_set("""
AP AFP UPI DPA EFE ANSA PTI IANS ANI RFE RL RFE/RL TASS ITAR-TASS KYODO APA BSS CNA KUNA
WAM SPA MENA IRNA ISNA PA AAP NZPA CP KNA UNI
""")
# Acronyms that name no organisation: times, zones, titles, things.
NOT_ORG_ACRONYMS = _word_set("""
TV AM PM EDT EST EDST GMT UTC BST CET CEST PST PDT CST CDT MST MDT DNA CEO CFO MP MPS OK ID IR
HIV AIDS GDP IT USD EUR GBP PC CD DVD DJ MVP SUV UK US USA UAE VIP RIP ET PT CT MT
""")
# Demonyms and regional adjectives: "Central Asian" is no one.
DEMONYMS = _word_set("""
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
PLACE_WORDS = _word_set("""
city island islands river valley province county state republic kingdom street square
mountains mountain lake sea ocean bay gulf coast region district port harbour harbor avenue
road
""")
PERSON_TITLES = _word_set("""
mr mrs ms dr prof sir judge governor president minister senator mayor general colonel
captain coach chancellor king queen prince princess pope bishop sheikh chairman chief
officer inspector spokesman spokeswoman ambassador secretary premier councillor lawyer
striker midfielder defender goalkeeper manager director actor actress singer rookie veteran
quarterback pitcher forward guard star reporter correspondent author writer rapper designer
""")
PLACE_PREPOSITIONS = frozenset({"in", "near", "across", "outside"})
PLACE_FIRST = frozenset({"port", "mount", "mt", "lake", "cape", "fort", "san", "santa",
                          "saint", "st", "los", "las", "el", "new", "north", "south", "east",
                          "west"})


# --- Spanish -------------------------------------------------------------------------

_ES_NOISE = _folded("""
el la los las lo un una unos unas al del en a de este esta estos estas ese esa esos esas aquel
su sus nuestro segun durante tras ante bajo con contra desde entre hacia hasta para por
sin sobre mediante pero y o u ni si cuando mientras aunque porque pues como donde ya
tambien ademas incluso hoy ayer manana anoche luego despues antes entonces asi solo
cada otro otra otros otras todo toda todos todas ningun ninguna algun alguna muchos
sr sra srta don dona
""")
_ES_MONTHS_DAYS = _folded("""
enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre
diciembre ene feb mar abr jun jul ago sep sept oct nov dic lunes martes miercoles jueves
viernes sabado domingo
""")
_ES_TITLES = _folded("""
presidente presidenta ministro ministra senador senadora diputado diputada alcalde
alcaldesa gobernador gobernadora juez jueza fiscal canciller vocero vocera portavoz
director directora gerente secretario secretaria subsecretario subsecretaria general
comandante coronel capitan rey reina principe princesa papa obispo arzobispo candidato
candidata lider dirigente economista entrenador tecnico delantero arquero portero
volante defensa tenista futbolista ciclista escritor escritora poeta poetisa cantante
actor actriz artista doctor doctora senor senora
""")
_ES_ORG_HEADS = _folded("""
ministerio banco partido congreso senado camara corte tribunal gobierno consejo comision
servicio instituto universidad asociacion federacion club sindicato fundacion empresa
empresas corporacion direccion superintendencia fiscalia contraloria municipalidad
ejercito armada fuerza carabineros policia agencia organizacion secretaria bolsa
confederacion central comite oficina registro sociedad compania grupo colegio escuela
museo biblioteca orquesta teatro movimiento frente alianza union coalicion
""")
_ES_PLACE_HEADS = _folded("""
region provincia comuna ciudad isla islas rio lago cerro volcan monte cordillera desierto
valle bahia puerto golfo mar oceano peninsula plaza avenida calle barrio parque estadio
aeropuerto hospital palacio
""")
_ES_DEMONYM_STEMS = """
chilen argentin peruan bolivian colombian venezolan ecuatorian uruguay paraguay mexican
cuban brasilen american norteamerican latinoamerican sudamerican centroamerican europe
african asiatic australian chin ruso rusa rusos rusas italian ucranian sirio siria israel
palestin libanes iran iraqui egipci marroqu turc grieg britanic argelin saudi canadiense
estadounidense costarricense nicaraguense hondureno salvadoreno guatemalteco panameno
dominicano puertorriqueno espanol espanola espanoles espanolas frances francesa franceses
francesas ingles inglesa ingleses inglesas aleman alemana alemanes alemanas japones japonesa
japoneses japonesas portugues portuguesa portugueses holandes holandesa escoces irlandes
danes finlandes polaco polaca sueco sueca noruego noruega suizo suiza belga indio india
indios arabe arabes mapuche mapuches aimara quechua andino andina catalan vasco gallego
"""


def _spanish_demonyms() -> frozenset[str]:
    forms = set()
    for stem in _ES_DEMONYM_STEMS.split():
        forms.add(stem)
        if stem[-1] not in "aeiosn" or stem.endswith(("en", "an", "in")):
            forms.update(stem + ending for ending in ("o", "a", "os", "as"))
        elif stem.endswith("e"):
            forms.add(stem + "s")
        else:
            forms.update(stem + ending for ending in ("s", "es"))
    return frozenset(fold(f) for f in forms)


# --- French --------------------------------------------------------------------------

_FR_NOISE = _folded("""
le la les l un une des du de d au aux ce cet cette ces son sa ses leur leurs selon pendant
durant apres avant avec sans sous sur pour par dans entre vers chez contre depuis mais et
ou ni si quand lorsque alors puis donc car comme ainsi aussi encore deja hier aujourd
demain ce-ci chaque plusieurs tous toutes tout toute cependant pourtant toutefois enfin
m mme mlle il elle ils elles on nous vous
""")
_FR_MONTHS_DAYS = _folded("""
janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre janv
fevr avr juil sept oct nov dec lundi mardi mercredi jeudi vendredi samedi dimanche
""")
_FR_TITLES = _folded("""
president presidente ministre senateur senatrice depute deputee maire juge procureur
procureure porte-parole directeur directrice secretaire general generale colonel
capitaine roi reine prince princesse pape eveque cardinal candidat candidate dirigeant
dirigeante chef entraineur selectionneur attaquant gardien milieu joueur joueuse ecrivain
ecrivaine chanteur chanteuse acteur actrice docteur maitre
""")
_FR_ORG_HEADS = _folded("""
ministere banque parti assemblee senat conseil cour tribunal gouvernement commission
service institut universite association federation club syndicat fondation entreprise
societe compagnie groupe direction autorite agence organisation confederation comite
office bourse ecole college lycee musee bibliotheque orchestre theatre mouvement front
alliance union coalition police gendarmerie armee marine
""")
_FR_PLACE_HEADS = _folded("""
region province departement commune ville ile iles fleuve riviere lac mont montagne
vallee baie port golfe mer ocean peninsule place avenue rue boulevard quartier parc stade
aeroport hopital palais
""")
_FR_DEMONYM_STEMS = """
chilien argentin peruvien bolivien colombien venezuelien equatorien uruguayen paraguayen
mexicain cubain bresilien americain nord-americain latino-americain sud-americain europeen
africain asiatique australien chinois russe italien ukrainien syrien israelien palestinien
libanais iranien irakien egyptien marocain algerien tunisien turc grec britannique
canadien espagnol francais anglais allemand japonais portugais neerlandais ecossais
irlandais danois finlandais polonais suedois norvegien suisse belge indien arabe breton
corse basque catalan parisien europeenne
"""


def _french_demonyms() -> frozenset[str]:
    forms = set()
    for stem in _FR_DEMONYM_STEMS.split():
        forms.update({stem, stem + "s"})
        if stem.endswith("ien"):
            forms.update({stem + "ne", stem + "nes"})
        elif stem.endswith(("ais", "ois")):
            forms.update({stem + "e", stem + "es"})
        elif stem.endswith("c"):
            forms.update({stem + "que", stem + "ques"})
        elif not stem.endswith("e"):
            forms.update({stem + "e", stem + "es"})
    return frozenset(fold(f) for f in forms)


# Lower-case words that continue an institution's name in French and Spanish: "Assemblée
# nationale", "Conseil constitutionnel", "Corte Suprema" (written either way).
_INSTITUTION_ADJECTIVES = _folded("""
nationale national nationaux constitutionnel constitutionnelle europeenne europeen
socialiste communiste republicain republicains ecologiste general generale supreme
superieur superieure federal federale municipal municipale regional regionale electoral
electorale militaire nacional constitucional suprema supremo socialista comunista
republicano republicana electoral federal regional municipal general central
""")


@dataclass(frozen=True, slots=True)
class NameWords:
    """What the extractor knows of one language's words (all folded)."""

    noise: frozenset[str]  # dropped at the start of a run ("The", "Según", "Selon")
    titles: frozenset[str]  # a title before a name makes it a person
    demonyms: frozenset[str]
    never_alone: frozenset[str]  # never a name on their own (months, days: "Julio" alone)
    person_verbs: frozenset[str]
    place_prepositions: frozenset[str]
    at_a_place: frozenset[str]
    conjunctions: frozenset[str]  # "and": two names in one run
    org_heads: frozenset[str] = frozenset()  # "Ministerio ...", "Banque ..."
    place_heads: frozenset[str] = frozenset()  # "Región de ...", "Plaza ..."
    institution_adjectives: frozenset[str] = frozenset()
    # Particles inside a name: "Rio de Janeiro", "Ministerio de la Mujer" (up to this many
    # in a row).
    connectors: frozenset[str] = CONNECTORS
    connectors_in_a_row: int = 1
    elisions: bool = False  # "l'Assemblée": the article is split off the name
    # "La Paz", "Los Ángeles", "Le Havre": a leading article is kept on a known place.
    articles_in_place_names: bool = False
    two_surnames: bool = False  # "Teresa Valdivieso Araya" is "Valdivieso" later

    # Unions asked for every run, made once.
    noise_or_title: frozenset[str] = field(init=False)
    heads: frozenset[str] = field(init=False)  # org_heads | place_heads

    def __post_init__(self) -> None:
        object.__setattr__(self, "noise_or_title", self.noise | self.titles)
        object.__setattr__(self, "heads", self.org_heads | self.place_heads)


ENGLISH = NameWords(
    noise=LEADING_NOISE, titles=PERSON_TITLES, demonyms=DEMONYMS, never_alone=frozenset(),
    person_verbs=PERSON_VERBS, place_prepositions=PLACE_PREPOSITIONS,
    at_a_place=AT_A_PLACE, conjunctions=frozenset({"and"}))
SPANISH = NameWords(
    noise=ENGLISH.noise | _ES_NOISE, titles=ENGLISH.titles | _ES_TITLES,
    demonyms=ENGLISH.demonyms | _spanish_demonyms(), never_alone=_ES_MONTHS_DAYS,
    person_verbs=ENGLISH.person_verbs | _folded("""dijo dice afirmo senalo explico indico
        declaro aseguro sostuvo agrego anadio sostuvo advirtio reconocio quien cuyo"""),
    place_prepositions=ENGLISH.place_prepositions | _folded("en cerca"),
    at_a_place=ENGLISH.at_a_place | _folded("en"),
    conjunctions=_folded("and y e"), org_heads=_ES_ORG_HEADS, place_heads=_ES_PLACE_HEADS,
    institution_adjectives=_INSTITUTION_ADJECTIVES,
    connectors=CONNECTORS | _folded("de del la las los y"), connectors_in_a_row=2,
    articles_in_place_names=True, two_surnames=True)
FRENCH = NameWords(
    noise=ENGLISH.noise | _FR_NOISE, titles=ENGLISH.titles | _FR_TITLES,
    demonyms=ENGLISH.demonyms | _french_demonyms(), never_alone=_FR_MONTHS_DAYS,
    person_verbs=ENGLISH.person_verbs | _folded("""dit declare affirme estime explique
        ajoute souligne assure indique qui dont"""),
    place_prepositions=ENGLISH.place_prepositions | _folded("en a pres"),
    at_a_place=ENGLISH.at_a_place | _folded("en a"),
    conjunctions=_folded("and et"), org_heads=_FR_ORG_HEADS, place_heads=_FR_PLACE_HEADS,
    institution_adjectives=_INSTITUTION_ADJECTIVES,
    connectors=CONNECTORS | _folded("de des du la le les l d"), connectors_in_a_row=2,
    elisions=True, articles_in_place_names=True)
_BY_LANGUAGE = {"": ENGLISH, "en": ENGLISH, "es": SPANISH, "fr": FRENCH}


@cache
def for_language(language: str) -> NameWords | None:
    """The words for a BCP 47 tag's language; English when it is unknown (empty); None for
    a language the extractor does not read."""
    return _BY_LANGUAGE.get(primary(language or ""))
