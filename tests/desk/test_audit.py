import pytest
from django.contrib.auth.models import Permission, User

from wiredesk.core.audit import AuditEntry, record
from wiredesk.newsroom.models import Agency

pytestmark = pytest.mark.django_db


def test_record_copies_who_what_and_where():
    editor = User.objects.create_user("ana", password="x")
    agency = Agency.objects.create(code="AFP", name="Agence France-Presse")
    entry = record(editor, "agency.rename", agency, edition="chile-sun", old="AFP")
    entry.refresh_from_db()
    assert (entry.actor, entry.actor_label, entry.action) == (editor, "ana", "agency.rename")
    assert (entry.target_type, entry.target_id) == ("agency", str(agency.pk))
    assert entry.target_label == str(agency)
    assert entry.edition_slug == "chile-sun" and entry.details == {"old": "AFP"}


def test_a_process_or_nobody_is_named_and_the_entry_outlives_the_user():
    assert record("cli", "feed.add").actor_label == "cli"
    assert record(None, "job.run").actor_label == "system"
    gone = User.objects.create_user("gone")
    entry = record(gone, "article.kill")
    gone.delete()
    entry.refresh_from_db()
    assert entry.actor is None and entry.actor_label == "gone"


def test_audit_page_needs_the_permission(client):
    staff = User.objects.create_user("desk", password="pw", is_staff=True)
    client.force_login(staff)
    record(staff, "article.kill")
    assert client.get("/desk/audit/").status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    page = client.get("/desk/audit/")
    assert page.status_code == 200 and b'data-action="article.kill"' in page.content
    assert client.get("/desk/").status_code == 200


def test_desk_is_for_staff_only(client):
    assert client.get("/desk/").status_code == 302
    client.force_login(User.objects.create_user("reader"))
    assert client.get("/desk/").status_code == 302
    assert AuditEntry.objects.count() == 0
