"""An article's own language on its pages, in its structured data, alternates, feeds, the
API and the partner formats; and an edition's language on its pages (issue 17 item 5,
issue 20). The site: Chile Sun (en), Sol de Chile (es), Plain Post (en, sport only)."""

import json
import re

import pytest

from tests.publishing.conftest import ago
from tests.publishing.test_seo import head_of
from wiredesk import cli
from wiredesk.editions.services import edition_save, edition_update
from wiredesk.errors import WiredeskError
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article

pytestmark = pytest.mark.django_db

ARABIC_HEADLINE = "الحكومة تعلن عن خطة جديدة لدعم الاقتصاد"
ARABIC_BODY = ("<p>أعلنت الحكومة يوم الثلاثاء عن خطة اقتصادية جديدة تهدف إلى دعم الشركات "
               "الصغيرة والمتوسطة وخفض معدلات البطالة.</p><p>وقال وزير المالية في مؤتمر صحفي "
               "إن الخطة ستمول من خلال إعادة توزيع بنود الميزانية دون زيادة الضرائب.</p>")
SPANISH_BODY = ("<p>El Consejo de Ministros aprobó este martes la reforma del sistema de "
                "pensiones, que prevé subir las cotizaciones de los salarios más altos para "
                "garantizar la sostenibilidad del sistema.</p>")


def english_feed(items: str) -> bytes:
    """A feed that declares English for everything it carries (the case of issue 20)."""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Mixed wire</title><link>https://wire.example.org/</link>
<description>test</description><language>en-us</language>{items}</channel></rss>""".encode()


def item(guid: str, title: str, body: str) -> str:
    return (f"<item><title>{title}</title><guid isPermaLink=\"false\">{guid}</guid>"
            f"<link>https://wire.example.org/{guid}</link><category>World</category>"
            f"<pubDate>{ago(minutes=30)}</pubDate>"
            f"<content:encoded><![CDATA[{body}]]></content:encoded></item>")


def ingest(tmp_path, *items: str) -> None:
    path = tmp_path / "mixed.rss"
    path.write_bytes(english_feed("".join(items)))
    services.ingest_source(str(path), agency=services.agency_ensure(code="MIX", name="Mixed"))


@pytest.fixture
def arabic(site, tmp_path):
    ingest(tmp_path, item("ar1", ARABIC_HEADLINE, ARABIC_BODY))
    return Article.objects.get(guid="ar1")


def page(client, url, **extra) -> str:
    response = client.get(url, **extra)
    assert response.status_code == 200
    return response.content.decode()


def test_the_arabic_item_is_stored_as_arabic_with_a_real_slug(arabic):
    assert arabic.language == "ar"
    assert arabic.slug.isascii() and arabic.slug not in ("", "item")
    assert arabic.slug.startswith("lhkwm")


def test_an_english_item_keeps_its_feeds_declaration(site, tmp_path):
    ingest(tmp_path, item("en1", "Harbour pilots count a slow season",
                          "<p>Harbour pilots in Valparaiso described the slow autumn season "
                          "for cruise ships and the ports that depend on them.</p>"))
    assert Article.objects.get(guid="en1").language == "en-US"


def test_the_article_page_marks_its_language_and_direction(client, arabic):
    html = page(client, f"/chile-sun/news/{arabic.pk}/{arabic.slug}")
    # The page's own words (menus, footer) stay the English edition's...
    assert re.search(r'<html lang="en">', html)
    # ...and the article says it is Arabic, right to left.
    assert re.search(r'<article class="primary story" lang="ar" dir="rtl">', html)
    head = head_of(client, f"/chile-sun/news/{arabic.pk}/{arabic.slug}")
    assert head.json_ld[0]["inLanguage"] == "ar"
    assert head.meta["og:locale"] == "ar"
    # Carried by an English and a Spanish edition, it is neither's alternate.
    assert not [link for link in head.links if "hreflang" in link]
    # The front's teaser says so too.
    front = page(client, "/chile-sun/")
    assert re.search(rf'<a href="[^"]*{arabic.pk}/{arabic.slug}" lang="ar" dir="rtl">', front)


def test_an_english_article_has_no_lang_mark_on_an_english_page(client, site):
    article = Article.objects.get(headline="Fresh world story")
    html = page(client, f"/chile-sun/news/{article.pk}/{article.slug}")
    assert '<article class="primary story">' in html
    # On the Spanish edition it is marked as English.
    html = page(client, f"/sol-de-chile/news/{article.pk}/{article.slug}")
    assert re.search(r'<html lang="es">', html)
    assert '<article class="primary story" lang="en" dir="ltr">' in html


def test_hreflang_lists_only_editions_of_the_articles_language(client, site, arabic):
    edition_save(name="Al Sharq", time_zone="Asia/Riyadh", language="ar")
    edition_save(name="Al Sharq Masr", time_zone="Africa/Cairo", language="ar-EG")
    head = head_of(client, f"/chile-sun/news/{arabic.pk}/{arabic.slug}")
    alternates = {link["hreflang"]: link["href"] for link in head.links if "hreflang" in link}
    assert set(alternates) == {"ar", "ar-EG"}
    assert "/al-sharq/" in alternates["ar"] and "/al-sharq-masr/" in alternates["ar-EG"]
    # An English article among the same editions has English alternates only: none here.
    english = Article.objects.get(headline="Fresh world story")
    head = head_of(client, f"/chile-sun/news/{english.pk}/{english.slug}")
    assert not [link for link in head.links if "hreflang" in link]


def test_an_arabic_edition_reads_right_to_left(client, arabic):
    edition_save(name="Al Sharq", time_zone="Asia/Riyadh", language="ar")
    html = page(client, f"/al-sharq/news/{arabic.pk}/{arabic.slug}")
    assert re.search(r'<html lang="ar" dir="rtl">', html)
    assert '<article class="primary story">' in html  # the page already says so
    assert re.search(r'<html lang="ar" dir="rtl">', page(client, "/al-sharq/"))


def test_feeds_api_and_partner_formats_name_the_articles_language(client, arabic):
    from wiredesk.api.routers.common import article_out
    from wiredesk.publishing import newsml, ninjs

    document = json.loads(page(client, "/chile-sun/feed.json"))
    by_title = {i["title"]: i for i in document["items"]}
    assert document["language"] == "en"
    assert by_title[ARABIC_HEADLINE]["language"] == "ar"
    assert by_title["Fresh world story"]["language"] == "en"
    atom = page(client, "/chile-sun/feed.atom")
    assert re.search(r'<entry xml:lang="ar">\s*<title>' + ARABIC_HEADLINE, atom)
    assert atom.count('<entry xml:lang=') == 1
    assert article_out(arabic)["language"] == "ar"
    assert ninjs.article_document(arabic)["language"] == "ar"
    assert b'xml:lang="ar"' in newsml.article_document(arabic)


def test_a_new_version_is_detected_again(site, tmp_path, arabic):
    ingest(tmp_path, item("ar1", "El Gobierno aprueba la reforma de las pensiones",
                          SPANISH_BODY))
    arabic.refresh_from_db()
    assert arabic.version > 1 and arabic.language == "es"


def test_edition_language_from_the_command_line(client, site, capsys):
    assert cli.main(["edition", "add", "--name", "Al Sharq", "--timezone", "Asia/Riyadh",
                     "--language", "ar"]) == 0
    assert re.search(r'<html lang="ar" dir="rtl">', page(client, "/al-sharq/"))
    assert cli.main(["edition", "update", "al-sharq", "--language", "pt-br"]) == 0
    assert re.search(r'<html lang="pt-BR">', page(client, "/al-sharq/"))
    with pytest.raises(WiredeskError, match="not a language tag"):
        edition_update("al-sharq", language="Arabic")


def test_search_finds_arabic_copy_and_marks_it(client, arabic):
    html = client.get("/search", {"q": "الاقتصاد"}, HTTP_HOST="chilesun.example").content.decode()
    assert re.search(r'<li class="teaser" lang="ar" dir="rtl">', html)
    assert f"/news/{arabic.pk}/{arabic.slug}" in html


def test_the_news_sitemap_names_each_articles_language(client, arabic):
    xml = page(client, "/chile-sun/sitemap-news.xml")
    entries = re.findall(r"<url>.*?</url>", xml, re.S)
    arabic_entry = next(e for e in entries if f"/news/{arabic.pk}/" in e)
    assert "<news:language>ar</news:language>" in arabic_entry
    others = [e for e in entries if f"/news/{arabic.pk}/" not in e]
    assert others and all("<news:language>en</news:language>" in e for e in others)
