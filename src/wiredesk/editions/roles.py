"""Roles on the desk, in Django's permission system.

- **Administrators** are superusers: Django grants them everything.
- **Desk editors** (group "Desk editors") hold the desk permissions for every edition,
  through Django's ``ModelBackend``.
- **Edition editors** (group "Edition editors", plus one ``EditionRole`` row per edition)
  hold the same permissions, but on their editions only. The group itself carries only
  what lets them reach the lists (view articles, view the audit log); those lists show them
  their editions' rows. Everything else is answered per object by ``EditionRoleBackend``,
  so an editor of Chile Sun cannot curate Euro Ledger.

Every page asks ``request.user.has_perm(PERM, obj)`` with ``obj`` an Edition or an Article
(an article belongs to the editions that carry it: its ``Placement`` rows).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from wiredesk.core.audit import record
from wiredesk.editions.models import Edition, EditionRole, Placement
from wiredesk.errors import WiredeskError
from wiredesk.newsroom.models import Article

# What an edition editor may do on their editions, and a desk editor on all.
EDITION_PERMS = frozenset({
    "editions.curate_edition",     # the edition's fronts
    "newsroom.add_article",        # write a new article (asked with the edition)
    "newsroom.change_article",     # edit copy, merge, split
    "newsroom.schedule_article",   # schedule publishing and unpublishing
    "newsroom.kill_article",       # kill, hold, release
})
# Seen on the edition's own articles only (the admin's change page, read-only).
EDITION_VIEW_PERMS = frozenset({"newsroom.view_article", "editions.view_edition"})

DESK_EDITORS = "Desk editors"
EDITION_EDITORS = "Edition editors"
# The groups' permissions (the data migration editions/0005 made them; kept in step here).
GROUP_PERMS = {
    DESK_EDITORS: sorted(EDITION_PERMS | {"newsroom.view_article", "editions.view_edition",
                                          "core.view_auditentry"}),
    EDITION_EDITORS: ["core.view_auditentry", "newsroom.view_article"],
}


class RoleError(WiredeskError):
    """A grant or revoke that cannot be done (no such user or edition)."""


def role_edition_ids(user) -> frozenset[int]:
    """The editions ``user`` is an edition editor of (cached on the user object, which
    lives one request)."""
    cached = getattr(user, "_wiredesk_role_editions", None)
    if cached is None:
        cached = frozenset(EditionRole.objects.filter(user=user)
                           .values_list("edition_id", flat=True))
        user._wiredesk_role_editions = cached
    return cached


def _desk_wide_perms(user) -> frozenset[str]:
    """What ``user`` holds for every edition: their own permissions and their groups', but
    not the "Edition editors" group's (that group's reach is their editions only)."""
    cached = getattr(user, "_wiredesk_desk_wide", None)
    if cached is None:
        groups = user.groups.exclude(name=EDITION_EDITORS).values("pk")
        cached = frozenset(
            f"{app}.{codename}" for app, codename in
            Permission.objects.filter(Q(user=user) | Q(group__in=groups))
            .values_list("content_type__app_label", "codename").distinct())
        user._wiredesk_desk_wide = cached
    return cached


def editions_of(obj) -> set[int]:
    """The editions an Edition or Article belongs to (an article: those that carry it)."""
    if isinstance(obj, Edition):
        return {obj.pk}
    if isinstance(obj, Article):
        return set(Placement.objects.filter(article_id=obj.pk)
                   .values_list("edition_id", flat=True))
    return set()


class EditionRoleBackend:
    """Answers ``has_perm(user, perm, obj)`` for an Edition or an Article; never signs
    anyone in. Django's ``ModelBackend`` answers the global questions (obj None) and never
    an object's, so this backend also says yes on any object to a permission the user holds
    for every edition (a desk editor's)."""

    def authenticate(self, request, **credentials):
        return None

    def get_user(self, user_id):
        return None

    def has_perm(self, user, perm, obj=None) -> bool:
        if obj is None or not user.is_active or user.is_anonymous:
            return False
        if not isinstance(obj, (Edition, Article)):
            return False
        if perm in _desk_wide_perms(user):
            return True
        if perm not in EDITION_PERMS and perm not in EDITION_VIEW_PERMS:
            return False
        mine = role_edition_ids(user)
        return bool(mine) and bool(mine & editions_of(obj))

    def has_module_perms(self, user, app_label) -> bool:
        return False


def is_edition_scoped(user) -> bool:
    """An edition editor who is not also a desk editor or an administrator: the desk's
    lists show them their editions' rows only."""
    if user.is_superuser:
        return False
    return bool(role_edition_ids(user)) and "newsroom.change_article" not in \
        _desk_wide_perms(user)


# ---- services: grant and revoke, each audited ----

def ensure_groups() -> dict[str, Group]:
    """The two groups, with their permissions (made again if someone deleted them)."""
    groups = {}
    for name, perms in GROUP_PERMS.items():
        group, created = Group.objects.get_or_create(name=name)
        if created:
            for perm in perms:
                app_label, codename = perm.split(".")
                group.permissions.add(Permission.objects.get(
                    content_type__app_label=app_label, codename=codename))
        groups[name] = group
    return groups


def _user(username: str):
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise RoleError(f"no user {username!r} (make one with `wiredesk createsuperuser` "
                        "or in the admin)")
    return user


def _edition(slug: str) -> Edition:
    edition = Edition.objects.filter(slug=slug).first()
    if edition is None:
        raise RoleError(f"no edition {slug!r}")
    return edition


@dataclass(frozen=True, slots=True)
class Grant:
    username: str
    role: str            # "desk editor", "edition editor" or "administrator"
    edition: str = ""    # the edition's slug, for an edition editor


@transaction.atomic
def role_grant(*, actor, username: str, edition: str | None = None,
               desk: bool = False) -> Grant:
    """Make ``username`` an editor of one edition, or a desk editor of all. Both need the
    admin's sign-in, so the user becomes staff."""
    if bool(edition) == bool(desk):
        raise RoleError("grant either --edition SLUG or --desk")
    user = _user(username)
    groups = ensure_groups()
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    if desk:
        user.groups.add(groups[DESK_EDITORS])
        record(actor, "role.grant", user, role="desk editor")
        return Grant(user.get_username(), "desk editor")
    ed = _edition(edition)
    EditionRole.objects.get_or_create(user=user, edition=ed, role=EditionRole.Role.EDITOR)
    user.groups.add(groups[EDITION_EDITORS])
    record(actor, "role.grant", user, edition=ed, role="edition editor")
    return Grant(user.get_username(), "edition editor", ed.slug)


@transaction.atomic
def role_revoke(*, actor, username: str, edition: str | None = None,
                desk: bool = False) -> Grant:
    """Take back one edition (the group goes with the last) or the desk role. The user
    stays staff: what they may still do is what their other roles allow."""
    if bool(edition) == bool(desk):
        raise RoleError("revoke either --edition SLUG or --desk")
    user = _user(username)
    if desk:
        user.groups.remove(*Group.objects.filter(name=DESK_EDITORS))
        record(actor, "role.revoke", user, role="desk editor")
        return Grant(user.get_username(), "desk editor")
    ed = _edition(edition)
    EditionRole.objects.filter(user=user, edition=ed).delete()
    if not EditionRole.objects.filter(user=user).exists():
        user.groups.remove(*Group.objects.filter(name=EDITION_EDITORS))
    record(actor, "role.revoke", user, edition=ed, role="edition editor")
    return Grant(user.get_username(), "edition editor", ed.slug)


def roles_list() -> list[Grant]:
    """Who holds which role: administrators, desk editors, then edition editors."""
    users = get_user_model().objects
    found = [Grant(u.get_username(), "administrator")
             for u in users.filter(is_superuser=True, is_active=True).order_by("username")]
    found += [Grant(u.get_username(), "desk editor")
              for u in users.filter(groups__name=DESK_EDITORS).order_by("username")]
    found += [Grant(r.user.get_username(), "edition editor", r.edition.slug)
              for r in EditionRole.objects.select_related("user", "edition")
              .order_by("edition__slug", "user__username")]
    return found
