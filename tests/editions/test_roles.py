"""Roles in Django's permission system (issue 14, item 6): an editor of one edition may
act on that edition and its articles only; a desk editor on all; an administrator on all."""

import pytest
from django.contrib.auth.models import Group, User

from wiredesk.core.audit import AuditEntry
from wiredesk.editions import roles
from wiredesk.editions.models import EditionRole
from wiredesk.editions.services import edition_save, place_in_editions
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article

pytestmark = pytest.mark.django_db

DESK_PERMS = sorted(roles.EDITION_PERMS)


@pytest.fixture
def editions():
    services.agency_ensure(code="NONE")  # rules no article here matches
    chile = edition_save(name="Chile Sun", time_zone="America/Santiago", agencies=["NONE"])
    euro = edition_save(name="Euro Ledger", time_zone="Europe/Paris", agencies=["NONE"])
    return chile, euro


def article_in(*editions, number=1) -> Article:
    article = Article.objects.create(
        agency=services.agency_ensure(code="AFP"), identity=f"id-{number}", fingerprint="f",
        headline=f"Story {number}", published_at="2026-11-30T12:00:00Z")
    place_in_editions(article, [e.pk for e in editions])
    return article


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)  # Django and the backend cache per user object


def test_the_groups_exist_after_migrating_with_their_permissions():
    desk = Group.objects.get(name=roles.DESK_EDITORS)
    held = {f"{p.content_type.app_label}.{p.codename}" for p in desk.permissions.all()}
    assert set(roles.EDITION_PERMS) <= held and "core.view_auditentry" in held
    scoped = Group.objects.get(name=roles.EDITION_EDITORS)
    # Nothing an edition editor may do anywhere comes from the group itself.
    assert not {f"{p.content_type.app_label}.{p.codename}"
                for p in scoped.permissions.all()} & roles.EDITION_PERMS


@pytest.mark.parametrize("perm", DESK_PERMS)
def test_an_edition_editor_acts_on_their_edition_only(editions, perm):
    chile, euro = editions
    ana = User.objects.create_user("ana")
    roles.role_grant(actor="cli", username="ana", edition=chile.slug)
    ana = fresh(ana)
    assert ana.is_staff
    assert ana.has_perm(perm, chile) and not ana.has_perm(perm, euro)
    assert ana.has_perm(perm, article_in(chile, number=1))
    assert not ana.has_perm(perm, article_in(euro, number=2))
    assert ana.has_perm(perm, article_in(chile, euro, number=3))  # carried by both
    assert not ana.has_perm(perm, article_in(number=4))            # carried by none
    # Never globally: Django's own backend grants nothing through the group.
    assert not ana.has_perm(perm)


def test_an_edition_editor_sees_the_lists_but_only_their_articles(editions):
    chile, euro = editions
    User.objects.create_user("ana")
    roles.role_grant(actor="cli", username="ana", edition=chile.slug)
    ana = fresh(User.objects.get(username="ana"))
    assert ana.has_perm("newsroom.view_article") and ana.has_perm("core.view_auditentry")
    assert ana.has_perm("newsroom.view_article", article_in(chile, number=1))
    assert not ana.has_perm("newsroom.view_article", article_in(euro, number=2))
    assert roles.is_edition_scoped(ana)


@pytest.mark.parametrize("perm", DESK_PERMS)
def test_a_desk_editor_and_an_administrator_act_everywhere(editions, perm):
    _chile, euro = editions
    User.objects.create_user("dora")
    roles.role_grant(actor="cli", username="dora", desk=True)
    root = User.objects.create_superuser("root", password="x")
    for user in (fresh(User.objects.get(username="dora")), root):
        assert user.has_perm(perm) and user.has_perm(perm, euro)
        assert user.has_perm(perm, article_in(euro, number=7))
        assert not roles.is_edition_scoped(user)
        Article.objects.all().delete()


def test_a_staff_user_without_roles_and_an_inactive_editor_get_nothing(editions):
    chile, _ = editions
    staff = User.objects.create_user("staff", is_staff=True)
    assert not staff.has_perm("editions.curate_edition", chile)
    User.objects.create_user("gone")
    roles.role_grant(actor="cli", username="gone", edition=chile.slug)
    gone = fresh(User.objects.get(username="gone"))
    gone.is_active = False
    assert not gone.has_perm("editions.curate_edition", chile)


def test_revoking_the_last_edition_takes_the_group_too_and_each_change_is_audited(editions):
    chile, euro = editions
    User.objects.create_user("ana")
    for edition in (chile, euro):
        roles.role_grant(actor="cli", username="ana", edition=edition.slug)
    roles.role_revoke(actor="cli", username="ana", edition=chile.slug)
    ana = fresh(User.objects.get(username="ana"))
    assert not ana.has_perm("editions.curate_edition", chile)
    assert ana.has_perm("editions.curate_edition", euro)
    assert ana.groups.filter(name=roles.EDITION_EDITORS).exists()
    roles.role_revoke(actor="cli", username="ana", edition=euro.slug)
    assert not EditionRole.objects.exists()
    assert not fresh(ana).groups.exists()
    logged = list(AuditEntry.objects.order_by("id").values_list(
        "actor_label", "action", "edition_slug", "target_label"))
    assert logged == [("cli", "role.grant", "chile-sun", "ana"),
                      ("cli", "role.grant", "euro-ledger", "ana"),
                      ("cli", "role.revoke", "chile-sun", "ana"),
                      ("cli", "role.revoke", "euro-ledger", "ana")]


def test_grants_refuse_what_does_not_exist(editions):
    with pytest.raises(roles.RoleError):
        roles.role_grant(actor="cli", username="nobody", desk=True)
    User.objects.create_user("ana")
    with pytest.raises(roles.RoleError):
        roles.role_grant(actor="cli", username="ana", edition="no-such-edition")
    with pytest.raises(roles.RoleError):
        roles.role_grant(actor="cli", username="ana", edition="chile-sun", desk=True)
    assert not AuditEntry.objects.exists()


def test_the_admin_grants_and_revokes_through_the_services(client, editions):
    chile, _ = editions
    ana = User.objects.create_user("ana")
    client.force_login(User.objects.create_superuser("root", password="x"))
    added = client.post("/admin/editions/editionrole/add/",
                        {"user": ana.pk, "edition": chile.pk})
    assert added.status_code == 302
    role = EditionRole.objects.get()
    assert fresh(ana).has_perm("editions.curate_edition", chile)
    assert fresh(ana).groups.filter(name=roles.EDITION_EDITORS).exists()
    deleted = client.post(f"/admin/editions/editionrole/{role.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302 and not EditionRole.objects.exists()
    assert list(AuditEntry.objects.order_by("id").values_list("actor_label", "action")) == [
        ("root", "role.grant"), ("root", "role.revoke")]
