"""`wiredesk digest send` as real processes: the crash-resume case with kill -9, and two
senders at once. Each sends through the digest's real SMTP server (`smtp_server`)."""

import json
import secrets
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import rss
from tests.digest.conftest import news_item
from tests.e2e.processes import WIREDESK


def cli_env(data_dir, sink, **extra) -> dict:
    return data_dir.env_with(EMAIL_URL=sink.url, WIREDESK_BASE_URL="https://news.example",
                             WIREDESK_DIGEST_RATE_PER_SECOND="0",
                             WIREDESK_FROM_EMAIL="Desk <desk@news.example>", **extra)


SETUP = """
import sys
from wiredesk.cli import _setup_django, _ensure_migrated
_setup_django(); _ensure_migrated()
from wiredesk.editions.models import Edition
from wiredesk.digest.models import Subscriber
from wiredesk.digest.services import subscriber_subscribe, subscriber_confirm
edition = Edition.objects.get(slug="chile-sun")
for n in range(int(sys.argv[1])):
    subscriber_subscribe(edition=edition, email=f"reader{n}@example.org")
for s in Subscriber.objects.all():
    subscriber_confirm(subscriber=s)
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request):
    """The sender's database: the embedded default, or a fresh PostgreSQL database (where
    the sending session commits with ``synchronous_commit = off``)."""
    if request.param == "sqlite":
        yield {}
        return
    from tests.e2e.test_database import PG_URL, pg_up

    if not pg_up():
        pytest.skip(f"no PostgreSQL at {PG_URL}")
    import psycopg

    name = f"test_digest_processes_{secrets.token_hex(4)}"
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield {"DATABASE_URL": PG_URL.rsplit("/", 1)[0] + "/" + name}
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def build_instance(tmp_path, env, sink, subscribers: int) -> None:
    # A fresh PostgreSQL database has no tables yet (the data directory's SQLite file is
    # migrated by the first command that opens it).
    subprocess.run([sys.executable, "-c", "from wiredesk.cli import _setup_django; "
                    "_setup_django(); from django.core.management import call_command; "
                    "call_command('migrate', interactive=False, verbosity=0)"], env=env,
                   check=True, timeout=300)
    feed = tmp_path / "wire.rss"
    feed.write_bytes(rss(news_item("k1", "Story one", hours_ago=1)
                         + news_item("k2", "Story two", hours_ago=2)))
    for command in (["ingest", str(feed), "--agency", "RFE"],
                    ["edition", "add", "--name", "Chile Sun", "--timezone",
                     "Australia/Sydney"]):
        subprocess.run([WIREDESK, *command], env=env, check=True, capture_output=True,
                       timeout=120)
    subprocess.run([sys.executable, "-c", SETUP, str(subscribers)], env=env, check=True,
                   timeout=120)
    sink.reset()  # forget the confirmation mails: only digests count from here


def test_kill_minus_nine_mid_send_then_restart_delivers_exactly_once(tmp_path, data_dir,
                                                                     smtp_server, database):
    smtp_server.reset()
    total = 12
    env = cli_env(data_dir, smtp_server, WIREDESK_DIGEST_BATCH=5,
                  WIREDESK_DIGEST_CLAIM_TIMEOUT=3, **database)
    build_instance(tmp_path, env, smtp_server, total)
    smtp_server.delay = 0.5  # a slow relay: each message waits before its "250" (wide enough
    # for the kill below to land inside it on a loaded machine)
    sender = subprocess.Popen([WIREDESK, "digest", "send", "--now"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    # Kill while a message is on the wire (inside DATA, before the relay's reply).
    while time.monotonic() < deadline:
        if len(smtp_server.received) >= 4 and smtp_server.attempts > len(smtp_server.received):
            break
        assert sender.poll() is None, sender.stdout.read()
        time.sleep(0.01)
    sender.send_signal(signal.SIGKILL)
    sender.wait(timeout=10)
    delivered_before = len(smtp_server.received)
    assert 4 <= delivered_before < total

    status = json.loads(subprocess.run([WIREDESK, "digest", "status", "--json"], env=env,
                                       capture_output=True, text=True, check=True).stdout)
    deliveries = status["chile-sun"]["deliveries"]
    assert deliveries["sent"] == delivered_before
    assert deliveries["pending"] == total - delivered_before  # honest: not sent, not lost

    time.sleep(3.2)  # the dead sender's claim goes stale
    smtp_server.delay = 0
    rerun = subprocess.run([WIREDESK, "digest", "send", "--now"], env=env,
                           capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert "1 in-flight message(s) sent again" in rerun.stdout
    counts = smtp_server.count_by_recipient()
    assert counts == {f"reader{n}@example.org": 1 for n in range(total)}
    status = json.loads(subprocess.run([WIREDESK, "digest", "status", "--json"], env=env,
                                       capture_output=True, text=True, check=True).stdout)
    assert status["chile-sun"]["deliveries"] == {"sent": total, "pending": 0, "failed": 0,
                                                 "skipped": 0}


def test_two_senders_at_once_send_each_digest_once(tmp_path, data_dir, smtp_server,
                                                   database):
    smtp_server.reset()
    total = 16
    env = cli_env(data_dir, smtp_server, WIREDESK_DIGEST_BATCH=3, **database)
    build_instance(tmp_path, env, smtp_server, total)
    smtp_server.delay = 0.02
    senders = [subprocess.Popen([WIREDESK, "digest", "send", "--now"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
               for _ in range(2)]
    outputs = [s.communicate(timeout=120)[0] for s in senders]
    assert all(s.returncode == 0 for s in senders), outputs
    assert smtp_server.count_by_recipient() == {f"reader{n}@example.org": 1
                                                for n in range(total)}
