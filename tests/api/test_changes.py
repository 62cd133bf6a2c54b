"""Sync that tells the truth: a partner replaying the change stream from any cursor ends
with exactly the public articles, after updates, corrections, kills, holds, placements
taken away, embargoes passing and deletions."""

import base64
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import rss, rss_item
from tests.publishing.conftest import body
from wiredesk.core.taskqueue import Idle, task_named
from wiredesk.editions.models import Edition, Placement
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article

pytestmark = pytest.mark.django_db

SINCE_EVER = "1900-01-01T00:00:00Z"

G2 = """<?xml version="1.0" encoding="UTF-8"?>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:wire:{guid}" version="1">
 <itemMeta><itemClass qcode="ninat:text"/>
  <versionCreated>2025-07-12T09:00:00Z</versionCreated>
  <firstCreated>2025-07-12T08:00:00Z</firstCreated>
  <embargoed>{embargo}</embargoed><pubStatus qcode="stat:usable"/></itemMeta>
 <contentMeta><headline>{headline}</headline></contentMeta>
 <contentSet><inlineXML contenttype="application/xhtml+xml">
  <html xmlns="http://www.w3.org/1999/xhtml"><body><p>FRANKFURT, July 12 (Wire) - The
  central bank will publish its decision at noon, officials said.</p><p>Second.</p></body>
  </html></inlineXML></contentSet></newsItem>"""


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.WIREDESK_API_ANON_PER_MINUTE = 10**6


def get(client, url, **params):
    response = client.get(url, {k: v for k, v in params.items() if v is not None})
    assert response["Content-Type"].startswith("application/json"), response.content
    return response.status_code, json.loads(response.content)


def public_now(client, edition=None) -> dict[int, str]:
    """The truth: the plain listing (newest first), every page."""
    found, cursor = {}, None
    while True:
        status, page = get(client, "/api/articles", edition=edition, cursor=cursor, limit=100)
        assert status == 200, page
        found.update({item["id"]: item["headline"] for item in page["items"]})
        cursor = page["next_cursor"]
        if not cursor:
            return found


class Partner:
    """Keeps a copy of the public articles (id -> headline) by syncing, and remembers each
    cursor it was given with the copy it had then."""

    def __init__(self, client, *, edition=None, endpoint="articles", cursor=None, copy=None):
        self.client, self.edition, self.endpoint = client, edition, endpoint
        self.cursor, self.copy = cursor, dict(copy or {})
        self.history: list[tuple[str, dict]] = []
        self.tombstones: dict[int, tuple[str, str]] = {}  # id -> (reason, status_reason)

    def sync(self, limit=2):
        while True:
            more = (self._articles_page if self.endpoint == "articles"
                    else self._changes_page)(limit)
            self.history.append((self.cursor, dict(self.copy)))
            if not more:
                return self.copy

    def _articles_page(self, limit) -> bool:
        params = {"cursor": self.cursor} if self.cursor else {"updated_since": SINCE_EVER}
        status, page = get(self.client, "/api/articles", edition=self.edition, limit=limit,
                           **params)
        assert status == 200, page
        for item in page["items"]:
            if item.get("deleted"):
                self.copy.pop(item["id"], None)
                self.tombstones[item["id"]] = (item["reason"], item["status_reason"])
            else:
                self.copy[item["id"]] = item["headline"]
        self.cursor = page["sync_cursor"]
        assert self.cursor
        return page["next_cursor"] is not None

    def _changes_page(self, limit) -> bool:
        status, page = get(self.client, "/api/changes", edition=self.edition, limit=limit,
                           cursor=self.cursor)
        assert status == 200, page
        for item in page["items"]:
            if item["action"] in ("publish", "update"):
                status, article = get(self.client, f"/api/articles/{item['id']}",
                                      edition=self.edition)
                assert status == 200, (item, article)
                assert article["version"] == item["version"]
                self.copy[item["id"]] = article["headline"]
            else:
                assert item["action"] in ("kill", "unpublish"), item
                self.copy.pop(item["id"], None)
                self.tombstones[item["id"]] = (item["reason"], item["status_reason"])
        self.cursor = page["next"]
        return page["has_more"]


def ingest(tmp_path, *items, agency="RFE"):
    path = tmp_path / "more.rss"
    path.write_bytes(rss("".join(items)))
    report = services.ingest_source(str(path), agency=services.agency_ensure(code=agency))
    assert not report.errors, report.errors
    return report


def ingest_embargoed(tmp_path, headline, until):
    path = tmp_path / "embargoed.xml"
    path.write_text(G2.format(guid="decision", headline=headline,
                              embargo=until.strftime("%Y-%m-%dT%H:%M:%SZ")))
    services.ingest_source(str(path), agency=services.agency_ensure(code="WIRE"))
    return Article.objects.get(headline=headline)


def test_partners_replaying_from_any_cursor_end_with_exactly_the_public_state(
        client, site, tmp_path, monkeypatch):
    chile, _spanish, plain = site
    partners = [Partner(client), Partner(client, edition="chile-sun"),
                Partner(client, edition="plain-post"),
                Partner(client, endpoint="changes"),
                Partner(client, endpoint="changes", edition="plain-post")]

    def everyone_syncs():
        for partner in partners:
            partner.sync()

    everyone_syncs()
    # A new item, then a correction of an old one.
    ingest(tmp_path, rss_item("n1", "Breaking world story"))
    everyone_syncs()
    ingest(tmp_path, rss_item("w2", "Fresh world story, corrected",
                              body("A fresh one & more.", "fresh")))
    corrected = Article.objects.get(headline="Fresh world story, corrected")
    assert corrected.version == 2
    everyone_syncs()
    # A kill, a hold that is lifted again, and a hold that stays.
    killed = Article.objects.get(headline="Newest world story")
    services.article_kill(article=killed, reason="legal advice")
    old = Article.objects.get(headline="Old world story")
    services.article_hold(article=old, reason="checking a name")
    everyone_syncs()
    services.article_release(article=Article.objects.get(pk=old.pk))
    held = Article.objects.get(headline="Breaking world story")
    services.article_hold(article=held, reason="checking the source")
    everyone_syncs()
    # Placements taken away: by an edition's new rules, and by hand.
    sport = Article.objects.get(headline="Sport story")
    edition_save(name="Plain Post", time_zone="UTC", sections=["world"])
    assert not Placement.objects.filter(article=sport, edition=plain).exists()
    Placement.objects.get(article=corrected, edition=chile).delete()
    everyone_syncs()
    # An embargoed item, shown nowhere until its time passes: nothing is written then.
    embargoed = ingest_embargoed(tmp_path, "Bank to publish its decision",
                                 timezone.now() + timedelta(hours=2))
    everyone_syncs()
    assert all(embargoed.pk not in p.copy for p in partners)
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(hours=3))
    everyone_syncs()
    # A deleted article (the admin's delete).
    Article.objects.get(headline="Old world story").delete()
    everyone_syncs()

    truth = {None: public_now(client), "chile-sun": public_now(client, "chile-sun"),
             "plain-post": public_now(client, "plain-post")}
    assert embargoed.pk in truth[None] and embargoed.pk in truth["chile-sun"]
    assert truth[None][corrected.pk] == "Fresh world story, corrected"
    assert corrected.pk not in truth["chile-sun"] and sport.pk not in truth["plain-post"]
    assert killed.pk not in truth[None] and held.pk not in truth[None]
    for partner in partners:
        assert partner.copy == truth[partner.edition], (partner.endpoint, partner.edition)
    # Replaying from any cursor a partner was ever given, with the copy it had then.
    replays = 0
    for partner in partners:
        for cursor, copy in partner.history:
            late = Partner(client, edition=partner.edition, endpoint=partner.endpoint,
                           cursor=cursor, copy=copy)
            assert late.sync(limit=3) == truth[partner.edition], (partner.endpoint,
                                                                  partner.edition)
            replays += 1
    assert replays > 40
    # Tombstones say why.
    everything = partners[0].tombstones
    assert everything[killed.pk] == ("killed", "legal advice")
    assert everything[held.pk] == ("held", "checking the source")
    assert everything[old.pk][0] == "deleted"
    assert partners[0].tombstones[embargoed.pk][0] == "embargoed"
    assert partners[1].tombstones[corrected.pk][0] == "removed"
    assert partners[2].tombstones[sport.pk][0] == "removed"
    assert partners[3].tombstones[killed.pk] == ("killed", "legal advice")
    assert partners[4].tombstones[sport.pk] == ("removed", "")


def test_change_actions_versions_and_order(client, site, tmp_path):
    _, first = get(client, "/api/changes")
    assert first["has_more"] is False and len(first["items"]) == 4
    assert {i["action"] for i in first["items"]} == {"publish"}
    cursor = first["next"]
    ingest(tmp_path, rss_item("w2", "Fresh world story, corrected",
                              body("A fresh one & more.", "fresh")))
    sport = Article.objects.get(headline="Sport story")
    services.article_kill(article=sport, reason="rights")
    old = Article.objects.get(headline="Old world story")
    services.article_hold(article=old)
    status, page = get(client, "/api/changes", cursor=cursor)
    assert status == 200
    fresh = Article.objects.get(headline="Fresh world story, corrected")
    assert [(i["id"], i["action"], i["version"], i["reason"]) for i in page["items"]] == [
        (fresh.pk, "update", 2, None), (sport.pk, "kill", 1, "killed"),
        (old.pk, "unpublish", 1, "held")]
    assert page["items"][1]["status_reason"] == "rights"
    # Nothing new: the same place, nothing to read.
    _, again = get(client, "/api/changes", cursor=page["next"])
    assert again["items"] == [] and again["has_more"] is False
    _, schema = get(client, "/api/openapi.json")
    assert "/api/changes" in schema["paths"]


def test_cursors_are_opaque_and_forged_ones_refused(client, site):
    _, page = get(client, "/api/changes", limit=1)
    cursor = page["next"]
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    assert not cursor.isdigit() and str(page["items"][0]["id"]) != cursor
    # The same cursor with another position, its signature kept.
    payload, signature = raw.rsplit(":", 1)
    kind, epoch, prunes, txid, pk = payload.split("|")
    for forged_payload in (f"{kind}|{epoch}|{prunes}|{txid}|{int(pk) + 1}",
                           f"{kind}|{epoch}|{prunes}|{txid}|0",
                           f"{kind}|{epoch}|{int(prunes) + 1}|{txid}|{pk}",
                           f"{kind}|other|{prunes}|{txid}|{pk}"):
        forged = base64.urlsafe_b64encode(
            f"{forged_payload}:{signature}".encode()).decode().rstrip("=")
        for url in ("/api/changes", "/api/articles"):
            status, body_ = get(client, url, cursor=forged)
            assert status == 400 and "cursor" in body_["detail"], (url, forged_payload)
    for garbage in ("garbage", cursor[:-3], "Yy" + cursor, base64.urlsafe_b64encode(
            f"{payload}".encode()).decode()):
        assert get(client, "/api/changes", cursor=garbage)[0] == 400, garbage
    # A listing cursor is not a sync cursor, and the other way round.
    _, listing = get(client, "/api/articles", limit=1)
    assert get(client, "/api/changes", cursor=listing["next_cursor"])[0] == 400
    assert get(client, "/api/articles", cursor=cursor)[0] == 200


def test_a_cursor_older_than_the_changes_kept_is_gone(client, site, monkeypatch, settings):
    settings.WIREDESK_CHANGES_RETENTION_DAYS = 30
    early = Partner(client)
    early.sync()
    early_changes = get(client, "/api/changes")[1]["next"]
    before_the_kill = timezone.now().isoformat()
    services.article_kill(article=Article.objects.get(headline="Sport story"), reason="x")
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(days=31))
    late = Partner(client)
    late.sync()  # before the prune: any cursor still answers
    assert "pruned" in task_named("publishing.prune_changes").run()
    for url, cursor in (("/api/articles", early.cursor), ("/api/changes", early_changes)):
        status, answer = get(client, url, cursor=cursor)
        assert status == 410 and "from the beginning" in answer["detail"], (url, answer)
    assert get(client, "/api/articles", updated_since=before_the_kill)[0] == 410
    # From the beginning (or a cursor given after the prune) everything is there.
    fresh = Partner(client)
    assert fresh.sync() == public_now(client)
    assert Partner(client, cursor=late.cursor, copy=late.copy).sync() == public_now(client)
    assert Partner(client, endpoint="changes").sync() == public_now(client)


def test_embargo_lifts_are_logged_by_the_job_without_a_read(client, site, tmp_path,
                                                            monkeypatch):
    from wiredesk.publishing.models import Change, PendingLift

    article = ingest_embargoed(tmp_path, "Bank to publish its decision",
                               timezone.now() + timedelta(hours=2))
    job = task_named("publishing.log_embargo_lifts")
    assert isinstance(job.run(), Idle)  # not due yet
    before = Change.objects.filter(article_id=article.pk, edition_id=None).get().pk
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(hours=3))
    assert job.run() == "1 embargo lift(s) logged"
    assert isinstance(job.run(), Idle)  # once
    assert not PendingLift.objects.exists()
    assert Change.objects.filter(article_id=article.pk, edition_id=None).get().pk > before
    _, page = get(client, "/api/changes", cursor=None)
    assert page["items"][-1]["id"] == article.pk
    assert page["items"][-1]["action"] == "publish"


def test_a_restore_refuses_cursors_given_before_it(client, site):
    from wiredesk.publishing.changes import restart_after_restore

    partner = Partner(client)
    partner.sync()
    restart_after_restore()
    assert get(client, "/api/articles", cursor=partner.cursor)[0] == 410
    assert Partner(client).sync() == public_now(client)


def test_updated_since_and_old_cursors_go_on_from_their_time(client, site):
    sport = Article.objects.get(headline="Sport story")
    _, everything = get(client, "/api/articles", updated_since=SINCE_EVER)
    assert len(everything["items"]) == 4
    since = timezone.now()
    services.article_kill(article=sport, reason="rights")
    _, page = get(client, "/api/articles", updated_since=since.isoformat())
    assert page["items"] == [{"id": sport.pk, "deleted": True, "reason": "killed",
                              "status_reason": "rights",
                              "modified_at": page["items"][0]["modified_at"]}]
    # A cursor of the old stream (time and id, unsigned) goes on from its time.
    old_cursor = base64.urlsafe_b64encode(
        f"m|{since.isoformat()}|{sport.pk}".encode()).decode().rstrip("=")
    _, same = get(client, "/api/articles", updated_since=SINCE_EVER, cursor=old_cursor)
    assert same["items"] == page["items"]


def test_edition_stream_leaves_out_other_editions(client, site, tmp_path):
    _, page = get(client, "/api/changes", edition="plain-post")
    assert [i["id"] for i in page["items"]] == [Article.objects.get(headline="Sport story").pk]
    cursor = page["next"]
    ingest(tmp_path, rss_item("n1", "Breaking world story"))
    _, page = get(client, "/api/changes", edition="plain-post", cursor=cursor)
    assert page["items"] == [] and page["next"] != cursor  # went on past them
    assert Edition.objects.filter(slug="plain-post").exists()
