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
