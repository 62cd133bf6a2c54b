"""Tags from Spanish and French copy, and none from languages the extractor cannot read."""

import pytest

from tests.story_texts import COURT
from wiredesk.wire import entities, gazetteer
from wiredesk.wire.entities import ORGANISATION, PERSON, PLACE

SPANISH = """SANTIAGO, 12 jul (Prensur) — El Banco Central de Chile mantuvo la tasa de política \
monetaria en 5%, informó el organismo. Según el Banco Central de Chile, la inflación sigue \
bajando.
El Ministerio de Hacienda revisará el presupuesto, dijo el ministro Mario Marcel. Marcel \
añadió que el Ministerio de Hacienda presentará cambios en septiembre.
Durante la jornada, el candidato José Antonio Kast criticó al Gobierno en Valparaíso. Kast \
dijo que Valparaíso necesita inversión. Los chilenos votarán en noviembre.
Francés de nacimiento, el economista habló en Bogotá. En Bogotá, el Ministerio de la Mujer \
anunció un plan. Julio fue un mes frío. Lunes. Enero. Francés y chileno.
Las exportaciones de cobre subieron. La Moneda guardó silencio."""

FRENCH = """PARIS, 12 juil. (AFP) - Jean-Luc Mélenchon a critiqué l'Assemblée nationale mardi. \
Selon Jean-Luc Mélenchon, l'Assemblée nationale doit voter le texte.
Les Français sont inquiets. Mélenchon a déclaré à Marseille que Marseille souffre. Pendant \
la séance, le Premier ministre a répondu. Juillet est chaud. Lundi. Les Chiliens observent. \
Le Conseil constitutionnel examinera le texte. Français, Chiliens et Allemands attendent."""

FUNCTION_WORDS = {"el", "la", "los", "las", "segun", "durante", "en", "le", "les", "selon",
                  "pendant", "l"}


def tags(headline, body, language):
    return entities.extract(headline, body, language=language, limit=10)


def test_spanish_copy_gives_names_whole_with_their_particles_and_kinds():
    found = {(e.name, e.kind) for e in tags("El Banco Central mantiene la tasa", SPANISH, "es")}
    assert ("Banco Central de Chile", ORGANISATION) in found
    assert ("Ministerio de Hacienda", ORGANISATION) in found
    assert ("José Antonio Kast", PERSON) in found
    assert ("Mario Marcel", PERSON) in found


def test_spanish_places_are_found_in_the_gazetteer_with_their_accents():
    places = {e.name: e.country for e in tags("", SPANISH, "es") if e.kind == PLACE}
    assert places["Valparaíso"] == "CL"
    assert places["Bogotá"] == "CO"


@pytest.mark.parametrize(("body", "language"), [(SPANISH, "es"), (FRENCH, "fr")])
def test_no_function_word_demonym_month_or_day_is_a_tag(body, language):
    # Each of these is capitalised twice or more in the copy: counted, yet never a tag.
    found = tags("", body, language)
    assert found
    for entity in found:
        first = entities.entity_key(entity.name).split("-")[0]
        assert first not in FUNCTION_WORDS, entity
    keys = {e.key for e in found}
    assert not keys & {"frances", "chileno", "chilenos", "francais", "chiliens", "allemands",
                       "julio", "lunes", "enero", "juillet", "lundi"}


def test_french_copy_keeps_hyphenated_names_and_lower_case_institution_words():
    found = {(e.name, e.kind) for e in tags("Mélenchon critique l'Assemblée", FRENCH, "fr")}
    assert ("Jean-Luc Mélenchon", PERSON) in found
    assert ("Assemblée nationale", ORGANISATION) in found
    assert ("Marseille", PLACE) in found


def test_a_leading_article_stays_on_a_known_place():
    body = "La Paz amaneció con nieve. Las clases en La Paz se suspendieron, dijo el alcalde."
    assert [(e.name, e.kind) for e in tags("", body, "es")] == [("La Paz", PLACE)]


@pytest.mark.parametrize(("language", "headline", "body"), [
    ("ar", "الإمارات والهند تعقدان فعالية", "قال مسؤول في ADNOC إن ADNOC و Masdar في Abu Dhabi "
     "تعملان مع Masdar في Abu Dhabi."),
    ("hi", "सरकार ने योजना की घोषणा की", "Narendra Modi ने कहा कि Narendra Modi सरकार New Delhi में "
     "New Delhi योजना लाएगी।"),
    ("zh", "国家统计局发布数据", "Xi Jinping 在 Beijing 表示 Xi Jinping 将访问 Beijing。"),
    ("ru", "Правительство объявило", "Владимир Путин заявил в Москве. Владимир Путин и Москва."),
    ("de", "Streit um das Heizungsgesetz", "Die Opposition im Bundestag. Die Opposition sagte."),
])
def test_languages_it_cannot_read_get_no_tags_at_all(language, headline, body):
    assert entities.extract(headline, body, language=language) == []


def test_english_and_an_unknown_language_read_alike():
    body = "\n".join(COURT)
    assert entities.extract("", body, language="en") == entities.extract("", body)
    assert entities.extract("", body, language="en-GB") == entities.extract("", body)


def test_gazetteer_folds_accents_and_knows_spanish_and_french_country_names():
    assert gazetteer.lookup("Valparaíso")[0].country == "CL"
    assert gazetteer.lookup("Bogotá")[0].country == "CO"
    assert gazetteer.lookup("Perú")[0].level == "country"
    assert gazetteer.lookup("España")[0].country == "ES"
    assert gazetteer.lookup("États-Unis")[0].country == "US"


def test_a_spanish_name_with_two_surnames_is_called_by_the_first_later():
    body = ("La presidenta del consejo, Teresa Valdivieso Araya, habló con la prensa. "
            "Valdivieso dijo que la inflación baja. Valdivieso añadió que el consumo es débil.")
    assert [(e.name, e.kind) for e in tags("", body, "es")] == [
        ("Teresa Valdivieso Araya", PERSON)]
