"""Run a few lines of Django code in a fresh process with its own environment."""

from __future__ import annotations

import os
import subprocess
import sys

REDIS_URL = os.environ.get("WIREDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


def base_env(data_dir, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "WIREDESK_BROKER_URL")}
    env["WIREDESK_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env


def run_django(code: str, env: dict[str, str], timeout: float = 60) -> str:
    prelude = ("import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE',"
               "'wiredesk.settings'); django.setup()\n")
    result = subprocess.run([sys.executable, "-c", prelude + code], env=env,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def migrate(env: dict[str, str]) -> None:
    run_django("from django.core.management import call_command;"
               "call_command('migrate', verbosity=0)", env)
