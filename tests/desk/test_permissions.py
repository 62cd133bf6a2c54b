"""Roles at work (issue 14, item 6): an editor of Chile Sun is refused on Euro Ledger's
articles and allowed on Chile Sun's; every editorial action is in the audit log with who
did it (a user, the CLI, an API key, an agency)."""

import json

import pytest
from django.contrib.auth.models import User

from tests.newsroom.test_desk_admin import form_data
from tests.newsroom.test_wire_semantics import g2
from wiredesk import cli
from wiredesk.api.services import apikey_create
from wiredesk.core.audit import AuditEntry, record
from wiredesk.editions import roles
from wiredesk.editions.services import edition_save, place_in_editions
from wiredesk.newsroom import intelligence, services
from wiredesk.newsroom.models import Article

pytestmark = pytest.mark.django_db

LIST = "/admin/newsroom/article/"


@pytest.fixture
def editions():
    services.agency_ensure(code="NONE")  # rules no article here matches
    chile = edition_save(name="Chile Sun", time_zone="America/Santiago", agencies=["NONE"])
    euro = edition_save(name="Euro Ledger", time_zone="Europe/Paris", agencies=["NONE"])
    return chile, euro


def article_in(*editions, number=1, **fields) -> Article:
    article = Article.objects.create(
        agency=services.agency_ensure(code="AFP"), identity=f"id-{number}", fingerprint="f",
        headline=f"Story {number}", published_at="2026-11-30T12:00:00Z", **fields)
    place_in_editions(article, [e.pk for e in editions])
    return article


@pytest.fixture
def chile_editor(client, editions):
    User.objects.create_user("ana", password="x")
    roles.role_grant(actor="cli", username="ana", edition="chile-sun")
    client.force_login(User.objects.get(username="ana"))
    return client


def entries(**filters) -> list[tuple]:
    return list(AuditEntry.objects.filter(**filters).order_by("id").values_list(
        "actor_label", "action", "target_id"))


def act(client, action: str, *articles):
    return client.post(LIST, {"action": action, "_selected_action": [a.pk for a in articles]})


def test_an_editor_of_chile_sun_is_refused_on_a_euro_ledger_article(chile_editor, editions):
    chile, euro = editions
    ours, theirs = article_in(chile, number=1), article_in(euro, number=2)
    assert chile_editor.get(f"{LIST}{ours.pk}/change/").status_code == 200
    assert chile_editor.get(f"{LIST}{theirs.pk}/change/").status_code == 403
    edit = chile_editor.post(f"{LIST}{theirs.pk}/change/", {"headline": "Taken over"})
    assert edit.status_code == 403
    for action in ("kill", "hold", "release", "split_out"):
        assert act(chile_editor, action, theirs).status_code == 403, action
    assert act(chile_editor, "merge_copies", ours, theirs).status_code == 403
    theirs.refresh_from_db()
    assert theirs.status == Article.Status.PUBLISHED and theirs.headline == "Story 2"
    assert not AuditEntry.objects.filter(action__startswith="article.").exists()


def test_the_list_shows_an_edition_editor_their_editions_articles_only(chile_editor,
                                                                       editions):
    chile, euro = editions
    article_in(chile, number=1)
    article_in(euro, number=2)
    article_in(chile, euro, number=3)
    page = chile_editor.get(LIST)
    assert page.status_code == 200
    shown = {a.pk for a in page.context["cl"].result_list}
    assert shown == set(Article.objects.filter(headline__in=["Story 1", "Story 3"])
                        .values_list("pk", flat=True))


def test_an_editor_acts_on_their_own_edition_and_the_log_says_who(chile_editor, editions):
    chile, _ = editions
    ours = article_in(chile, number=1)
    assert act(chile_editor, "hold", ours).status_code == 302
    assert act(chile_editor, "release", ours).status_code == 302
    assert act(chile_editor, "kill", ours).status_code == 302
    ours.refresh_from_db()
    assert ours.status == Article.Status.KILLED
    assert entries(target_type="article") == [("ana", "article.hold", str(ours.pk)),
                                              ("ana", "article.release", str(ours.pk)),
                                              ("ana", "article.kill", str(ours.pk))]
    assert set(AuditEntry.objects.filter(target_type="article")
               .values_list("edition_slug", flat=True)) == {"chile-sun"}
    # Its history is on its admin page.
    page = chile_editor.get(f"{LIST}{ours.pk}/change/")
    assert page.content.decode().count('data-action="article.') == 3


def test_an_edit_in_the_admin_is_logged_with_the_fields_changed(chile_editor, editions):
    ours = article_in(editions[0], number=1)
    saved = chile_editor.post(f"{LIST}{ours.pk}/change/",
                              form_data(ours, headline="A better headline"))
    assert saved.status_code == 302
    ours.refresh_from_db()
    assert ours.headline == "A better headline"
    entry = AuditEntry.objects.get(action="article.edit")
    assert entry.actor.username == "ana" and "headline" in entry.details["fields"]
    assert entry.edition_slug == "chile-sun"


def test_merge_and_split_are_logged_with_their_actor(editions):
    chile, _ = editions
    one, two = article_in(chile, number=1), article_in(chile, number=2)
    root = User.objects.create_superuser("root", password="x")
    canonical = intelligence.articles_merge(articles=[one, two], actor=root)
    assert sorted(entries(action="article.merge")) == sorted(
        [("root", "article.merge", str(one.pk)), ("root", "article.merge", str(two.pk))])
    assert AuditEntry.objects.filter(action="article.merge").first().details["canonical"] \
        == canonical.pk
    intelligence.article_split(article=two, actor="cli")
    assert entries(action="article.split") == [("cli", "article.split", str(two.pk))]


def test_the_cli_kill_is_logged_as_the_cli(editions, capsys):
    article = article_in(editions[0], number=1)
    assert cli.main(["article", "kill", str(article.pk), "--reason", "legal"]) == 0
    assert entries(action="article.kill") == [("cli", "article.kill", str(article.pk))]
    assert AuditEntry.objects.get(action="article.kill").details == {"reason": "legal"}


def test_the_api_kill_is_logged_as_its_key(client, editions):
    article = article_in(editions[1], number=1)
    _, key = apikey_create(name="partner-desk", can_write=True, agencies=["AFP"])
    killed = client.post(f"/api/articles/{article.pk}/kill", json.dumps({"reason": "legal"}),
                         content_type="application/json", HTTP_X_API_KEY=key)
    assert killed.status_code == 200
    assert entries(action="article.kill") == [
        ("api:partner-desk", "article.kill", str(article.pk))]


def test_an_agency_kill_is_logged_as_the_agency(tmp_path):
    agency = services.agency_ensure(code="WIRE")
    path = tmp_path / "item.xml"
    for data in (g2(), g2(status="withheld"), g2(version=2, status="canceled")):
        path.write_bytes(data)
        services.ingest_source(str(path), agency=agency)
    article = Article.objects.get()
    assert entries(action__startswith="article.") == [
        ("agency:WIRE", "article.hold", str(article.pk)),
        ("agency:WIRE", "article.kill", str(article.pk))]


def test_role_cli_grants_lists_and_revokes(editions, capsys):
    User.objects.create_user("ana")
    User.objects.create_user("dora")
    assert cli.main(["role", "grant", "ana", "--edition", "chile-sun"]) == 0
    assert cli.main(["role", "grant", "dora", "--desk"]) == 0
    capsys.readouterr()
    assert cli.main(["role", "list"]) == 0
    out = capsys.readouterr().out
    assert "ana" in out and "edition editor of chile-sun" in out
    assert "dora" in out and "desk editor" in out
    assert cli.main(["role", "revoke", "ana", "--edition", "chile-sun"]) == 0
    assert cli.main(["role", "grant", "nobody", "--desk"]) == 2
    assert "no user 'nobody'" in capsys.readouterr().err
    assert entries(action__startswith="role.") == [
        ("cli", "role.grant", str(User.objects.get(username="ana").pk)),
        ("cli", "role.grant", str(User.objects.get(username="dora").pk)),
        ("cli", "role.revoke", str(User.objects.get(username="ana").pk))]


def test_the_audit_page_shows_an_edition_editor_their_editions_only(chile_editor, editions):
    chile, euro = editions
    ours, theirs, both = (article_in(chile, number=1), article_in(euro, number=2),
                          article_in(chile, euro, number=3))
    for article in (ours, theirs, both):
        services.article_hold(article=article, actor="cli")
    record("cli", "front.feature", euro, edition=euro)
    page = chile_editor.get("/desk/audit/")
    assert page.status_code == 200
    shown = {(e.action, e.target_id) for e in page.context["page"]}
    assert ("article.hold", str(ours.pk)) in shown and ("article.hold", str(both.pk)) in shown
    assert ("article.hold", str(theirs.pk)) not in shown
    assert ("front.feature", str(euro.pk)) not in shown
    assert f'href="{LIST}{ours.pk}/change/"' in page.content.decode()


def test_the_audit_page_filters_by_action_actor_edition_and_target(client, editions):
    chile, euro = editions
    ours, theirs = article_in(chile, number=1), article_in(euro, number=2)
    services.article_hold(article=ours, actor="cli")
    services.article_kill(article=theirs, reason="legal", actor="api:desk")
    client.force_login(User.objects.create_superuser("root", password="x"))

    def shown(**query) -> set[tuple]:
        page = client.get("/desk/audit/", query)
        assert page.status_code == 200
        return {(e.actor_label, e.action, e.target_id) for e in page.context["page"]}

    assert shown(action="article.kill") == {("api:desk", "article.kill", str(theirs.pk))}
    assert shown(actor="CLI") == {("cli", "article.hold", str(ours.pk))}
    assert shown(edition="euro-ledger") == {("api:desk", "article.kill", str(theirs.pk))}
    assert shown(target=f"article:{ours.pk}") == {("cli", "article.hold", str(ours.pk))}
    assert len(shown()) >= 2


def test_the_canonical_choice_is_logged(editions, capsys):
    chile, euro = editions
    article = article_in(chile, euro, number=1)
    assert cli.main(["edition", "canonical", str(article.pk), "euro-ledger"]) == 0
    entry = AuditEntry.objects.get(action="article.canonical")
    assert (entry.actor_label, entry.target_id, entry.edition_slug, entry.details) == (
        "cli", str(article.pk), "euro-ledger", {"canonical": "euro-ledger"})
