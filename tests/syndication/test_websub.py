"""WebSub: feeds name the hub and themselves; changes ping the hub; our own hub verifies
intent, keeps leases and distributes signed content to a real subscriber on loopback."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.syndication.helpers import ingest
from tests.syndication.subscriber import LoopbackSubscriber
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services as newsroom
from wiredesk.publishing.feeds import FeedScope
from wiredesk.syndication import signing
from wiredesk.syndication.models import Subscription
from wiredesk.syndication.websub import websub_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition():
    newsroom.section_ensure(slug="world", name="World", position=1)
    return edition_save(name="Chile Sun", time_zone="UTC")


@pytest.fixture
def subscriber():
    with LoopbackSubscriber() as server:
        yield server


def feed_url(edition, ext):
    return FeedScope(edition=edition, section=None).feed_url(ext)


def test_feeds_name_the_hub_and_themselves(client, edition, settings):
    settings.WIREDESK_WEBSUB_HUB = "https://hub.example/"
    rss = client.get("/chile-sun/feed.rss")
    self_url = feed_url(edition, "rss")
    assert rss["Link"] == f'<https://hub.example/>; rel="hub", <{self_url}>; rel="self"'
    text = rss.content.decode()
    assert '<atom:link href="https://hub.example/" rel="hub"' in text
    assert f'<atom:link href="{self_url}" rel="self"' in text
    atom = client.get("/chile-sun/feed.atom").content.decode()
    assert '<link href="https://hub.example/" rel="hub"' in atom
    assert f'<link href="{feed_url(edition, "atom")}" rel="self"' in atom
    document = json.loads(client.get("/chile-sun/feed.json").content)
    assert document["hubs"] == [{"type": "WebSub", "url": "https://hub.example/"}]
    assert document["feed_url"] == feed_url(edition, "json")
    assert client.get("/chile-sun/digest/archive/feed.rss")["Link"].startswith(
        "<https://hub.example/>")


def test_without_a_hub_feeds_name_none(client, edition, settings):
    settings.WIREDESK_WEBSUB_HUB = ""
    response = client.get("/chile-sun/feed.rss")
    assert "Link" not in response and 'rel="hub"' not in response.content.decode()
    assert "hubs" not in json.loads(client.get("/chile-sun/feed.json").content)
    assert client.post("/websub/", {"hub.mode": "subscribe"}).status_code == 404


def test_a_change_pings_the_outside_hub(tmp_path, edition, settings, subscriber):
    hub = subscriber  # an outside hub that keeps the pings
    settings.WIREDESK_WEBSUB_HUB = hub.url
    websub_run()  # the first run starts from now
    assert hub.forms == []
    (article,) = ingest(tmp_path, "Port strike ends")
    report = websub_run()
    pinged = {form["hub.url"] for form in hub.forms}
    assert {form["hub.mode"] for form in hub.forms} == {"publish"}
    assert {feed_url(edition, ext) for ext in ("rss", "atom", "json", "ninjs.json",
                                               "newsml.xml")} <= pinged
    assert article.section is not None
    assert FeedScope(edition=edition, section=article.section).feed_url("atom") in pinged
    assert report.pinged == len(pinged)
    hub.forms.clear()
    assert websub_run().pinged == 0  # nothing changed since
    newsroom.article_kill(article=article, reason="legal")
    websub_run()
    assert feed_url(edition, "rss") in {form["hub.url"] for form in hub.forms}


def test_a_hub_that_does_not_answer_is_pinged_again(tmp_path, edition, settings):
    from wiredesk.syndication.models import PendingTopic

    settings.WIREDESK_WEBSUB_HUB = "http://127.0.0.1:9/hub"  # nothing listens there
    websub_run()
    ingest(tmp_path, "One")
    report = websub_run()
    assert report.failed and report.pinged == 0
    pending = PendingTopic.objects.get(topic=feed_url(edition, "rss"))
    assert pending.attempts == 1 and "cannot connect" in pending.last_error


def subscribe(client, subscriber, topic, **extra):
    return client.post("/websub/", {"hub.mode": "subscribe", "hub.topic": topic,
                                    "hub.callback": subscriber.url, **extra})


def test_our_own_hub_verifies_intent_and_distributes_signed_content(
        client, tmp_path, edition, settings, subscriber):
    settings.WIREDESK_WEBSUB_HUB = "own"
    topic = feed_url(edition, "rss")
    websub_run()
    response = subscribe(client, subscriber, topic, **{"hub.secret": "sub-secret",
                                                       "hub.lease_seconds": "3600"})
    assert response.status_code == 202
    assert Subscription.objects.get().state == "pending"
    assert websub_run().verified == 1
    (check,) = subscriber.verifications
    assert check["hub.mode"] == "subscribe" and check["hub.topic"] == topic
    assert check["hub.lease_seconds"] == "3600" and check["feed"] == "1"
    subscription = Subscription.objects.get()
    assert subscription.state == "active"
    assert subscription.expires_at - subscription.verified_at == timedelta(seconds=3600)
    ingest(tmp_path, "Port strike ends")
    report = websub_run()
    assert report.distributed == 1
    (delivery,) = subscriber.deliveries
    assert b"Port strike ends" in delivery["body"]
    assert delivery["headers"]["X-Hub-Signature"] == signing.hub_signature(
        "sub-secret", delivery["body"])
    assert f'<{topic}>; rel="self"' in delivery["headers"]["Link"]
    assert delivery["headers"]["Content-Type"].startswith("application/rss+xml")
    # Unsubscribing is verified too.
    assert client.post("/websub/", {"hub.mode": "unsubscribe", "hub.topic": topic,
                                    "hub.callback": subscriber.url}).status_code == 202
    websub_run()
    assert subscriber.verifications[-1]["hub.mode"] == "unsubscribe"
    assert Subscription.objects.get().state == "gone"
    ingest(tmp_path, "Frost hits vineyards", name="two.rss")
    websub_run()
    assert len(subscriber.deliveries) == 1


def test_leases_expire_unless_renewed(client, tmp_path, edition, settings, subscriber):
    settings.WIREDESK_WEBSUB_HUB = "own"
    topic = feed_url(edition, "atom")
    subscribe(client, subscriber, topic, **{"hub.lease_seconds": "5"})  # raised to 60
    websub_run()
    subscription = Subscription.objects.get()
    assert subscription.lease_seconds == 60 and subscription.state == "active"
    # Renewed before the end: a new lease from the new verification.
    subscribe(client, subscriber, topic, **{"hub.lease_seconds": "7200"})
    websub_run()
    subscription.refresh_from_db()
    assert subscription.state == "active" and subscription.lease_seconds == 7200
    Subscription.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert websub_run().expired == 1
    assert Subscription.objects.get().state == "gone"


def test_the_hub_refuses_what_it_does_not_serve(client, edition, settings, subscriber):
    settings.WIREDESK_WEBSUB_HUB = "own"
    assert subscribe(client, subscriber, "https://elsewhere.example/feed.rss").status_code == 400
    assert client.post("/websub/", {"hub.mode": "subscribe", "hub.topic": feed_url(edition, "rss"),
                                    "hub.callback": "javascript:alert(1)"}).status_code == 400
    assert client.post("/websub/", {"hub.mode": "publish"}).status_code == 400
    assert client.get("/websub/").status_code == 405
    assert Subscription.objects.count() == 0


def test_a_partner_feed_subscriber_gets_ninjs(client, tmp_path, edition, settings,
                                               subscriber):
    settings.WIREDESK_WEBSUB_HUB = "own"
    topic = feed_url(edition, "ninjs.json")
    websub_run()
    assert subscribe(client, subscriber, topic).status_code == 202
    websub_run()
    ingest(tmp_path, "Port strike ends")
    websub_run()
    (delivery,) = subscriber.deliveries
    items = json.loads(delivery["body"])["items"]
    assert items[0]["headlines"][0]["value"] == "Port strike ends"
    assert "X-Hub-Signature" not in delivery["headers"]  # no secret given


def test_a_callback_that_did_not_ask_is_not_subscribed(client, edition, settings, subscriber):
    settings.WIREDESK_WEBSUB_HUB = "own"
    subscriber.echo = False
    subscribe(client, subscriber, feed_url(edition, "json"))
    assert websub_run().verified == 0
    subscription = Subscription.objects.get()
    assert subscription.state == "gone" and "not verified" in subscription.last_error


def test_a_callback_on_a_private_address_is_never_asked(client, edition, settings):
    settings.WIREDESK_WEBSUB_HUB = "own"
    settings.WIREDESK_FETCH_ALLOW = []
    client.post("/websub/", {"hub.mode": "subscribe", "hub.topic": feed_url(edition, "rss"),
                             "hub.callback": "http://169.254.169.254/latest/meta-data"})
    websub_run()
    subscription = Subscription.objects.get()
    assert subscription.state == "gone" and "refused" in subscription.last_error
