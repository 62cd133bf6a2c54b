import os
import subprocess
import sys


def test_tests_never_use_the_real_data_directory():
    from django.conf import settings

    assert "wiredesk-test-" in str(settings.DATA_DIR)


def test_secret_key_is_generated_once_and_kept(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "WIREDESK_SECRET_KEY"}
    env["WIREDESK_DATA_DIR"] = str(tmp_path)
    code = "import wiredesk.settings as s; print(s.SECRET_KEY)"
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           text=True, check=True).stdout.strip()
    second = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, check=True).stdout.strip()
    assert len(first) >= 50 and first == second
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_sqlite_runs_in_wal_mode(tmp_path):
    env = dict(os.environ, WIREDESK_DATA_DIR=str(tmp_path))
    env.pop("DATABASE_URL", None)
    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='wiredesk.settings';"
            "django.setup(); from django.db import connection;"
            "c=connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout.strip()
    assert out == "wal"
