"""`wiredesk digest send | preview | status`, and the crash-resume case with kill -9."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.digest.conftest import make_confirmed, news_item
from wiredesk.cli import main

WIREDESK = str(Path(sys.executable).parent / "wiredesk")


@pytest.mark.django_db
def test_status_json_and_table(site, smtp, capsys):
    chile, euro = site
    make_confirmed(chile, "a@example.org")
    make_confirmed(chile, "b@example.org")
    from wiredesk.digest.services import subscriber_subscribe, subscriber_unsubscribe

    subscriber_subscribe(edition=chile, email="p@example.org")
    subscriber_unsubscribe(subscriber=make_confirmed(euro, "u@example.org"))
    smtp.reject("b@example.org", "550 5.1.1 unknown")
    assert main(["digest", "send", "--now"]) == 0
    out = capsys.readouterr().out
    assert "1 sent, 1 failed" in out

    assert main(["digest", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["chile-sun"] == {
        "subscribers": {"pending": 1, "confirmed": 2, "unsubscribed": 0, "bouncing": 0},
        "deliveries": {"sent": 1, "pending": 0, "failed": 1, "skipped": 0}}
    assert status["euro-ledger"]["subscribers"]["unsubscribed"] == 1
    assert main(["digest", "status"]) == 0
    table = capsys.readouterr().out
    assert "chile-sun" in table and "bouncing" in table


@pytest.mark.django_db
def test_preview_writes_the_html_and_prints_its_path(site, tmp_path, capsys):
    chile, _ = site
    make_confirmed(chile, "look@example.org")
    target = tmp_path / "preview.html"
    assert main(["digest", "preview", "--edition", "chile-sun", "--email", "look@example.org",
                 "--output", str(target)]) == 0
    assert capsys.readouterr().out.strip() == str(target)
    html = target.read_text()
    assert "Ministers meet in Santiago" in html and "Chile Sun" in html
    assert main(["digest", "preview", "--edition", "nope"]) == 2
    assert "no edition" in capsys.readouterr().err


# --- a real sending process, killed part-way ------------------------------------------

def cli_env(tmp_path, sink, **extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "WIREDESK_BROKER_URL")}
    env.update(WIREDESK_DATA_DIR=str(tmp_path / "data"), EMAIL_URL=sink.url,
               WIREDESK_BASE_URL="https://news.example", WIREDESK_DIGEST_RATE_PER_SECOND="0",
               WIREDESK_FROM_EMAIL="Desk <desk@news.example>")
    env.update({k: str(v) for k, v in extra.items()})
    return env


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


def build_instance(tmp_path, env, sink, subscribers: int) -> None:
    feed = tmp_path / "wire.rss"
    from tests.conftest import rss

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


@pytest.mark.e2e
def test_kill_minus_nine_mid_send_then_restart_delivers_exactly_once(tmp_path, smtp_server):
    smtp_server.reset()
    total = 12
    env = cli_env(tmp_path, smtp_server, WIREDESK_DIGEST_BATCH=5,
                  WIREDESK_DIGEST_CLAIM_TIMEOUT=3)
    build_instance(tmp_path, env, smtp_server, total)
    smtp_server.delay = 0.15  # a slow relay: each message waits before its "250"
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


@pytest.mark.e2e
def test_two_senders_at_once_send_each_digest_once(tmp_path, smtp_server):
    smtp_server.reset()
    total = 16
    env = cli_env(tmp_path, smtp_server, WIREDESK_DIGEST_BATCH=3)
    build_instance(tmp_path, env, smtp_server, total)
    smtp_server.delay = 0.02
    senders = [subprocess.Popen([WIREDESK, "digest", "send", "--now"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
               for _ in range(2)]
    outputs = [s.communicate(timeout=120)[0] for s in senders]
    assert all(s.returncode == 0 for s in senders), outputs
    assert smtp_server.count_by_recipient() == {f"reader{n}@example.org": 1
                                                for n in range(total)}


@pytest.mark.django_db
def test_send_with_the_relay_down_is_one_line_and_burns_no_attempt(site, smtp, settings,
                                                                   capsys):
    from tests.smtp_sink import free_port
    from wiredesk.digest.models import Delivery

    make_confirmed(site[0], "wait@example.org")
    settings.EMAIL_PORT = free_port()  # nothing listens there
    assert main(["digest", "send", "--now"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("wiredesk: error: cannot connect to 127.0.0.1") and "\n" not in err
    delivery = Delivery.objects.get()
    assert delivery.state == "pending" and delivery.attempts == 0


@pytest.mark.django_db
def test_admin_lists_subscribers_and_searches_the_delivery_log(admin_client, site, smtp):
    make_confirmed(site[0], "logged@example.org")
    assert main(["digest", "send", "--now"]) == 0
    for url in (f"/admin/digest/subscriber/?edition__id__exact={site[0].pk}",
                "/admin/digest/subscriber/?q=logged",
                "/admin/digest/delivery/?q=logged@example.org",
                "/admin/digest/delivery/?state__exact=sent"):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert "logged@example.org" in response.content.decode(), url
    assert "logged@example.org" not in admin_client.get(
        "/admin/digest/delivery/?q=nobody-else").content.decode()
