"""The desk's front-page editor (/desk/fronts/): who may use it, the plain-form flows that
need no JavaScript, times in the edition's zone, and a query count that does not grow
with the slots or the search results."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.test import Client

from wiredesk.core.audit import AuditEntry
from wiredesk.editions import curation
from wiredesk.editions.models import FrontSlot
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article

pytestmark = pytest.mark.django_db

EDITOR = "/desk/fronts/chile-sun/"


def make_articles(count: int, *, start: int = 1) -> None:
    world = services.section_ensure(slug="world", name="World")
    sport = services.section_ensure(slug="sport", name="Sport")
    agency = services.agency_ensure(code="RFE")
    now = datetime.now(UTC)
    Article.objects.bulk_create(
        Article(agency=agency, identity=f"guid:{i}", fingerprint=f"{i:064d}",
                headline=f"Story {i}", slug=f"story-{i}", teaser=f"Teaser {i}",
                section=sport if i % 5 == 0 else world,
                published_at=now - timedelta(minutes=10 * i))
        for i in range(start, start + count))


@pytest.fixture
def edition():
    make_articles(30)
    return edition_save(name="Chile Sun", time_zone="Australia/Sydney")


@pytest.fixture
def editor(client):
    user = User.objects.create_superuser("editor", password="pw")
    client.force_login(user)
    return user


def story(n: int) -> Article:
    return Article.objects.get(headline=f"Story {n}")


def lead_of(client, url: str = "/chile-sun/") -> str:
    html = client.get(url).content.decode()
    lead = html.split('class="teaser front-lead"')[1].split("</article>")[0]
    return re.search(r'class="teaser-title"><a href="[^"]+">([^<]+)</a>', lead).group(1)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_fronts_page_lists_the_editions_and_the_desk_links_to_it(client, edition, editor):
    edition_save(name="Sport Daily", sections=["sport"])
    page = client.get("/desk/fronts/").content.decode()
    assert 'href="/desk/fronts/chile-sun/"' in page
    assert 'href="/desk/fronts/sport-daily/sport/"' in page
    assert 'href="/desk/fronts/"' in client.get("/desk/").content.decode()


def test_staff_without_the_permission_are_refused(client, edition):
    client.force_login(User.objects.create_user("desk", password="pw", is_staff=True))
    assert "Chile Sun" not in client.get("/desk/fronts/").content.decode()
    assert client.get(EDITOR).status_code == 403
    assert client.get(EDITOR + "world/").status_code == 403
    response = client.post(EDITOR, {"action": "top", "article": story(3).pk})
    assert response.status_code == 403
    assert not FrontSlot.objects.exists() and not AuditEntry.objects.exists()


def test_an_edition_editor_curates_their_edition_only(client, edition):
    from wiredesk.editions import roles

    edition_save(name="Sport Daily", sections=["sport"])
    User.objects.create_user("ana", password="pw")
    roles.role_grant(actor="cli", username="ana", edition="sport-daily")
    client.force_login(User.objects.get(username="ana"))
    index = client.get("/desk/fronts/").content.decode()
    assert "Sport Daily" in index and "Chile Sun" not in index
    assert client.get(EDITOR).status_code == 403
    assert client.post(EDITOR, {"action": "top", "article": story(5).pk}).status_code == 403
    response = client.post("/desk/fronts/sport-daily/", {"action": "top",
                                                         "article": story(5).pk})
    assert response.status_code == 302
    assert list(FrontSlot.objects.values_list("edition__slug", "kind")) == [
        ("sport-daily", "top")]
    assert AuditEntry.objects.filter(action="front.feature").get().actor_label == "ana"


def test_readers_and_strangers_never_reach_the_editor(client, edition):
    assert client.get(EDITOR).status_code == 302  # to the sign-in
    client.force_login(User.objects.create_user("reader"))
    assert client.get(EDITOR).status_code == 302
    assert client.post(EDITOR, {"action": "top", "article": story(3).pk}).status_code == 302
    assert not FrontSlot.objects.exists()


def test_unknown_editions_and_sections_are_not_found(client, edition, editor):
    assert client.get("/desk/fronts/nowhere/").status_code == 404
    assert client.get(EDITOR + "nowhere/").status_code == 404
    edition_save(name="Sport Daily", sections=["sport"])
    assert client.get("/desk/fronts/sport-daily/world/").status_code == 404
    assert client.get("/desk/fronts/sport-daily/sport/").status_code == 200


def test_make_top_feature_and_pin_with_plain_forms(edition, editor):
    # A browser with no script: every step a form post with the page's CSRF token.
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)
    page = browser.get(EDITOR + "?q=Story 17").content.decode()
    assert f'data-article="{story(17).pk}"' in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert browser.post(EDITOR, {"action": "top", "article": story(17).pk}).status_code == 403
    response = browser.post(EDITOR, {"action": "top", "article": story(17).pk,
                                     "q": "Story 17", "csrfmiddlewaretoken": token},
                            follow=True)
    assert response.redirect_chain == [(EDITOR + "?q=Story+17", 302)]
    assert messages_of(response) == ["“Story 17” is the top story."]
    assert lead_of(browser) == "Story 17"

    response = browser.post(EDITOR, {"action": "feature", "article": story(22).pk,
                                     "csrfmiddlewaretoken": token}, follow=True)
    assert messages_of(response) == ["“Story 22” is featured."]
    response = browser.post(EDITOR, {"action": "pin", "article": story(26).pk,
                                     "expires": "2099-12-01T18:30",
                                     "csrfmiddlewaretoken": token}, follow=True)
    assert messages_of(response) == [
        "“Story 26” is pinned until 2099-12-01 18:30 (Australia/Sydney)."]
    slot = FrontSlot.objects.get(kind="pinned")
    assert slot.expires_at == datetime(2099, 12, 1, 7, 30, tzinfo=UTC)
    assert slot.created_by == editor
    html = response.content.decode()
    assert "shown until 2099-12-01 18:30" in html  # in the edition's zone
    home = browser.get("/chile-sun/").content.decode()
    secondary = home.split('class="front-secondary"')[1].split("</ul>")[0]
    assert secondary.index("Story 22") < secondary.index("Story 1<")
    listed = home.split('<div class="columns">')[1]
    assert listed.index("Story 26") < listed.index("Story 4<")
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "front.feature", "front.feature", "front.pin"]


def test_refusals_come_back_as_messages_and_change_nothing(client, edition, editor):
    response = client.post(EDITOR, {"action": "pin", "article": story(3).pk,
                                    "expires": "2099-10-04T02:30"}, follow=True)
    assert messages_of(response) == [
        "2099-10-04 02:30 does not exist in Australia/Sydney (the clocks skip it): "
        "choose another time"]
    services.article_kill(article=story(4), reason="legal")
    response = client.post(EDITOR, {"action": "feature", "article": story(4).pk}, follow=True)
    assert "is not public" in messages_of(response)[0]
    response = client.post(EDITOR, {"action": "feature", "article": "x"}, follow=True)
    assert messages_of(response) == ["no such article"]
    response = client.post(EDITOR, {"action": "remove", "slot": "999"}, follow=True)
    assert "no longer on this front" in messages_of(response)[0]
    response = client.post(EDITOR, {"action": "explode"}, follow=True)
    assert messages_of(response) == ["unknown action 'explode'"]
    assert not FrontSlot.objects.exists()


def test_move_remove_reorder_and_clear(client, edition, editor):
    for n in (11, 12, 13):
        client.post(EDITOR, {"action": "feature", "article": story(n).pk})
    a, b, c = FrontSlot.objects.order_by("position")
    client.post(EDITOR, {"action": "up", "slot": c.pk})
    assert list(FrontSlot.objects.order_by("position").values_list("pk", flat=True)) == [
        a.pk, c.pk, b.pk]
    client.post(EDITOR, {"action": "down", "slot": a.pk})
    assert list(FrontSlot.objects.order_by("position").values_list("pk", flat=True)) == [
        c.pk, a.pk, b.pk]
    # What the drag script posts: the new order, answered in JSON.
    answer = client.post(EDITOR, {"action": "reorder", "order": f"{b.pk},{a.pk},{c.pk}"},
                         HTTP_ACCEPT="application/json")
    assert answer.json() == {"ok": True, "message": "The new order is saved."}
    assert list(FrontSlot.objects.order_by("position").values_list("pk", flat=True)) == [
        b.pk, a.pk, c.pk]
    refused = client.post(EDITOR, {"action": "reorder", "order": "1,x"},
                          HTTP_ACCEPT="application/json")
    assert refused.status_code == 400 and refused.json()["ok"] is False
    client.post(EDITOR, {"action": "remove", "slot": a.pk})
    assert FrontSlot.objects.count() == 2
    response = client.post(EDITOR, {"action": "clear"}, follow=True)
    assert messages_of(response)[-1] == "2 slot(s) removed: the front is chosen automatically."
    assert not FrontSlot.objects.exists()


def test_a_section_front_is_curated_on_its_own_page(client, edition, editor):
    client.post(EDITOR + "world/", {"action": "top", "article": story(19).pk})
    assert lead_of(client, "/chile-sun/section/world/") == "Story 19"
    assert lead_of(client) == "Story 1"
    response = client.post(EDITOR + "world/", {"action": "top", "article": story(20).pk},
                           follow=True)
    assert "is not public on the Chile Sun World front" in messages_of(response)[-1]


def test_the_editor_shows_skipped_slots_and_uses_no_inline_script(client, edition, editor):
    curation.front_feature(actor=editor, edition=edition, article=story(8), top=True)
    services.article_hold(article=story(8), reason="check")
    html = client.get(EDITOR).content.decode()
    assert "skipped: not public on this front" in html
    assert re.search(r'<script src="[^"]*desk-fronts[^"]*\.js" defer></script>', html)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # CSP: no inline script
    # Times in the edition's zone (Sydney is ten or eleven hours ahead of UTC).
    published = story(1).published_at
    sydney = published.astimezone(ZoneInfo("Australia/Sydney"))
    shown = re.search(rf'data-article="{story(1).pk}"><strong>Lead:</strong> Story 1 '
                      r'<small>#\d+, ([^<]+)</small>', html).group(1)
    assert shown == f"{sydney:%Y-%m-%d %H:%M}" != f"{published:%Y-%m-%d %H:%M}"


def fill(edition, editor, slots: int, articles: int) -> None:
    make_articles(articles, start=1000)
    edition_save(name="Chile Sun", time_zone="Australia/Sydney")
    numbers = iter([1000 + i for i in range(articles)])
    for kind in ["top"] * min(slots, 1) + ["featured"] * min(max(slots - 1, 0), 4) + [
            "pinned"] * max(slots - 5, 0):
        article = story(next(numbers))
        if kind == "pinned":
            curation.front_pin(actor=editor, edition=edition, article=article,
                               expires=datetime.now(UTC) + timedelta(days=1))
        else:
            curation.front_feature(actor=editor, edition=edition, article=article,
                                   top=kind == "top")


# The editor's reads: the sign-in's (session, user), the edition, the front (its slots,
# the newest stories, the list's head), the slots with their articles, the search results,
# the sections... Constant in the number of slots and results; a front with slots reads
# two more (which of their articles are public: once for the front, once for the table).
EDITOR_QUERIES = 13


@pytest.mark.parametrize(("slots", "articles"), [(0, 0), (3, 10), (9, 40)])
def test_the_editors_query_count_is_pinned(client, edition, editor, slots, articles,
                                           django_assert_num_queries):
    fill(edition, editor, slots, articles)
    assert FrontSlot.objects.count() == slots
    with django_assert_num_queries(EDITOR_QUERIES + (2 if slots else 0)):
        response = client.get(EDITOR)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<tr data-slot=") == slots
