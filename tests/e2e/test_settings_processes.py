"""Settings read once at start-up, each in a fresh process on a data directory of its own."""

import subprocess
import sys


def test_secret_key_is_generated_once_and_kept(data_dir):
    env = {k: v for k, v in data_dir.env.items() if k != "WIREDESK_SECRET_KEY"}
    code = "import wiredesk.settings as s; print(s.SECRET_KEY)"
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           text=True, check=True).stdout.strip()
    second = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, check=True).stdout.strip()
    assert len(first) >= 50 and first == second
    assert (data_dir.path / "secret_key").stat().st_mode & 0o077 == 0


def test_sqlite_runs_in_wal_mode(data_dir):
    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='wiredesk.settings';"
            "django.setup(); from django.db import connection;"
            "c=connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])")
    out = subprocess.run([sys.executable, "-c", code], env=data_dir.env, capture_output=True,
                         text=True, check=True).stdout.strip()
    assert out == "wal"
