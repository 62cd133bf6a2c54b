"""The Celery path: beat's task plans due digests and real workers send them via Redis."""

import json
import os
import subprocess
import sys
import time

import pytest

from tests.e2e.processes import WIREDESK, redis_up
from tests.e2e.test_digest_processes import build_instance, cli_env

REDIS_URL = os.environ.get("WIREDESK_TEST_DIGEST_REDIS_URL", "redis://127.0.0.1:6379/5")

MAKE_DUE = """
from wiredesk.cli import _setup_django; _setup_django()
from datetime import timedelta
from django.utils import timezone
from wiredesk.digest.models import Subscriber
Subscriber.objects.update(next_due_at=timezone.now() - timedelta(minutes=1))
"""


@pytest.mark.skipif(not redis_up(REDIS_URL), reason=f"no Redis at {REDIS_URL}")
def test_due_digests_go_out_through_celery_workers(tmp_path, data_dir, smtp_server):
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    smtp_server.reset()
    total = 8
    env = cli_env(data_dir, smtp_server, WIREDESK_DIGEST_BATCH=2)
    build_instance(tmp_path, env, smtp_server, total)
    subprocess.run([sys.executable, "-c", MAKE_DUE], env=env, check=True, timeout=60)
    env["REDIS_URL"] = REDIS_URL
    worker = subprocess.Popen([WIREDESK, "worker", "--concurrency", "2"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        code = ("from wiredesk.cli import _setup_django; _setup_django();"
                "from wiredesk.digest.tasks import send_due; send_due.delay()")
        subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and len(smtp_server.received) < total:
            assert worker.poll() is None, worker.stdout.read()
            time.sleep(0.2)
        time.sleep(0.5)  # anything extra would show up now
        assert smtp_server.count_by_recipient() == {f"reader{n}@example.org": 1
                                                    for n in range(total)}
        status = json.loads(subprocess.run([WIREDESK, "digest", "status", "--json"], env=env,
                                           capture_output=True, text=True,
                                           check=True).stdout)
        assert status["chile-sun"]["deliveries"]["sent"] == total
    finally:
        worker.terminate()
        worker.wait(timeout=30)


@pytest.mark.skipif(not redis_up(REDIS_URL), reason=f"no Redis at {REDIS_URL}")
def test_worker_killed_mid_digest_then_restarted_delivers_exactly_once(tmp_path, data_dir,
                                                                       smtp_server):
    """kill -9 a Celery worker while a digest message is on the wire; a new worker
    finishes the run, and every reader has exactly one copy."""
    import signal

    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    smtp_server.reset()
    total = 12
    env = cli_env(data_dir, smtp_server, WIREDESK_DIGEST_BATCH=5,
                  WIREDESK_DIGEST_CLAIM_TIMEOUT=3)
    build_instance(tmp_path, env, smtp_server, total)
    subprocess.run([sys.executable, "-c", MAKE_DUE], env=env, check=True, timeout=60)
    env["REDIS_URL"] = REDIS_URL
    queue = ("from wiredesk.cli import _setup_django; _setup_django();"
             "from wiredesk.digest.tasks import send_due; send_due.delay()")
    smtp_server.delay = 0.5  # a slow relay, so the kill lands mid-send even on a loaded machine
    worker = subprocess.Popen([WIREDESK, "worker", "--concurrency", "1"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        subprocess.run([sys.executable, "-c", queue], env=env, check=True, timeout=60)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if (len(smtp_server.received) >= 3
                    and smtp_server.attempts > len(smtp_server.received)):
                break
            assert worker.poll() is None
            time.sleep(0.01)
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its pool child, no goodbye
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    delivered_before = len(smtp_server.received)
    assert 3 <= delivered_before < total

    time.sleep(3.2)  # the dead worker's claims go stale
    smtp_server.delay = 0
    worker = subprocess.Popen([WIREDESK, "worker", "--concurrency", "1"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        subprocess.run([sys.executable, "-c", queue], env=env, check=True, timeout=60)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and len(smtp_server.received) < total:
            time.sleep(0.2)
        time.sleep(1.0)  # a double send would show up now
        assert smtp_server.count_by_recipient() == {f"reader{n}@example.org": 1
                                                    for n in range(total)}
        status = json.loads(subprocess.run([WIREDESK, "digest", "status", "--json"], env=env,
                                           capture_output=True, text=True,
                                           check=True).stdout)
        assert status["chile-sun"]["deliveries"]["sent"] == total
        assert status["chile-sun"]["deliveries"]["pending"] == 0
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
