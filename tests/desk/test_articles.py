"""The desk's article page, the admin's change page as a desk edit, and the CLI's answer."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User

from tests.newsroom.test_desk_edits import BODY, BODY_2, g2
from wiredesk import cli
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services
from wiredesk.newsroom.desk import desk_state
from wiredesk.newsroom.models import Article, Revision
from wiredesk.newsroom.services.desk_edits import desk_edit

pytestmark = pytest.mark.django_db

ADMIN = "/admin/newsroom/article/"


@pytest.fixture
def wire(tmp_path):
    agency = services.agency_ensure(code="WIRE", time_zone="Europe/Berlin")
    edition_save(name="Chile Sun", time_zone="Australia/Sydney")
    path = tmp_path / "item.xml"

    def send(data: bytes):
        path.write_bytes(data)
        return services.ingest_source(str(path), agency=agency)

    return send


@pytest.fixture
def article(wire) -> Article:
    wire(g2())
    return Article.objects.get()


@pytest.fixture
def ana(client):
    user = User.objects.create_superuser("ana", password="pw")
    client.force_login(user)
    return user


def page(article: Article) -> str:
    return f"/desk/articles/{article.pk}/"


def form(article: Article, **changes) -> dict:
    from wiredesk.wire.markup import html_to_markdown
    body = html_to_markdown(article.body_html)
    return {"headline": article.headline, "lead": article.lead, "body": body,
            "body_shown": body, "byline": article.byline, "section": article.section_id or "",
            "tags": "", "image_caption": article.image_caption,
            "image_credit": article.image_credit, "image_alt": article.image_alt,
            "edit_version": article.edit_version} | changes


def fresh(article: Article) -> Article:
    return Article.objects.get(pk=article.pk)


def test_the_page_shows_the_copy_in_markdown_and_saves_a_desk_edit(client, ana, article):
    shown = client.get(page(article))
    assert shown.status_code == 200
    html = shown.content.decode()
    assert "Bank holds rates" in html and "FRANKFURT, July 12 (Wire)" in html
    assert 'name="edit_version"' in html and "Agency updated" not in html
    response = client.post(page(article), form(article, headline="Central bank holds"))
    assert response.status_code == 302
    saved = fresh(article)
    assert saved.headline == "Central bank holds" and saved.body_html == article.body_html
    assert desk_state(saved).desk_edited
    edit = Revision.objects.filter(article=article, source="desk").get()
    assert edit.changed_fields == ["headline"] and edit.author == ana
    html = client.get(page(article)).content.decode()
    assert 'data-source="desk"' in html and "Restore" in html


def test_the_body_is_written_in_markdown(client, ana, article):
    body = "FRANKFURT - The bank **held** its rates.\n\n- one\n- two"
    assert client.post(page(article), form(article, body=body)).status_code == 302
    assert fresh(article).body_html == (
        "<p>FRANKFURT - The bank <strong>held</strong> its rates.</p>\n"
        "<ul>\n<li>one</li>\n<li>two</li>\n</ul>")


def test_a_second_editors_save_is_refused_with_a_message(client, ana, article):
    drawn = form(article)
    desk_edit(article, {"headline": "Ben was first"},
              actor=User.objects.create_user("ben", is_staff=True),
              expected_edit_version=article.edit_version)
    response = client.post(page(article), drawn | {"headline": "Ana's headline"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed by ben" in html and "not saved" in html
    assert "Ana&#x27;s headline" in html  # what she typed is still in the form
    assert fresh(article).headline == "Ben was first"


def test_the_agency_update_is_flagged_with_a_diff_and_taken_merged_or_kept(
        client, ana, article, wire):
    client.post(page(article), form(article, headline="Desk headline"))
    wire(g2(version=2, headline="Agency v2", body=BODY_2))
    html = client.get(page(article)).content.decode()
    assert "Agency updated since your edit" in html
    assert "+Agency v2" in html and "-Desk headline" in html
    assert "+Markets rose after the decision." in html
    current = fresh(article)
    # Merge the body only.
    response = client.post(f"{page(article)}agency-update/", {
        "choice": "merge", "fields": ["body_html"], "edit_version": current.edit_version})
    assert response.status_code == 302
    merged = fresh(article)
    assert (merged.headline, merged.body_html) == ("Desk headline", BODY_2)
    assert not desk_state(merged).agency_update_pending
    # The next update: keep the desk's version.
    wire(g2(version=3, headline="Agency v3", body=BODY))
    current = fresh(article)
    client.post(f"{page(article)}agency-update/",
                {"choice": "keep", "edit_version": current.edit_version})
    kept = fresh(article)
    assert kept.headline == "Desk headline" and not desk_state(kept).agency_update_pending
    # And the next: take it.
    wire(g2(version=4, headline="Agency v4", body=BODY))
    current = fresh(article)
    client.post(f"{page(article)}agency-update/",
                {"choice": "take", "edit_version": current.edit_version})
    assert fresh(article).headline == "Agency v4"
    assert not desk_state(fresh(article)).desk_edited


def test_a_stale_answer_is_refused(client, ana, article, wire):
    client.post(page(article), form(article, headline="Desk headline"))
    wire(g2(version=2, headline="Agency v2"))
    stale = fresh(article).edit_version - 1
    response = client.post(f"{page(article)}agency-update/",
                           {"choice": "take", "edit_version": stale}, follow=True)
    assert "while you were editing" in response.content.decode()
    assert fresh(article).headline == "Desk headline"


def test_any_revision_is_restored_from_the_list(client, ana, article):
    client.post(page(article), form(article, headline="First"))
    client.post(page(article), form(fresh(article), headline="Second"))
    original = Revision.objects.get(article=article, headline="Bank holds rates")
    response = client.post(f"{page(article)}restore/{original.pk}/",
                           {"edit_version": fresh(article).edit_version})
    assert response.status_code == 302
    assert fresh(article).headline == "Bank holds rates"
    assert Revision.objects.filter(article=article, source="restore").exists()


def test_a_kill_from_the_agency_is_said_on_the_desk(client, ana, article, wire):
    client.post(page(article), form(article, headline="Desk headline"))
    wire(g2(version=2, status="canceled"))
    html = client.get(page(article)).content.decode()
    assert "Killed by the agency" in html and 'data-state="killed"' in html
    assert "Save the desk" not in html
    refused = client.post(page(article), form(fresh(article), headline="Again"))
    assert refused.status_code == 400 and "killed" in refused.content.decode()


def test_staff_without_the_permission_are_refused(client, article):
    staff = User.objects.create_user("desk", password="pw", is_staff=True)
    client.force_login(staff)
    assert client.get(page(article)).status_code == 403
    assert client.post(page(article), form(article, headline="X")).status_code == 403
    assert client.post(f"{page(article)}agency-update/", {"choice": "keep"}).status_code == 403
    assert client.get("/desk/articles/").status_code == 403
    assert fresh(article).headline == "Bank holds rates"


def test_anonymous_readers_are_sent_to_the_sign_in(client, article):
    response = client.get(page(article))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_list_of_desk_edits_puts_waiting_updates_first(client, ana, article, wire):
    client.post(page(article), form(article, headline="Desk headline"))
    wire(g2(version=2, headline="Agency v2"))
    html = client.get("/desk/articles/").content.decode()
    assert "Desk headline" in html and 'data-state="agency-update-pending"' in html
    assert "/desk/articles/" in client.get("/desk/").content.decode()


def admin_form(article: Article, **changes) -> dict:
    return {"agency": article.agency_id, "kind": article.kind, "headline": article.headline,
            "slug": article.slug, "published_at_0": article.published_at.strftime("%Y-%m-%d"),
            "published_at_1": article.published_at.strftime("%H:%M:%S"),
            "status": article.status, "categories": ", ".join(article.categories),
            "section": article.section_id or "", "body_html": article.body_html,
            "lead": article.lead, "teaser": article.teaser, "byline": article.byline,
            "dateline": article.dateline, "credit": article.credit,
            "urgency": article.urgency if article.urgency is not None else "",
            "edit_version": article.edit_version,
            "revisions-TOTAL_FORMS": "0", "revisions-INITIAL_FORMS": "0"} | changes


def test_a_new_headline_on_the_admin_change_page_is_a_desk_edit(client, ana, article, wire):
    change = f"{ADMIN}{article.pk}/change/"
    shown = client.get(change).content.decode()
    assert 'name="edit_version"' in shown and f"/desk/articles/{article.pk}/" in shown
    response = client.post(change, admin_form(article, headline="Admin desk headline"))
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = fresh(article)
    assert saved.headline == "Admin desk headline" and desk_state(saved).desk_edited
    assert Revision.objects.filter(article=article, source="desk").get().changed_fields == [
        "headline"]
    # The agency's update waits, and the list flags it.
    wire(g2(version=2, headline="Agency v2"))
    assert fresh(article).headline == "Admin desk headline"
    listed = client.get(ADMIN).content.decode()
    assert "agency update" in listed
    # A form drawn before another editor's change is refused with a message.
    stale = admin_form(saved, headline="Stale")
    desk_edit(article, {"headline": "Ben's"}, actor=User.objects.create_user("ben"),
              expected_edit_version=fresh(article).edit_version)
    refused = client.post(change, stale)
    assert refused.status_code == 200 and "changed by ben" in refused.content.decode()
    assert fresh(article).headline == "Ben's"


def test_the_cli_prints_the_desk_state(client, ana, article, wire, capsys):
    assert cli.main(["article", "show", str(article.pk), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["desk_edited"], shown["agency_update_pending"]) == (False, False)
    client.post(page(article), form(article, headline="Desk headline"))
    wire(g2(version=2, headline="Agency v2"))
    assert cli.main(["article", "show", str(article.pk), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["desk_edited"], shown["agency_update_pending"]) == (True, True)
    assert shown["headline"] == "Desk headline"
    # The agency's waiting version is not one of the article's published revisions.
    assert "Agency v2" not in [r["headline"] for r in shown["revisions"]]
    assert BODY  # the same agency body as the service tests
