"""``wiredesk partner add | list | deliveries | rotate-secret | push`` in-process."""

from __future__ import annotations

import pytest

from tests.syndication.helpers import ingest
from wiredesk import cli
from wiredesk.editions.services import edition_save
from wiredesk.syndication.models import Partner

pytestmark = pytest.mark.django_db


def test_partner_add_list_push_deliveries(tmp_path, hook, capsys):
    edition_save(name="Chile Sun", time_zone="UTC", hosts=["chilesun.example"])
    assert cli.main(["partner", "add", "alpha", "--url", hook.url, "--format", "json",
                     "--edition", "chile-sun", "--secret", "partner-secret"]) == 0
    out = capsys.readouterr().out
    assert "partner alpha: json by webhook" in out and "edition chile-sun" in out
    assert "partner-secret" not in out  # a secret given is not echoed
    partner = Partner.objects.get(name="alpha")
    assert partner.edition.slug == "chile-sun" and partner.secret == "partner-secret"
    (article,) = ingest(tmp_path, "Port strike ends")
    assert cli.main(["partner", "push"]) == 0
    assert "acked 1" in capsys.readouterr().out
    assert cli.main(["partner", "list"]) == 0
    listed = capsys.readouterr().out
    assert "alpha" in listed and "acked      1" in listed and hook.url in listed
    assert cli.main(["partner", "deliveries", "alpha"]) == 0
    shown = capsys.readouterr().out
    assert f"{article.pk}-v1-publish" in shown and "acked" in shown and "ack 200" in shown
    assert cli.main(["partner", "rotate-secret", "alpha"]) == 0
    rotated = capsys.readouterr().out
    partner.refresh_from_db()
    assert partner.secret in rotated and partner.previous_secret == "partner-secret"


def test_partner_add_refusals(capsys):
    assert cli.main(["partner", "add", "x", "--url", "gopher://x", "--format", "json"]) == 2
    assert "not a partner URL" in capsys.readouterr().err
    assert cli.main(["partner", "add", "x", "--url", "https://p.example/h", "--format",
                     "json", "--edition", "nope"]) == 2
    assert "no edition with slug 'nope'" in capsys.readouterr().err
    assert cli.main(["partner", "add", "x", "--url", "https://p.example/h"]) == 0
    assert "signing secret: " in capsys.readouterr().out
    assert cli.main(["partner", "add", "x", "--url", "https://p.example/h"]) == 2
    assert "already" in capsys.readouterr().err
    assert cli.main(["partner", "deliveries", "nobody"]) == 2


def test_the_admin_lists_dead_letters_and_sends_them_again(tmp_path, hook, admin_client,
                                                           settings):
    from wiredesk.syndication.models import Delivery
    from wiredesk.syndication.sending import push_due

    settings.WIREDESK_PUSH_MAX_ATTEMPTS = 1
    edition_save(name="Chile Sun", time_zone="UTC")
    response = admin_client.post("/admin/syndication/partner/add/", {
        "name": "alpha", "url": hook.url, "format": "json", "secret": "partner-secret",
        "active": "on", "created_at_0": "2026-01-01", "created_at_1": "00:00:00"})
    assert response.status_code == 302, response.content[:2000]
    assert Partner.objects.get(name="alpha").transport == "webhook"
    bad = admin_client.post("/admin/syndication/partner/add/", {
        "name": "beta", "url": "gopher://x/", "format": "json", "secret": "s",
        "created_at_0": "2026-01-01", "created_at_1": "00:00:00"})
    assert b"not a partner URL" in bad.content
    hook.mode = "fail"
    ingest(tmp_path, "One")
    push_due()
    dead = Delivery.objects.get()
    assert dead.state == "dead"
    listing = admin_client.get("/admin/syndication/delivery/?state__exact=dead")
    assert dead.key.encode() in listing.content
    page = admin_client.get(f"/admin/syndication/delivery/{dead.pk}/change/")
    assert b"HTTP 500" in page.content  # the ledger inline
    hook.mode = "ok"
    admin_client.post("/admin/syndication/delivery/", {
        "action": "resend", "_selected_action": [dead.pk]})
    push_due()
    dead.refresh_from_db()
    assert dead.state == "acked" and hook.keys() == [dead.key]
