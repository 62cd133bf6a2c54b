"""Issue 22 (headers and defaults): what the operations endpoints tell a stranger, and the
cookie and debug defaults.

/readyz must answer any load balancer, but its error messages name internal hosts and
ports ("connection to 10.0.3.4:6379 refused"): those go only to the metrics networks or a
scraper with the token. /metrics likewise."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.test import Client

from wiredesk.ops import checks

pytestmark = pytest.mark.django_db

STRANGER = "203.0.113.50"


@pytest.fixture
def redis_down(monkeypatch, settings):
    settings.REDIS_URL = "redis://10.0.3.4:6379/0"

    def refused():
        raise ConnectionError("Error 111 connecting to 10.0.3.4:6379. Connection refused.")

    monkeypatch.setattr(checks, "check_redis", refused)


def test_readyz_tells_a_stranger_the_status_only(redis_down):
    answer = Client(REMOTE_ADDR=STRANGER).get("/readyz")
    assert answer.status_code == 503
    assert json.loads(answer.content) == {"status": "unavailable"}
    assert b"10.0.3.4" not in answer.content
    inside = Client(REMOTE_ADDR="127.0.0.1").get("/readyz")
    body = json.loads(inside.content)
    assert body["failed"] == ["redis"] and "10.0.3.4" in body["checks"]["redis"]


def test_metrics_and_readyz_details_with_the_token(redis_down, settings):
    settings.WIREDESK_METRICS_TOKEN = "s3cret-scraper-token"
    stranger = Client(REMOTE_ADDR=STRANGER)
    assert stranger.get("/metrics").status_code == 403
    for wrong in ("Bearer wrong", "Basic s3cret-scraper-token", "s3cret-scraper-token",
                  "Bearer ", "Bearer s3cret-scraper-token-and-more"):
        assert stranger.get("/metrics", HTTP_AUTHORIZATION=wrong).status_code == 403, wrong
    good = {"HTTP_AUTHORIZATION": "Bearer s3cret-scraper-token"}
    assert stranger.get("/metrics", **good).status_code == 200
    assert json.loads(stranger.get("/readyz", **good).content)["failed"] == ["redis"]
    # No token configured: no Authorization header opens anything.
    settings.WIREDESK_METRICS_TOKEN = ""
    assert stranger.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 403


def test_ops_answers_are_never_cached_and_refuse_writes():
    client = Client(REMOTE_ADDR=STRANGER)
    for path in ("/healthz", "/readyz", "/metrics"):
        answer = client.get(path)
        assert answer["Cache-Control"] == "no-store", path
        assert client.post(path).status_code == 405


def _settings_in_a_fresh_process(tmp_path, **env) -> dict:
    import os

    code = ("import json, django, os; os.environ['DJANGO_SETTINGS_MODULE']='wiredesk.settings';"
            "django.setup(); from django.conf import settings as s;"
            "print(json.dumps({k: getattr(s, k, None) for k in ("
            "'DEBUG', 'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_HTTPONLY',"
            " 'CSRF_COOKIE_SECURE', 'SECURE_CONTENT_TYPE_NOSNIFF', 'X_FRAME_OPTIONS',"
            " 'SECURE_REFERRER_POLICY', 'SECURE_HSTS_SECONDS', 'SESSION_COOKIE_SAMESITE')}))")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WIREDESK_")
             or k.startswith("WIREDESK_TEST_")}
    clean.update(WIREDESK_DATA_DIR=str(tmp_path), WIREDESK_SECRET_KEY="x", **env)
    done = subprocess.run([sys.executable, "-c", code], env=clean, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_defaults_debug_off_cookies_httponly_and_secure_over_https(tmp_path):
    plain = _settings_in_a_fresh_process(tmp_path)
    assert plain["DEBUG"] is False
    assert plain["SESSION_COOKIE_HTTPONLY"] and plain["CSRF_COOKIE_HTTPONLY"]
    assert plain["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert plain["SECURE_CONTENT_TYPE_NOSNIFF"] and plain["X_FRAME_OPTIONS"] == "DENY"
    assert plain["SECURE_REFERRER_POLICY"] == "strict-origin-when-cross-origin"
    https = _settings_in_a_fresh_process(tmp_path, WIREDESK_HTTPS="true")
    assert https["SESSION_COOKIE_SECURE"] and https["CSRF_COOKIE_SECURE"]
    assert https["SECURE_HSTS_SECONDS"] == 31536000


def test_the_session_cookie_a_sign_in_sets_carries_the_flags(settings):
    from django.contrib.auth import get_user_model

    settings.SESSION_COOKIE_SECURE = True
    get_user_model().objects.create_user("editor", password="pw-correct-horse", is_staff=True)
    answer = Client().post("/admin/login/", {"username": "editor",
                                             "password": "pw-correct-horse"}, secure=True)
    cookie = answer.cookies["sessionid"]
    assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "Lax"


def test_serve_refuses_debug_outside_the_demo(tmp_path):
    """DEBUG shows settings and tracebacks to anyone: `serve` refuses it; only the demo may."""
    import os

    env = {**os.environ, "WIREDESK_DEBUG": "true", "WIREDESK_DATA_DIR": str(tmp_path),
           "WIREDESK_SECRET_KEY": "x"}
    env.pop("WIREDESK_DEMO_MAILBOX", None)
    done = subprocess.run([sys.executable, "-m", "wiredesk", "serve", "--host", "0.0.0.0",
                           "--port", "0"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "WIREDESK_DEBUG" in done.stderr
