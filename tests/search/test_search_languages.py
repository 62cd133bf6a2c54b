"""Search per language (issue 20, item 5), on SQLite FTS5 and (with the PostgreSQL pass)
PostgreSQL: each article is indexed with its own language's stemming, and an edition's
query finds it whatever the edition's language."""

import pytest
from django.db import connection

from tests.conftest import rss, rss_item
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article
from wiredesk.search.services import matching_article_ids_sql, reindex, search_edition

pytestmark = pytest.mark.django_db

COPY = {
    "ar": ("وقعت باكستان والهند اتفاقا جديدا",
           "<p>أعلنت باكستان والهند توقيع اتفاق لتقاسم مياه النهر بعد محادثات طويلة.</p>"),
    "es": ("Chile prepara la elección de gobernadores",
           "<p>La elección regional se celebrará en octubre, según el servicio electoral.</p>"),
    "fr": ("Les élections municipales approchent à Lyon",
           "<p>Les électeurs choisiront leur maire au printemps.</p>"),
    "pt": ("Brasil discute a eleição municipal",
           "<p>A eleição em São Paulo terá segundo turno em outubro.</p>"),
    "de": ("Die Wahlen in Bayern rücken näher",
           "<p>Die Parteien stellen ihre Listen für den Landtag vor.</p>"),
    "en": ("Runners crowd the city marathon",
           "<p>Thousands were running through the old town on Sunday.</p>"),
}


def store(tmp_path, language: str) -> Article:
    headline, body = COPY[language]
    path = tmp_path / f"{language}.rss"
    path.write_bytes(rss(rss_item(f"g-{language}", headline, body)))
    services.ingest_source(str(path), agency=services.agency_ensure(code="RFE"))
    article = Article.objects.get(guid=f"g-{language}")
    # The detector's answer on a short item is not what these tests are about.
    article.language = language
    article.save(update_fields=["language"])
    return article


@pytest.fixture
def archive(tmp_path):
    return {language: store(tmp_path, language) for language in COPY}


def found(edition, query):
    return [hit.article.pk for hit in search_edition(edition, query).hits]


def test_arabic_finds_a_word_behind_its_conjunction_and_article(archive):
    edition = edition_save(name="Al Akhbar", language="ar")
    results = search_edition(edition, "الهند")
    assert [hit.article.pk for hit in results.hits] == [archive["ar"].pk]
    # The reader sees the text as written, the word the query found marked.
    assert "<mark>والهند</mark>" in results.hits[0].headline_html
    assert "<mark>والهند</mark>" in results.hits[0].snippet_html


def test_spanish_plural_finds_the_singular_with_its_accent(archive):
    edition = edition_save(name="Chile Hoy", language="es")
    results = search_edition(edition, "elecciones")
    assert [hit.article.pk for hit in results.hits] == [archive["es"].pk]
    assert "<mark>elección</mark>" in results.hits[0].headline_html
    assert found(edition, "eleccion") == [archive["es"].pk]


@pytest.mark.parametrize(("edition_language", "language", "query"), [
    ("fr", "fr", "election"),     # no accent, no plural: "élections" in the copy
    ("fr", "fr", "électeur"),
    ("pt", "pt", "eleições"),     # the plural finds "eleição"
    ("pt", "pt", "eleicoes"),
    ("de", "de", "Wahl"),         # the singular finds "Wahlen"
])
def test_plurals_and_diacritics_per_language(archive, edition_language, language, query):
    edition = edition_save(name=f"Edition {edition_language}", language=edition_language)
    assert found(edition, query) == [archive[language].pk]


@pytest.mark.parametrize(("language", "query"), [
    ("en", "runs"),     # English stemming: "running"; no Spanish rule makes "runs" "run"
    ("de", "Wahl"),     # German stemming in a Spanish edition
    ("ar", "الهند"),
])
def test_an_article_in_another_language_is_found_with_its_own_stemming(archive, language,
                                                                       query):
    edition = edition_save(name="Chile Hoy", language="es")
    assert found(edition, query) == [archive[language].pk]


def test_a_query_stemmed_in_one_language_does_not_match_another_languages_words(archive):
    edition = edition_save(name="Chile Hoy", language="es")
    # "runs" stems to "run" in English only; the English article has it, the others not.
    assert found(edition, "runs") == [archive["en"].pk]
    assert found(edition, '"la elección"') == [archive["es"].pk]  # phrases too


def test_english_copy_in_an_english_edition_is_stemmed_as_before(archive):
    edition = edition_save(name="Daily", language="en")
    assert found(edition, "runner marathon") == [archive["en"].pk]
    assert found(edition, '"city marathon"') == [archive["en"].pk]


def test_reindex_keeps_each_articles_language(archive):
    edition = edition_save(name="Chile Hoy", language="es")
    assert reindex() == len(COPY)
    assert found(edition, "elecciones") == [archive["es"].pk]
    assert found(edition, "الهند") == [archive["ar"].pk]


def test_the_desks_finder_stems_per_language(archive):
    sql, params = matching_article_ids_sql("elecciones", 100)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        assert [row[0] for row in cursor.fetchall()] == [archive["es"].pk]
