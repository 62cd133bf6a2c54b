"""/healthz. No django_db marker here: /healthz must not need the database. /readyz, which
needs settings of its own, is tested in processes in tests/e2e/test_ops_processes.py."""

from django.test import Client


def test_healthz_answers_without_touching_the_database():
    # Outside a django_db test any query raises: a 200 here proves no database access.
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_healthz_answers_for_any_host_name_even_outside_allowed_hosts(settings):
    settings.ALLOWED_HOSTS = ["chilesun.example"]
    assert Client(HTTP_HOST="10.1.2.3:8000").get("/healthz").status_code == 200


def test_ops_endpoints_refuse_writes():
    assert Client().post("/healthz").status_code == 405
