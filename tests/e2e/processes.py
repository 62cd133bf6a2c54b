"""Helpers for tests that start wiredesk processes: the command, a free port, Redis, and a
few lines of Django code run in a fresh process with its own environment."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

WIREDESK = str(Path(sys.executable).parent / "wiredesk")
REDIS_URL = os.environ.get("WIREDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_up(url: str = REDIS_URL) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


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
