import re
from datetime import UTC, datetime

import pytest

from tests.conftest import rss, rss_item
from tests.story_texts import COURT
from tests.story_texts import html as html_body
from wiredesk.editions.formatting import edition_time
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article, RelatedStory

pytestmark = pytest.mark.django_db

LONG = "".join(f"<p>Paragraph {i} of the story, with enough words to be a real paragraph.</p>"
               for i in range(1, 7))


@pytest.fixture
def site(tmp_path):
    for slug, position in (("world", 1), ("sport", 2)):
        services.section_ensure(slug=slug, name=slug.title(), position=position)
    rfe = services.agency_ensure(code="RFE")
    ani = services.agency_ensure(code="ANI")
    items = "".join(rss_item(f"w{i}", f"World story {i}", LONG, category="World",
                             date=f"Fri, 11 Jul 2025 {10 + i}:14:00 GMT") for i in range(1, 6))
    items += rss_item("s1", "Sport story", LONG, category="Sport")
    items += rss_item("x1", "Evil &lt;script&gt;window.pwned=1&lt;/script&gt; title", LONG)
    path = tmp_path / "rfe.rss"
    path.write_bytes(rss(items))
    services.ingest_source(str(path), agency=rfe)
    ani_path = tmp_path / "ani.rss"
    ani_path.write_bytes(rss(rss_item("a1", "ANI story", LONG, category="World")))
    services.ingest_source(str(ani_path), agency=ani)
    chile = edition_save(name="Chile Sun", time_zone="Australia/Sydney",
                         hosts=["chilesun.example"])
    other = edition_save(name="Sport Daily", time_zone="Europe/London", sections=["sport"],
                         agencies=["RFE"])
    return chile, other


def test_time_in_edition_zone():
    moment = datetime(2025, 7, 11, 19, 14, tzinfo=UTC)
    assert edition_time(moment, "Australia/Sydney") == "12 Jul 2025, 05:14 GMT+10"
    # a zone with daylight saving: summer and winter differ
    assert edition_time(moment, "Europe/London") == "11 Jul 2025, 20:14 GMT+1"
    assert edition_time(datetime(2025, 1, 11, 19, 14, tzinfo=UTC), "Europe/London") == \
        "11 Jan 2025, 19:14 GMT"
    assert edition_time(datetime(2025, 1, 11, 19, 14, tzinfo=UTC), "Australia/Sydney") == \
        "12 Jan 2025, 06:14 GMT+11"
    assert edition_time(moment, "Asia/Kolkata") == "12 Jul 2025, 00:44 GMT+5:30"


def test_edition_home_by_slug_and_by_host(client, site):
    by_slug = client.get("/chile-sun/")
    by_host = client.get("/", HTTP_HOST="chilesun.example")
    assert by_slug.status_code == by_host.status_code == 200
    for response, prefix in ((by_slug, "/chile-sun"), (by_host, "")):
        html = response.content.decode()
        assert "World story 5" in html
        assert f'href="{prefix}/news/' in html
    # newest first
    html = by_slug.content.decode()
    assert html.index("World story 5") < html.index("World story 1")


def test_index_lists_editions(client, site):
    html = client.get("/").content.decode()
    assert "/chile-sun/" in html and "/sport-daily/" in html


def test_routing_rules_limit_what_an_edition_carries(client, site):
    html = client.get("/sport-daily/").content.decode()
    assert "Sport story" in html
    assert "World story" not in html and "ANI story" not in html
    world = Article.objects.get(headline="World story 1")
    assert client.get(f"/sport-daily/news/{world.pk}/{world.slug}").status_code == 404
    assert client.get(f"/chile-sun/news/{world.pk}/{world.slug}").status_code == 200


def test_article_page_elements(client, site, tmp_path):
    article = Article.objects.get(headline="World story 1")
    html = client.get(f"/chile-sun/news/{article.pk}/{article.slug}").content.decode()
    assert "RFE" in html
    assert "12 Jul 2025, 00:14 GMT+10" in html
    assert "<h1>World story 1</h1>" in html
    # Every other article here is a copy of the same text: nothing is related, so no box
    # (the release filled it with the newest article of the section).
    assert "SEE ALSO:" not in html
    other = tmp_path / "court.rss"
    other.write_bytes(rss(rss_item("c1", "Former minister jailed", html_body(COURT),
                                   category="World")))
    services.ingest_source(str(other), agency=article.agency)
    court = Article.objects.get(headline="Former minister jailed")
    RelatedStory.objects.create(article=article, story=court.story, score=0.5)
    html = client.get(f"/chile-sun/news/{article.pk}/{article.slug}").content.decode()
    assert "SEE ALSO:" in html
    see_also = re.search(r'SEE ALSO:</strong> <a href="/chile-sun/news/(\d+)/', html)
    assert see_also and int(see_also.group(1)) != article.pk
    # the box sits between paragraphs, not before the first one
    assert html.index("Paragraph 1 of") < html.index("SEE ALSO:") < html.index("Paragraph 6 of")
    assert "Get a daily dose of Chile Sun news through our daily email" in html
    assert "submitting a news release to Chile Sun" in html
    assert "More Information" in html


def test_wrong_slug_redirects_and_wrong_id_404s(client, site):
    article = Article.objects.get(headline="World story 1")
    response = client.get(f"/chile-sun/news/{article.pk}/wrong-slug")
    assert response.status_code == 301
    assert response["Location"] == f"/chile-sun/news/{article.pk}/{article.slug}"
    assert client.get("/chile-sun/news/999999/x").status_code == 404
    assert client.get("/no-such-edition/").status_code == 404
    missing = client.get("/no-such-edition/news/1/x")
    assert missing.status_code == 404
    assert "Page not found" in missing.content.decode()


def test_section_page(client, site):
    html = client.get("/chile-sun/section/sport/").content.decode()
    assert "Sport story" in html and "World story" not in html
    assert client.get("/sport-daily/section/world/").status_code == 404


def test_script_in_title_is_escaped(client, site):
    html = client.get("/chile-sun/").content.decode()
    assert "<script>window.pwned" not in html
    assert "&lt;script&gt;window.pwned" in html or "window.pwned" not in html


def test_killed_article_gives_410(client, site):
    article = Article.objects.get(headline="World story 2")
    services.article_kill(article=article, reason="legal")
    assert client.get(f"/chile-sun/news/{article.pk}/{article.slug}").status_code == 410
    assert "World story 2" not in client.get("/chile-sun/").content.decode()


def test_pagination(client, site):
    from wiredesk.editions import views

    # 7 stories shown: the front's lead and row take 5, the list pages the other 2.
    views.PAGE_SIZE, old = 1, views.PAGE_SIZE
    try:
        first = client.get("/chile-sun/").content.decode()
        second = client.get("/chile-sun/?page=2").content.decode()
    finally:
        views.PAGE_SIZE = old
    assert 'rel="next"' in first
    assert "Page 2 of" in second
    # The arrows are marked so a right-to-left edition's stylesheet can turn them round.
    assert '<span class="arrow" aria-hidden="true">&rarr;</span></a>' in first
