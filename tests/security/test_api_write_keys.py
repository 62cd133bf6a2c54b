"""Issue 23, item 5: any write API key could overwrite another agency's copy.

POST /api/ingest with ``agency: "RFE"`` and an existing RFE guid, sent with a partner's
write key, replaced that article's headline and body. Write keys are now bound to the
agencies they may write for; anything else is refused with 403 and logged.
"""

import json
import logging

import pytest

from tests.conftest import rss, rss_item
from wiredesk import cli
from wiredesk.api.models import ApiKey
from wiredesk.api.services import apikey_create
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article

pytestmark = pytest.mark.django_db

FORGED = {"agency": "RFE", "guid": "rfe-1", "headline": "Forged headline",
          "body_html": "<p>Words the agency never wrote, put under its name.</p>"}


@pytest.fixture
def rfe_article():
    rfe = services.agency_ensure(code="RFE")
    services.ingest_bytes(rss(rss_item("rfe-1", "The real RFE story")), agency=rfe,
                          source="rfe-wire")
    return Article.objects.get(agency=rfe)


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture
def api_log():
    handler = Collect()
    logger = logging.getLogger("wiredesk.api")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def post(client, url, body, key):
    return client.post(url, json.dumps(body), content_type="application/json",
                       HTTP_X_API_KEY=key)


def test_another_agencys_write_key_cannot_overwrite_its_copy(client, rfe_article, api_log):
    _, partner = apikey_create(name="partner", can_write=True, agencies=["PTN"])
    before = (rfe_article.headline, rfe_article.body_html)

    response = post(client, "/api/ingest", FORGED, partner)
    assert response.status_code == 403, response.content
    assert "RFE" in response.json()["detail"]
    rfe_article.refresh_from_db()
    assert (rfe_article.headline, rfe_article.body_html) == before
    assert Article.objects.count() == 1
    assert any("partner" in m and "RFE" in m for m in api_log.messages), api_log.messages

    killed = post(client, f"/api/articles/{rfe_article.pk}/kill", {"reason": "x"}, partner)
    assert killed.status_code == 403
    rfe_article.refresh_from_db()
    assert rfe_article.status != Article.Status.KILLED


def test_a_write_key_bound_to_no_agency_writes_for_none(client, rfe_article):
    _, unbound = apikey_create(name="legacy", can_write=True)
    assert post(client, "/api/ingest", FORGED, unbound).status_code == 403
    assert post(client, "/api/ingest", {**FORGED, "agency": "NEW", "guid": "n-1"},
                unbound).status_code == 403
    assert not Article.objects.filter(agency__code="NEW").exists()


def test_a_bound_key_writes_for_its_agency(client, rfe_article):
    _, desk = apikey_create(name="rfe desk", can_write=True, agencies=["rfe", "ANI"])
    response = post(client, "/api/ingest", FORGED, desk)
    assert response.status_code == 200, response.content
    assert response.json()["updated"] == 1
    rfe_article.refresh_from_db()
    assert rfe_article.headline == "Forged headline"  # its own agency's correction
    ani = post(client, "/api/ingest", {**FORGED, "agency": "ani", "guid": "ani-1"}, desk)
    assert ani.status_code == 200 and ani.json()["created"] == 1


def test_cli_binds_agencies_and_lists_them(capsys):
    assert cli.main(["apikey", "create", "wire desk", "--write",
                     "--agency", "RFE", "--agency", "ani"]) == 0
    out = capsys.readouterr().out
    assert "writes for ANI, RFE only" in out
    assert ApiKey.objects.get(name="wire desk").agency_codes() == ["ANI", "RFE"]

    assert cli.main(["apikey", "create", "old desk", "--write"]) == 0
    assert "writes for NO agency" in capsys.readouterr().out
    assert cli.main(["apikey", "bind", "old desk", "--agency", "XIN"]) == 0
    assert "writes for XIN only" in capsys.readouterr().out

    assert cli.main(["apikey", "create", "reader", "--agency", "RFE"]) == 2
    assert "write keys" in capsys.readouterr().err

    assert cli.main(["apikey", "list"]) == 0
    listing = capsys.readouterr().out
    assert "agencies ANI,RFE" in next(ln for ln in listing.splitlines() if "wire desk" in ln)
    assert "agencies XIN" in next(ln for ln in listing.splitlines() if "old desk" in ln)


def test_admin_binds_agencies(admin_client):
    rfe = services.agency_ensure(code="RFE")
    response = admin_client.post("/admin/api/apikey/add/", {
        "name": "from admin", "can_write": "on", "agencies": [str(rfe.pk)],
        "requests_per_minute": "100"}, follow=True)
    assert response.status_code == 200
    assert ApiKey.objects.get(name="from admin").agency_codes() == ["RFE"]
