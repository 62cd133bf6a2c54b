"""`wiredesk digest send | preview | status`, run in this process. The crash-resume cases
with real processes and kill -9 are in tests/e2e/test_digest_processes.py."""

import json

import pytest

from tests.digest.conftest import make_confirmed
from wiredesk.cli import main


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
        # The relay refused b's address (5.1.1): bouncing at once, and suppressed.
        "subscribers": {"pending": 1, "confirmed": 1, "unsubscribed": 0, "bouncing": 1},
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
