"""/healthz and /readyz. No django_db marker here: /healthz must not need the database."""

import json

import pytest
from django.test import Client

from tests.ops.helpers import base_env, redis_up, run_django


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


def test_readyz_names_the_database_when_it_is_down(tmp_path):
    env = base_env(tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:1/nothing")
    out = run_django(
        "import json; from django.test import Client; c = Client();"
        "r = c.get('/readyz'); h = c.get('/healthz');"
        "print(json.dumps([r.status_code, json.loads(r.content), h.status_code]))", env)
    status, body, health = json.loads(out.strip().splitlines()[-1])
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["failed"] == ["database"]
    assert body["checks"]["database"].startswith("error: OperationalError")
    assert health == 200  # alive, just not ready


def test_readyz_names_redis_when_it_is_down(tmp_path):
    env = base_env(tmp_path, REDIS_URL="redis://127.0.0.1:1/0")
    out = run_django(
        "import json; from django.core.management import call_command;"
        "call_command('migrate', verbosity=0);"
        "from django.test import Client; r = Client().get('/readyz');"
        "print(json.dumps([r.status_code, json.loads(r.content)]))", env)
    status, body = json.loads(out.strip().splitlines()[-1])
    assert status == 503
    assert body["failed"] == ["redis"]
    assert body["checks"]["database"] == "ok"


@pytest.mark.skipif(not redis_up(), reason="no Redis at 127.0.0.1:6379")
def test_readyz_is_ready_with_database_and_redis(tmp_path):
    env = base_env(tmp_path, REDIS_URL="redis://127.0.0.1:6379/8")
    out = run_django(
        "import json; from django.core.management import call_command;"
        "call_command('migrate', verbosity=0);"
        "from django.test import Client; r = Client().get('/readyz');"
        "print(json.dumps([r.status_code, json.loads(r.content)]))", env)
    status, body = json.loads(out.strip().splitlines()[-1])
    assert status == 200
    assert body == {"status": "ready", "failed": [],
                    "checks": {"database": "ok", "redis": "ok"}}
