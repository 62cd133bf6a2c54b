"""Pushes to partners against a real HTTPS receiver on loopback that checks signatures."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.syndication.helpers import ingest
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services as newsroom
from wiredesk.syndication import signing
from wiredesk.syndication.models import Attempt, Delivery
from wiredesk.syndication.sending import push_due
from wiredesk.syndication.services import partner_add, partner_rotate_secret, plan_partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition():
    return edition_save(name="Chile Sun", time_zone="UTC", hosts=["chilesun.example"])


def add(hook, name="alpha", **kwargs):
    return partner_add(name=name, url=hook.url, format="json",
                       secret=hook.secrets[0], **kwargs)


def make_due():
    Delivery.objects.filter(state=Delivery.State.PENDING).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_new_articles_are_pushed_signed_once_each_and_acknowledged(tmp_path, edition, hook):
    partner = add(hook)
    first, second = ingest(tmp_path, "Port strike ends", "Frost hits vineyards")
    report = push_due()
    assert report.acked == 2 and report.planned == 2
    assert sorted(hook.keys()) == sorted([f"{first.pk}-v1-publish", f"{second.pk}-v1-publish"])
    for seen in hook.received:
        assert seen["delivery"] == seen["key"]
        assert seen["event"] == "publish"
        assert seen["content_type"] == "application/json"
        assert signing.verify(seen["signature"], seen["body"], "partner-secret")
    documents = {d["id"]: d for d in hook.documents()}
    assert documents[first.pk]["article"]["headline"] == "Port strike ends"
    assert documents[first.pk]["action"] == "publish"
    # The ledger: one acknowledged attempt per delivery, with its status code.
    ledger = list(Attempt.objects.filter(partner=partner))
    assert [(a.acked, a.status_code) for a in ledger] == [(True, 200), (True, 200)]
    assert Delivery.objects.filter(partner=partner, state="acked").count() == 2
    # Nothing new: nothing more is sent.
    assert push_due().nothing_done and len(hook.received) == 2


def test_articles_from_before_the_partner_are_not_pushed(tmp_path, edition, hook):
    ingest(tmp_path, "Old news")
    add(hook)
    assert push_due().planned == 0 and hook.received == []


def test_kills_and_corrections_go_before_everything_else(tmp_path, edition, hook):
    add(hook)
    early, corrected = ingest(tmp_path, "Early story", "Corrected story")
    push_due()
    hook.received.clear()
    ingest(tmp_path, "Later one", "Later two", name="later.rss")
    corrected.signal = "correction"
    corrected.version = 2
    corrected.headline = "Corrected story (fixed)"
    corrected.save()
    newsroom.article_kill(article=early, reason="legal")
    push_due()
    events = [(r["event"], json.loads(r["body"])["id"]) for r in hook.received]
    assert events[0] == ("kill", early.pk)
    assert events[1] == ("update", corrected.pk)
    assert {e for e, _ in events[2:]} == {"publish"} and len(events) == 4
    kill = hook.documents()[0]
    assert kill["reason"] == "killed" and kill["status_reason"] == "legal"
    assert kill["article"] is None


def test_a_failing_partner_retries_with_backoff_and_never_holds_up_another(
        tmp_path, edition, hook, second_hook, settings):
    settings.WIREDESK_PUSH_RETRY_BASE = 60
    failing = add(hook)
    healthy = partner_add(name="beta", url=second_hook.url, format="json",
                          secret="second-secret")
    hook.mode = "fail"
    ingest(tmp_path, "One", "Two")
    report = push_due()
    assert len(second_hook.received) == 2
    assert report.acked == 2 and report.retry == 1
    # The failing partner tried one and left the other for its next turn.
    tried = Delivery.objects.get(partner=failing, attempts=1)
    assert tried.state == "pending" and tried.last_status == 500
    assert "HTTP 500" in tried.last_error and "Internal error" in tried.last_error
    assert timezone.now() <= tried.next_attempt_at <= timezone.now() + timedelta(seconds=61)
    assert Attempt.objects.get(delivery=tried).status_code == 500
    assert failing.__class__.objects.get(pk=failing.pk).last_error.startswith("HTTP 500")
    # Not due yet: nothing is tried.
    push_due()
    assert Delivery.objects.get(pk=tried.pk).attempts == 1
    hook.mode = "ok"
    make_due()
    push_due()
    assert Delivery.objects.filter(partner=failing, state="acked").count() == 2
    assert [a.status_code for a in Attempt.objects.filter(delivery=tried)] == [500, 200]
    assert Delivery.objects.filter(partner=healthy, state="acked").count() == 2


def test_a_slow_partner_times_out_and_the_others_are_pushed(tmp_path, edition, hook,
                                                            second_hook):
    # Partners one after the other here (each has its own thread in a worker: see
    # tests/e2e/test_push_faults.py): the slow one costs its own time limit, once.
    slow = add(hook, timeout=0.5)
    partner_add(name="beta", url=second_hook.url, format="json", secret="second-secret")
    hook.mode, hook.delay = "slow", 3
    ingest(tmp_path, "One")
    push_due()
    assert len(second_hook.received) == 1
    delivery = Delivery.objects.get(partner=slow)
    assert delivery.state == "pending" and "gave up after 0.5s" in delivery.last_error


def test_a_redirect_to_a_private_address_is_refused_and_dead_at_once(tmp_path, edition,
                                                                     hook, settings):
    partner = add(hook)
    hook.mode, hook.location = "redirect", "http://10.20.30.40/steal"
    ingest(tmp_path, "One")
    push_due()
    delivery = Delivery.objects.get(partner=partner)
    assert delivery.state == "dead"
    assert "refused" in delivery.last_error and "WIREDESK_FETCH_ALLOW" in delivery.last_error
    assert hook.received == []


def test_a_partner_gone_for_days_is_dead_lettered_then_resent(tmp_path, edition, hook,
                                                              settings, capsys):
    from wiredesk import cli

    settings.WIREDESK_PUSH_MAX_ATTEMPTS = 3
    partner = add(hook)
    hook.mode = "gone"
    ingest(tmp_path, "One")
    for _ in range(3):
        make_due()
        push_due()
    delivery = Delivery.objects.get(partner=partner)
    assert delivery.state == "dead" and delivery.attempts == 3
    assert delivery.last_error.startswith("gave up after 3 attempts: HTTP 410")
    assert [a.status_code for a in delivery.ledger.all()] == [410, 410, 410]
    assert cli.main(["partner", "deliveries", "alpha", "--dead"]) == 0
    shown = capsys.readouterr().out
    assert delivery.key in shown and "dead" in shown and "410" in shown
    hook.mode = "ok"
    assert cli.main(["partner", "resend", "alpha"]) == 0
    push_due()
    delivery.refresh_from_db()
    assert delivery.state == "acked" and hook.keys() == [delivery.key]
    assert delivery.ledger.filter(acked=True).count() == 1


def test_the_age_limit_dead_letters_too(tmp_path, edition, hook, settings):
    settings.WIREDESK_PUSH_MAX_AGE_HOURS = 1
    partner = add(hook)
    hook.mode = "fail"
    ingest(tmp_path, "One")
    plan_partner(partner)
    Delivery.objects.update(started_at=timezone.now() - timedelta(hours=2))
    push_due()
    delivery = Delivery.objects.get(partner=partner)
    assert delivery.state == "dead" and "gave up after 2 hours" in delivery.last_error


def test_secret_rotation_with_deliveries_pending(tmp_path, edition, hook, settings):
    partner = add(hook)
    hook.mode = "fail"
    ingest(tmp_path, "One", "Two")
    push_due()  # one tried and failed, one never tried: both pending
    assert Delivery.objects.filter(state="pending").count() == 2
    partner = partner_rotate_secret(partner=partner, secret="new-secret")
    # The partner's receiver still knows only the old secret: the pending pushes pass.
    hook.mode = "ok"
    make_due()
    push_due()
    assert len(hook.received) == 2 and hook.refused == []
    signature = hook.received[0]["signature"]
    assert signing.verify(signature, hook.received[0]["body"], "new-secret")
    assert signing.verify(signature, hook.received[0]["body"], "partner-secret")
    # It switches to the new one: new pushes pass too.
    hook.secrets = ["new-secret"]
    ingest(tmp_path, "Three", name="three.rss")
    push_due()
    assert len(hook.received) == 3
    # After the grace only the new secret signs: a receiver left on the old one refuses.
    type(partner).objects.filter(pk=partner.pk).update(
        previous_secret_until=timezone.now() - timedelta(seconds=1))
    hook.secrets = ["partner-secret"]
    ingest(tmp_path, "Four", name="four.rss")
    push_due()
    assert len(hook.refused) == 1 and len(hook.received) == 3
    assert Delivery.objects.get(key__contains="-v1-publish", state="pending").last_status == 401


def test_a_state_overtaken_before_its_push_is_superseded(tmp_path, edition, hook):
    partner = add(hook)
    (article,) = ingest(tmp_path, "One")
    plan_partner(partner)
    newsroom.article_kill(article=article, reason="wrong")
    push_due()
    assert hook.keys() == [f"{article.pk}-v1-kill"]
    assert Delivery.objects.get(key=f"{article.pk}-v1-publish").state == "superseded"


def test_nothing_visible_changed_nothing_is_pushed(tmp_path, edition, hook):
    add(hook)
    (article,) = ingest(tmp_path, "One")
    push_due()
    article.save()  # as storing its picture's renditions does
    assert push_due().planned == 0 and len(hook.received) == 1


def test_a_state_an_article_comes_back_to_is_a_new_delivery(tmp_path, edition, hook):
    add(hook)
    (article,) = ingest(tmp_path, "One")
    push_due()
    for _ in range(2):
        newsroom.article_hold(article=article, reason="check")
        push_due()
        newsroom.article_release(article=article)
        push_due()
    base = f"{article.pk}-v1"
    assert hook.keys() == [f"{base}-publish", f"{base}-unpublish", f"{base}-publish-r1",
                           f"{base}-unpublish-r1", f"{base}-publish-r2"]


def test_an_edition_filter_pushes_only_that_editions_articles(tmp_path, edition, hook):
    newsroom.section_ensure(slug="sport", name="Sport", position=1)
    newsroom.section_ensure(slug="world", name="World", position=2)
    sport = edition_save(name="Sport Post", time_zone="UTC", sections=["sport"])
    partner = add(hook, edition=sport)
    agency = newsroom.agency_ensure(code="RFE", name="Radio Free Europe")
    path = tmp_path / "mixed.rss"
    from tests.conftest import rss, rss_item

    path.write_bytes(rss(rss_item("s1", "Rugby squad named", category="Sport")
                         + rss_item("w1", "Port strike ends", category="World")))
    newsroom.ingest_source(str(path), agency=agency)
    push_due()
    documents = hook.documents()
    assert [d["article"]["headline"] for d in documents] == ["Rugby squad named"]
    assert documents[0]["article"]["url"].startswith("http")
    assert Delivery.objects.filter(partner=partner).count() == 1


def test_ninjs_and_newsml_partners_get_valid_iptc_documents(tmp_path, edition, hook,
                                                            second_hook):
    import jsonschema_rs

    from wiredesk.publishing import newsml, ninjs

    partner_add(name="iptc-json", url=hook.url, format="ninjs", secret="partner-secret")
    partner_add(name="iptc-xml", url=second_hook.url, format="newsml", secret="second-secret")
    (article,) = ingest(tmp_path, "Port strike ends")
    push_due()
    newsroom.article_kill(article=article, reason="legal")
    push_due()
    validator = jsonschema_rs.validator_for(ninjs.schema(), validate_formats=True)
    published, killed = (json.loads(r["body"]) for r in hook.received)
    for document in (published, killed):
        assert not [e.message for e in validator.iter_errors(document)]
    assert hook.received[0]["content_type"] == "application/ninjs+json"
    assert published["pubstatus"] == "usable"
    assert published["headlines"][0]["value"] == "Port strike ends"
    assert killed["pubstatus"] == "canceled" and killed["uri"] == published["uri"]
    xml_published, xml_killed = (r["body"] for r in second_hook.received)
    assert second_hook.received[0]["content_type"] == newsml.ITEM_MEDIA_TYPE
    assert newsml.check(xml_published) == [] and newsml.check(xml_killed) == []
    assert b"stat:usable" in xml_published and b"stat:canceled" in xml_killed


def test_removed_and_deleted_articles_are_tombstones_in_every_format(tmp_path, edition):
    from wiredesk.syndication.formats import ItemState, render_for_partner

    (article,) = ingest(tmp_path, "Port strike ends")
    removed = ItemState(article_id=article.pk, version=1, action="unpublish",
                        reason="removed", article=article, edition=edition, key="k1")
    deleted = ItemState(article_id=article.pk, version=1, action="kill", reason="deleted",
                        article=None, edition=edition, key="k2")
    document = json.loads(render_for_partner(removed, "ninjs")[0])
    assert document["pubstatus"] == "withheld" and "bodies" not in document
    xml = render_for_partner(removed, "newsml")[0]
    assert b"stat:withheld" in xml and b"contentSet" not in xml
    assert json.loads(render_for_partner(deleted, "ninjs")[0])["pubstatus"] == "canceled"
    assert b"stat:canceled" in render_for_partner(deleted, "newsml")[0]
    assert json.loads(render_for_partner(deleted, "json")[0])["article"] is None
