"""The desk's own pages cost the same queries whatever the size of the archive and the
log (issue 14, "Measured"; times in BENCHMARKS.md from benchmarks/desk.py). A desk page
added to benchmarks/desk.py's PAGES belongs here too."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.newsroom.test_desk_admin_scale import archive, site  # noqa: F401 (fixture)
from wiredesk.core.models import AuditEntry

pytestmark = pytest.mark.django_db

DESK_PAGES = ["/desk/", "/desk/audit/", "/desk/audit/?action=article.edit",
              "/desk/audit/?page=2", "/desk/fronts/chile-sun/", "/desk/schedule/"]


def log(count: int, user) -> None:
    AuditEntry.objects.bulk_create(
        [AuditEntry(actor=user, actor_label=user.username,
                    action=("article.edit", "article.kill")[n % 2], target_type="article",
                    target_id=str(n), target_label=f"Story {n}", details={"n": n})
         for n in range(count)])


def queries(client, url: str) -> int:
    client.get(url)  # the process's first-use caches warm
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", DESK_PAGES)
def test_desk_pages_cost_the_same_queries_small_and_large(admin_client, site, url):  # noqa: F811
    user = User.objects.get(username="admin")
    archive(site, 5)
    log(210, user)
    small = queries(admin_client, url)
    archive(site, 55)
    log(600, user)
    assert queries(admin_client, url) == small


def test_the_audit_log_pages_without_counting(admin_client):
    user = User.objects.get(username="admin")
    log(150, user)
    with CaptureQueriesContext(connection) as captured:
        first = admin_client.get("/desk/audit/").content.decode()
    assert not [q for q in captured if "COUNT(" in q["sql"].upper()
                and "core_auditentry" in q["sql"]]
    assert first.count("<tr data-action=") == 100 and "page=2" in first and "Newer" not in first
    second = admin_client.get("/desk/audit/?page=2").content.decode()
    assert second.count("<tr data-action=") == 50 and "page=1" in second
    assert "page=3" not in second
    assert admin_client.get("/desk/audit/?page=nonsense").status_code == 200
    beyond = admin_client.get("/desk/audit/?page=9").content.decode()
    assert "Nothing recorded yet." in beyond
