"""An edition's pages, feeds and mail speak its language; the admin speaks the editor's."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from tests.conftest import rss, rss_item
from wiredesk import cli
from wiredesk.editions.languages import interface_language
from wiredesk.editions.links import article_path, section_path
from wiredesk.editions.models import Edition
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(tmp_path):
    services.section_ensure(slug="world", name="World", position=1)
    agency = services.agency_ensure(code="RFE")
    path = tmp_path / "wire.rss"
    path.write_bytes(rss(rss_item("m1", "Ministros se reúnen en Santiago")
                         + rss_item("m2", "Lluvias cierran la ruta costera")))
    services.ingest_source(str(path), agency=agency)


def add_edition(name: str, language: str) -> Edition:
    assert cli.main(["edition", "add", "--name", name, "--language", language]) == 0
    return Edition.objects.get(name=name)


def test_a_spanish_edition_reads_in_spanish(client, articles):
    chile = add_edition("Chile Hoy", "es")
    home = client.get(f"/{chile.slug}/")
    assert home.status_code == 200
    html = home.content.decode()
    assert '<html lang="es"' in html
    assert "Últimas noticias" in html and "Boletín diario" in html
    assert "Suscribirme" in html and "Saltar al contenido" in html
    assert "Latest news" not in html and "Daily email" not in html
    assert home["Content-Language"] == "es"

    article = Article.objects.get(headline="Ministros se reúnen en Santiago")
    page = client.get(f"/{chile.slug}{article_path(article)}").content.decode()
    assert "Más información" in page and "Envía un comunicado a Chile Hoy" in page

    search = client.get(f"/{chile.slug}/search", {"q": "Santiago"}).content.decode()
    assert "Buscar en Chile Hoy" in search and "Todas las secciones" in search
    assert "resultado para <strong>Santiago</strong>" in search
    nothing = client.get(f"/{chile.slug}/search", {"q": "zzzzqqq"}).content.decode()
    assert "No encontramos nada para" in nothing

    missing = client.get(f"/{chile.slug}/no-such-page")
    assert missing.status_code == 404
    assert "Página no encontrada" in missing.content.decode()

    feed = client.get(f"/{chile.slug}/feed.rss").content.decode()
    assert "Últimas noticias de Chile Hoy" in feed


def test_an_arabic_edition_reads_in_arabic_right_to_left(client, articles):
    cairo = add_edition("Al Khabar", "ar")
    home = client.get(f"/{cairo.slug}/")
    assert home.status_code == 200 and home["Content-Language"] == "ar"
    html = home.content.decode()
    assert '<html lang="ar" dir="rtl"' in html
    assert "آخر الأخبار" in html and "النشرة اليومية" in html and "اشترك" in html
    assert ">العالم<" in html  # the World section, in the menu
    assert "Latest news" not in html and "Daily email" not in html
    search = client.get(f"/{cairo.slug}/search", {"q": "Santiago"}).content.decode()
    assert "البحث في Al Khabar" in search and "كل الأقسام" in search
    feed = client.get(f"/{cairo.slug}/feed.rss").content.decode()
    assert "آخر الأخبار من Al Khabar" in feed


def test_section_names_read_in_the_editions_language(client, tmp_path, articles):
    services.section_ensure(slug="harbour", name="Harbour Works", aliases="harbour works",
                            position=2)
    path = tmp_path / "harbour.rss"
    path.write_bytes(rss(rss_item("h1", "Muelle reabre tras las obras",
                                  category="Harbour Works")))
    services.ingest_source(str(path), agency=services.agency_ensure(code="RFE"))
    chile = add_edition("Chile Hoy", "es")
    html = client.get(f"/{chile.slug}/").content.decode()
    menu = html.split('class="sections', 1)[1].split("</nav>", 1)[0]
    assert ">Mundo<" in menu and ">World<" not in menu
    assert ">Harbour Works<" in menu  # an operator's own name, as typed
    assert '<span class="section">Mundo</span>' in html  # the teasers' meta line
    section = client.get(f"/{chile.slug}{section_path('world')}").content.decode()
    assert "<title>Mundo &ndash; Chile Hoy</title>" in section
    feed = client.get(f"/{chile.slug}/feed.rss").content.decode()
    assert "<category>Mundo</category>" in feed


def test_the_thread_speaks_english_again_after_a_spanish_page(client, articles):
    chile = add_edition("Chile Hoy", "es")
    english = edition_save(name="Wire Daily")
    client.get(f"/{chile.slug}/")
    assert translation.get_language() == "en"
    html = client.get(f"/{english.slug}/").content.decode()
    assert "Latest news" in html and "Daily email" in html


@pytest.mark.parametrize("language", ["hi", "xx", "zh-Hant"])
def test_a_language_without_a_translation_reads_in_english(client, articles, language):
    edition = edition_save(name="Far Post", language=language)
    response = client.get(f"/{edition.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{edition.language}"' in html  # the page still says its language
    assert "Latest news" in html and "Daily email" in html
    assert client.get(f"/{edition.slug}/no-such-page").status_code == 404


def test_a_regional_tag_uses_its_languages_translation(client, articles):
    brazil = edition_save(name="Folha Sul", language="pt-BR")
    assert interface_language(brazil) == "pt"
    response = client.get(f"/{brazil.slug}/")
    assert response.status_code == 200 and response["Content-Language"] == "pt"
    assert interface_language(edition_save(name="Madrid", language="es-ES")) == "es"
    assert interface_language(edition_save(name="Plain", language="en")) == "en"


def test_the_digest_confirmation_mail_is_in_the_editions_language(settings, articles):
    from wiredesk.digest.models import Subscriber
    from wiredesk.digest.services import notice_send, subscriber_subscribe

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    chile = add_edition("Chile Hoy", "es")
    subscriber_subscribe(edition=chile, email="lector@example.org")
    notice_send(subscriber=Subscriber.objects.get(email="lector@example.org"), kind="confirm")
    [message] = mail.outbox
    assert message.subject == "Confirma tu suscripción al boletín diario de Chile Hoy"
    assert "Confirma que quieres recibir el boletín diario de Chile Hoy." in message.body
    html = message.alternatives[0][0]
    assert "Confirmar mi suscripción" in html and '<html lang="es"' in html
    assert translation.get_language() == "en"


def test_the_admin_follows_the_editors_browser(client):
    spanish = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="es-CL,es;q=0.9,en;q=0.5")
    assert spanish.status_code == 200
    html = spanish.content.decode()
    assert "Iniciar sesión" in html and "Nombre de usuario" in html
    assert "Accept-Language" in spanish["Vary"]
    english = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Log in" in english.content.decode()


def test_a_public_page_ignores_the_readers_browser(client, articles):
    edition = edition_save(name="Wire Daily")
    html = client.get(f"/{edition.slug}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Latest news" in html and "Últimas noticias" not in html


def test_static_publishing_writes_the_editions_language(tmp_path, articles):
    from wiredesk import publish

    chile = add_edition("Chile Hoy", "es")
    publish.publish(tmp_path / "out", edition_slug=chile.slug)
    home = (tmp_path / "out" / chile.slug / "index.html").read_text()
    assert "Últimas noticias" in home and "Latest news" not in home


@pytest.mark.parametrize(("name", "language", "words", "not_found"), [
    ("Lyon Matin", "fr", ["Dernières nouvelles", "À la une", "Lettre quotidienne",
                          "Je m'abonne"], "Page introuvable"),
    ("Folha Sul", "pt-BR", ["Últimas notícias", "Boletim diário", "Quero receber",
                            "Ir para o conteúdo"], "Página não encontrada"),
    ("Rhein Kurier", "de", ["Neueste Nachrichten", "Täglicher Newsletter", "Abonnieren",
                            "Ressorts"], "Seite nicht gefunden"),
])
def test_an_edition_reads_in_its_language(client, articles, name, language, words, not_found):
    edition = add_edition(name, language)
    html = client.get(f"/{edition.slug}/").content.decode()
    assert f'<html lang="{language}"' in html
    assert all(word in html for word in words), [w for w in words if w not in html]
    assert "Latest news" not in html and "Daily email" not in html
    missing = client.get(f"/{edition.slug}/no-such-page")
    assert missing.status_code == 404 and not_found in missing.content.decode()


@pytest.mark.parametrize(("language", "kind_word"), [
    ("de", "(Person)"), ("es", "(persona)"), ("en", "(person)"), ("ar", "(شخص)"),
])
def test_a_tag_pages_kind_reads_as_the_language_writes_it(client, articles, language, kind_word):
    from wiredesk.editions.links import tag_path
    from wiredesk.newsroom.models import ArticleTag, Tag

    tag = Tag.objects.create(key="michelle-bachelet", name="Michelle Bachelet",
                             kind=Tag.Kind.PERSON)
    ArticleTag.objects.create(article=Article.objects.first(), tag=tag)
    edition = edition_save(name=f"Edition {language}", language=language)
    page = client.get(f"/{edition.slug}{tag_path(tag.key)}")
    assert page.status_code == 200
    description = page.content.decode().split('name="description" content="', 1)[1]
    assert kind_word in description.split('"', 1)[0]  # German nouns keep their capital


@pytest.mark.parametrize(("language", "total", "more", "summary"), [
    ("en", 2500, False, "2,500 results for"),
    ("de", 2500, False, "2.500 Treffer für"),
    ("es", 1000, True, "Más de 1.000 resultados para"),
    ("fr", 1000, True, "Plus de 1\u202f000 résultats pour"),
])
def test_a_search_count_is_written_as_the_language_writes_numbers(
        client, articles, monkeypatch, language, total, more, summary):
    from wiredesk.search import views
    from wiredesk.search.services import SearchResults, parse_query

    def many(edition, raw, **kwargs):
        return SearchResults(query=parse_query(raw), page=1, page_size=10, total=total,
                             more=more)

    monkeypatch.setattr(views, "search_edition", many)
    edition = edition_save(name=f"Edition {language}", language=language)
    html = client.get(f"/{edition.slug}/search", {"q": "Santiago"}).content.decode()
    assert summary in html
