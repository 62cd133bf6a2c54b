"""The demo in more than one language: Chile Hoy, a Spanish-language edition fed by Spanish
sample copy written for the project, and an Arabic sample item shown right to left in the
English editions."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.db import transaction

from wiredesk import demo
from wiredesk.editions.models import Edition
from wiredesk.newsroom.models import Article


def tag_names(article) -> set[str]:
    return set(article.article_tags.values_list("tag__name", flat=True))


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        demo.build(progress=lambda line: None)
        yield
        transaction.set_rollback(True)


def test_the_spanish_sample_is_a_dozen_items_in_spanish(tmp_path):
    paths = demo.dated_feeds(tmp_path, now=datetime(2030, 1, 2, 12, tzinfo=UTC))
    text = paths["prensur.rss"].read_text(encoding="utf-8")
    assert 10 <= text.count("<item>") <= 14
    assert "<language>es</language>" in text
    assert "ñ" in text and "á" in text
    assert re.search(r"SANTIAGO, \d{1,2} jul \(Prensur\) —", text)


@pytest.mark.django_db
def test_chile_hoy_is_a_spanish_edition_listing_spanish_headlines(demo_site, client):
    edition = Edition.objects.get(slug="chile-hoy")
    assert (edition.language, edition.time_zone) == ("es", "America/Santiago")
    home = client.get("/chile-hoy/").content.decode()
    assert re.search(r'<html[^>]* lang="es"', home)
    assert 'dir="rtl"' not in home
    assert "El Banco Central de Chile mantiene la tasa de interés en 5%" in home
    assert "Colo-Colo gana el superclásico" in home
    assert "Chile Hoy" in home
    assert '<img class="logo"' in home  # its own look: logo and colours
    assert "#0b3b8c" in client.get(re.search(r'href="(/chile-hoy/brand\.[0-9a-f]+\.css)"',
                                             home).group(1)).content.decode()
    # only the Spanish service: no English sample copy
    assert "UAE, India co-host UN side event" not in home
    spanish = Article.objects.filter(placements__edition=edition)
    assert spanish.count() >= 10
    assert set(spanish.values_list("language", flat=True)) == {"es"}
    # routed into sections that fit: economy, sport, culture, weather
    assert set(spanish.values_list("section__slug", flat=True)) >= {
        "business", "politics", "sport", "world", "culture", "weather"}


@pytest.mark.django_db
def test_the_spanish_articles_carry_spanish_tags_and_transliterated_slugs(demo_site, client):
    article = Article.objects.get(headline__startswith="El Banco Central de Chile mantiene")
    assert "Banco Central de Chile" in tag_names(article)
    assert article.slug.startswith("el-banco-central-de-chile-mantiene-la-tasa-de-interes")
    home = client.get("/chile-hoy/").content.decode()
    assert f'/chile-hoy/news/{article.pk}/{article.slug}"' in home
    page = client.get(f"/chile-hoy/news/{article.pk}/{article.slug}").content.decode()
    assert re.search(r'<html[^>]* lang="es"', page)
    places = Article.objects.get(headline__startswith="Chile y Argentina acuerdan")
    assert {"Buenos Aires", "Chile", "Argentina"} <= tag_names(places)


@pytest.mark.django_db
def test_chile_hoys_menu_names_the_shared_sections_in_spanish(demo_site, client):
    home = client.get("/chile-hoy/").content.decode()
    menu = re.search(r'<nav class="sections[^"]*"[^>]*>(.*?)</nav>', home, re.S).group(1)
    assert {"Mundo", "Cultura", "Economía", "Deportes"} <= set(re.findall(r">([^<>]+)</a>",
                                                                             menu))
    assert ">World<" not in menu and ">Culture<" not in menu
    # the same rows in an English edition keep their English names
    english = client.get("/chile-sun/").content.decode()
    assert ">World</a>" in english and ">Mundo</a>" not in english


@pytest.mark.django_db
def test_the_english_editions_carry_no_spanish_copy(demo_site, client):
    chile_sun = Edition.objects.get(slug="chile-sun")
    assert not Article.objects.filter(placements__edition=chile_sun, language="es").exists()
    home = client.get("/chile-sun/").content.decode()
    assert re.search(r'<html[^>]* lang="en"', home)
    assert "Banco Central de Chile" not in home


@pytest.mark.django_db
def test_the_arabic_item_reads_right_to_left_on_its_page(demo_site, client):
    article = Article.objects.get(headline__startswith="هيئة البيئة في أبوظبي")
    assert article.language == "ar"
    assert re.fullmatch(r"[a-z0-9-]+", article.slug) and article.slug != "item"
    page = client.get(f"/chile-sun/news/{article.pk}/{article.slug}").content.decode()
    assert re.search(r'<html[^>]* lang="en"', page)  # the edition's interface
    container = re.search(r'<article class="primary story"([^>]*)>', page).group(1)
    assert 'lang="ar"' in container and 'dir="rtl"' in container
    assert "أشجار القرم" in page
    assert tag_names(article) == set()  # a language the tagger cannot read: none invented
    front = client.get("/chile-sun/").content.decode()
    link = re.search(rf'<a href="[^"]*/news/{article.pk}/[^"]*"([^>]*)>', front)
    assert link and 'lang="ar"' in link.group(1) and 'dir="rtl"' in link.group(1)
