"""The admin as the desk (issue 14, item 8): branded, a list that shows what an editor
needs at a glance in a constant number of queries, and an article form that never 500s."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wiredesk.editions.models import Edition
from wiredesk.editions.services import edition_save, place_in_editions
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article, Story

pytestmark = pytest.mark.django_db

LIST = "/admin/newsroom/article/"
PUBLISHED = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def make_article(number: int, **fields) -> Article:
    defaults = {"agency": services.agency_ensure(code="AFP"), "identity": f"id-{number}",
                "fingerprint": "f", "headline": f"Story number {number}",
                "published_at": PUBLISHED - timedelta(minutes=number)}
    return Article.objects.create(**(defaults | fields))


@pytest.fixture
def editions():
    # Editions with rules no article here matches: placements are the test's own.
    services.agency_ensure(code="NONE")
    chile = edition_save(name="Chile Sun", time_zone="America/Santiago", agencies=["NONE"])
    euro = edition_save(name="Euro Ledger", time_zone="Europe/Paris", agencies=["NONE"])
    return chile, euro


@pytest.fixture
def editor(client):
    user = User.objects.create_user("editor", password="x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="newsroom",
                                                        codename__endswith="_article"))
    client.force_login(user)
    return client


def many_articles(count: int, editions) -> None:
    chile, euro = editions
    section = services.section_ensure(slug="world", name="World", position=1)
    story = Story.objects.create(headline="A story", first_published_at=PUBLISHED,
                                 last_published_at=PUBLISHED, size=3)
    for number in range(count):
        article = make_article(number, section=section, story=story,
                               image_url="https://pictures.example/a.jpg", signal="correction")
        place_in_editions(article, [chile.pk, euro.pk] if number % 2 else [chile.pk])
        make_article(1000 + number, duplicate_of=article, status=Article.Status.HELD)


def test_the_list_shows_what_an_editor_needs_at_a_glance(editor, editions):
    chile, euro = editions
    section = services.section_ensure(slug="world", name="World", position=1)
    story = Story.objects.create(headline="Floods", first_published_at=PUBLISHED,
                                 last_published_at=PUBLISHED, size=4)
    both = make_article(1, headline="Floods close the coast road", section=section,
                        story=story, signal="correction",
                        image_url="https://pictures.example/floods.jpg")
    place_in_editions(both, [chile.pk, euro.pk])
    santiago = make_article(2, headline="Ministers meet in Santiago",
                            embargo_until=timezone.now() + timedelta(hours=3))
    place_in_editions(santiago, [chile.pk])
    copy = make_article(3, headline="A copy of the floods story", duplicate_of=both,
                 status=Article.Status.KILLED)

    page = editor.get(LIST).content.decode()

    for column in ("Headline", "Editions", "Section", "Status", "Agency", "Published", "Story",
                   "Flags"):
        assert f">{column}</" in page
    floods, santiago_row, copy = (page.split(f'value="{pk}" class="action-select"')[1]
                                  .split("</tr>")[0] for pk in (both.pk, santiago.pk, copy.pk))
    # In two editions: the site's zone (UTC here); in one: that edition's (Santiago, -03).
    assert ">Chile Sun, Euro Ledger<" in floods and ">2026-11-30 11:59 UTC<" in floods
    assert ">Chile Sun<" in santiago_row and ">2026-11-30 08:58 -03<" in santiago_row
    assert ">World<" in floods and ">AFP (AFP)<" in floods
    assert 'field-story_size">4<' in floods
    assert 'status_shown">public<' in floods and ">correction, picture, 1 copy<" in floods
    assert 'status_shown">embargoed<' in santiago_row and 'flags_shown">embargo<' in santiago_row
    assert 'status_shown">killed<' in copy and 'flags_shown">duplicate<' in copy
    # Filters for edition, section, status and agency; dates by hierarchy.
    for filtered in ("By edition", "By section", "By status", "By agency"):
        assert filtered in page
    assert 'id="searchbar" autofocus' in page
    only_euro = editor.get(LIST, {"placements__edition__id__exact": euro.pk}).content.decode()
    assert "Floods close the coast road" in only_euro and "Ministers meet" not in only_euro
    embargoed = editor.get(LIST, {"shown": "embargoed"}).content.decode()
    assert "Ministers meet" in embargoed and "Floods close" not in embargoed
    assert "Ministers meet" in editor.get(LIST, {"q": "santiago"}).content.decode()


def list_queries(client, count: int, editions) -> int:
    Article.objects.all().delete()
    many_articles(count, editions)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST, {"o": "-6"})
    assert response.status_code == 200
    assert response.content.decode().count('class="action-select"') == min(2 * count, 50)
    return len(captured)


def test_the_list_query_count_is_constant_in_page_size(editor, editions):
    # 10 rows, then 50 (a full page): editions, story and copies cost no query per row.
    assert list_queries(editor, 5, editions) == list_queries(editor, 25, editions)


def form_data(article: Article | None = None, **changes) -> dict:
    data = {"agency": services.agency_ensure(code="DESK").pk, "kind": "wire",
            "headline": "Desk story", "slug": "", "published_at_0": "2026-11-30",
            "published_at_1": "10:00:00", "status": "published", "categories": "",
            "section": "", "body_html": "<p>Copy.</p>",
            "revisions-TOTAL_FORMS": "0", "revisions-INITIAL_FORMS": "0"}
    if article is not None:
        data |= {"agency": article.agency_id, "headline": article.headline,
                 "slug": article.slug, "body_html": article.body_html}
    return data | changes


def test_the_add_form_leads_to_the_writing_view(admin_client):
    """The raw database form placed an article in no edition (its page a 404): an
    article is written at the desk's writing view instead (tests/desk/test_write.py)."""
    for method in (admin_client.get, admin_client.post):
        response = method(f"{LIST}add/", form_data())
        assert response.status_code == 302 and response["Location"] == "/desk/write/"
    assert not Article.objects.exists()


def test_a_blank_category_and_section_save_on_change(admin_client):
    article = make_article(1, categories=["World"], section=services.section_ensure(
        slug="world", name="World", position=1))
    response = admin_client.post(f"{LIST}{article.pk}/change/",
                                 form_data(article, categories="  ", section=""))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.categories == [] and article.section is None


@pytest.mark.parametrize("path", ["{pk}/change/"])
def test_an_unknown_section_is_a_form_error_not_a_500(admin_client, path):
    article = make_article(1)
    response = admin_client.post(f"{LIST}{path.format(pk=article.pk)}",
                                 form_data(article, section="99999", categories="a, b"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_html_typed_in_the_form_is_sanitized_by_the_pipeline(admin_client):
    article = make_article(1)
    response = admin_client.post(f"{LIST}{article.pk}/change/", form_data(
        article, body_html='<p onclick="x()">Body <script>alert(1)</script><b>bold</b></p>',
        lead="<p>Lead <img src=x onerror=alert(1)>text</p>",
        byline="<em>Ana</em> Pérez", categories="World, Politics"))
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.body_html == "<p>Body <b>bold</b></p>"
    assert article.lead == "Lead text" and article.byline == "Ana Pérez"
    assert article.categories == ["World", "Politics"]


def test_saving_a_new_headline_on_the_change_page_keeps_working(admin_client):
    article = make_article(1, categories=["World"])
    response = admin_client.post(f"{LIST}{article.pk}/change/",
                                 form_data(article, headline="The desk's headline",
                                           categories="World"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.headline == "The desk's headline" and article.categories == ["World"]
    assert "World" in admin_client.get(f"{LIST}{article.pk}/change/").content.decode()


def test_the_admin_is_branded_on_the_index_and_the_login_page(admin_client, client):
    index = admin_client.get("/admin/").content.decode()
    login = client.get("/admin/login/").content.decode()
    for page in (index, login):
        assert "wiredesk desk" in page and "Django administration" not in page
        assert "/static/wiredesk/admin." in page and ".css" in page
    assert "<title>The desk | wiredesk desk</title>" in index
    stylesheet = index.split("/static/wiredesk/admin.")[1].split('"')[0]
    assert client.get(f"/static/wiredesk/admin.{stylesheet}").status_code == 200


def test_non_staff_are_refused(client, editions):
    make_article(1)
    client.force_login(User.objects.create_user("reader", password="x"))
    for path in (LIST, f"{LIST}add/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert Edition.objects.count() == 2


def test_staff_without_the_article_permissions_are_refused(client):
    article = make_article(1)
    client.force_login(User.objects.create_user("clerk", password="x", is_staff=True))
    assert client.get(LIST).status_code == 403
    assert client.post(f"{LIST}{article.pk}/change/", form_data(article)).status_code == 403
    article.refresh_from_db()
    assert article.headline == "Story number 1"
