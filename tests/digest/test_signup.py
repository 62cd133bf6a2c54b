"""Double opt-in through the web pages, with mail through a real SMTP server."""

import json
import re

import pytest

from wiredesk.digest.models import Delivery, Subscriber

pytestmark = pytest.mark.django_db


def link_in(received, kind: str) -> str:
    text = received.message.get_body(("plain",)).get_content()
    match = re.search(rf"https://\S+/digest/{kind}/\S+", text)
    assert match, text
    return match.group(0)


def path_of(url: str) -> str:
    return re.sub(r"^https://[^/]+", "", url)


def post_signup(client, email, capture, **extra):
    with capture(execute=True):
        return client.post("/chile-sun/digest/subscribe", {"email": email, **extra},
                           REMOTE_ADDR=extra.pop("ip", "203.0.113.9"))


def test_full_double_opt_in_through_the_pages(client, site, smtp,
                                              django_capture_on_commit_callbacks):
    chile, _ = site
    home = client.get("/chile-sun/").content.decode()
    assert 'action="/chile-sun/digest/subscribe"' in home and 'name="website"' in home
    # The box itself offers the options, prefilled from the edition.
    assert 'name="delivery_time" value="06:00"' in home and 'name="sections"' in home
    assert 'name="time_zone" value="Australia/Sydney"' in home
    assert 'name="delivery_time" value="06:00"' in home
    assert 'name="time_zone" value="Australia/Sydney"' in home and 'name="sections"' in home

    form = client.get("/chile-sun/digest/subscribe").content.decode()
    assert 'name="sections"' in form and 'value="06:00"' in form
    assert 'value="Australia/Sydney"' in form

    world = chile.subscribers.model._meta.get_field("sections").related_model.objects.get(
        slug="world")
    response = post_signup(client, "Reader@Example.org", django_capture_on_commit_callbacks,
                           sections=[str(world.pk)], delivery_time="07:30",
                           time_zone="Europe/Paris")
    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode()
    subscriber = Subscriber.objects.get(email="reader@example.org")
    assert subscriber.status == "pending"
    assert [s.slug for s in subscriber.sections.all()] == ["world"]
    assert subscriber.zone == "Europe/Paris" and str(subscriber.delivery_time) == "07:30:00"

    [mail] = smtp.to("reader@example.org")
    assert "Confirm your Chile Sun daily email" in mail.message["Subject"]
    confirm = link_in(mail, "confirm")
    assert confirm.startswith("https://chilesun.example/digest/confirm/")

    # The link opens a page with a button (mail scanners follow links); nothing changes yet.
    page = client.get(path_of(confirm), HTTP_HOST="chilesun.example")
    assert page.status_code == 200 and "Confirm subscription" in page.content.decode()
    assert Subscriber.objects.get(pk=subscriber.pk).status == "pending"
    done = client.post(path_of(confirm), HTTP_HOST="chilesun.example")
    assert done.status_code == 200 and "You are subscribed" in done.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == "confirmed" and subscriber.next_due_at is not None
    # Confirming twice is harmless.
    again = client.post(path_of(confirm), HTTP_HOST="chilesun.example")
    assert again.status_code == 200
    assert Subscriber.objects.get(pk=subscriber.pk).status == "confirmed"


def test_same_answer_whether_or_not_the_address_exists(client, site, smtp,
                                                       django_capture_on_commit_callbacks):
    first = post_signup(client, "known@example.org", django_capture_on_commit_callbacks)
    Subscriber.objects.filter(email="known@example.org").update(status="confirmed",
                                                                confirmation_sent_at=None)
    smtp.reset()
    known = post_signup(client, "known@example.org", django_capture_on_commit_callbacks,
                        ip="198.51.100.1")
    unknown = post_signup(client, "stranger@example.org", django_capture_on_commit_callbacks,
                          ip="198.51.100.1")

    def body(response):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "",
                      response.content.decode())

    assert first.status_code == known.status_code == unknown.status_code == 200
    assert body(known) == body(unknown)
    # The owner of the known address hears about it (with their manage link), nobody else.
    [notice] = smtp.to("known@example.org")
    assert "already" in notice.message["Subject"]
    assert "/digest/preferences/" in notice.message.get_body(("plain",)).get_content()
    assert Subscriber.objects.get(email="known@example.org").status == "confirmed"


@pytest.mark.parametrize("address", [
    "a@b.c\r\nBcc: x@y.example",
    "a@b.example\nBcc: x@y.example",
    "victim@example.org, other@example.org",
    "Name <a@b.example>",
    "x" * 250 + "@example.org",
    "not-an-address",
    "",
])
def test_hostile_addresses_are_refused_and_nothing_is_sent(client, site, smtp, address,
                                                           django_capture_on_commit_callbacks):
    response = post_signup(client, address, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "valid email address" in response.content.decode() or "address" in \
        response.content.decode()
    assert Subscriber.objects.count() == 0
    assert smtp.received == []


def test_honeypot_gets_the_same_page_and_nothing_is_stored(client, site, smtp,
                                                           django_capture_on_commit_callbacks):
    response = post_signup(client, "bot@example.org", django_capture_on_commit_callbacks,
                           website="http://spam.example")
    assert response.status_code == 200 and "Check your inbox" in response.content.decode()
    assert Subscriber.objects.count() == 0 and smtp.received == []


def test_no_confirmation_storm_at_one_address(client, site, smtp, settings,
                                             django_capture_on_commit_callbacks):
    settings.WIREDESK_DIGEST_SIGNUPS_PER_IP = 1000
    for n in range(10):
        response = post_signup(client, "victim@example.org",
                               django_capture_on_commit_callbacks, ip=f"192.0.2.{n}")
        assert response.status_code == 200
    assert len(smtp.to("victim@example.org")) == 1
    assert Subscriber.objects.filter(email="victim@example.org").count() == 1


def test_signup_flood_from_one_ip_is_limited(client, site, smtp, settings,
                                             django_capture_on_commit_callbacks):
    settings.WIREDESK_DIGEST_SIGNUPS_PER_IP = 3
    codes = [post_signup(client, f"r{n}@example.org", django_capture_on_commit_callbacks,
                         ip="192.0.2.77").status_code for n in range(6)]
    assert codes == [200, 200, 200, 429, 429, 429]
    assert Subscriber.objects.count() == 3
    # Another network is unaffected.
    assert post_signup(client, "other@example.org", django_capture_on_commit_callbacks,
                       ip="192.0.2.78").status_code == 200


@pytest.mark.parametrize("token", ["forged", "WzEsImFiYyJd:1u2v3w:Zm9yZ2VkLXNpZ25hdHVyZQ",
                                   "x" * 400])
def test_forged_tokens_get_a_clear_page_and_change_nothing(client, site, token):
    from tests.digest.conftest import make_confirmed

    subscriber = make_confirmed(site[0], "keep@example.org")
    for kind in ("confirm", "unsubscribe", "preferences"):
        for method in (client.get, client.post):
            response = method(f"/chile-sun/digest/{kind}/{token}")
            assert response.status_code == 400
            assert "not valid" in response.content.decode()
    assert Subscriber.objects.get(pk=subscriber.pk).status == "confirmed"


def test_expired_confirmation_link(client, site, settings):
    from wiredesk.digest.services import subscriber_subscribe
    from wiredesk.digest.tokens import CONFIRM, make_token

    subscriber_subscribe(edition=site[0], email="late@example.org")
    subscriber = Subscriber.objects.get(email="late@example.org")
    token = make_token(subscriber, CONFIRM)
    settings.WIREDESK_DIGEST_CONFIRM_MAX_AGE = -1
    response = client.post(f"/chile-sun/digest/confirm/{token}")
    assert response.status_code == 400 and "expired" in response.content.decode()
    assert Subscriber.objects.get(pk=subscriber.pk).status == "pending"


def test_a_token_for_one_edition_does_nothing_on_another(client, site):
    from tests.digest.conftest import make_confirmed
    from wiredesk.digest.tokens import UNSUBSCRIBE, make_token

    subscriber = make_confirmed(site[0], "cross@example.org")
    token = make_token(subscriber, UNSUBSCRIBE)
    assert client.post(f"/euro-ledger/digest/unsubscribe/{token}").status_code == 400
    assert Subscriber.objects.get(pk=subscriber.pk).status == "confirmed"


def test_rfc8058_one_click_post_and_the_get_page(site):
    from django.test import Client

    from tests.digest.conftest import make_confirmed
    from wiredesk.digest.tokens import UNSUBSCRIBE, make_token

    subscriber = make_confirmed(site[0], "leaver@example.org")
    url = f"/chile-sun/digest/unsubscribe/{make_token(subscriber, UNSUBSCRIBE)}"
    client = Client(enforce_csrf_checks=True)  # a mailbox provider has no cookie or token
    page = client.get(url)
    assert page.status_code == 200
    main = page.content.decode().split('<main', 1)[1].split('</main>', 1)[0]
    assert main.count("<button") == 1  # the one button (the header has a search button)
    assert Subscriber.objects.get(pk=subscriber.pk).status == "confirmed"
    response = client.post(url, data="List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed"
    assert client.post(url, data="List-Unsubscribe=One-Click",
                       content_type="application/x-www-form-urlencoded").status_code == 200


def test_preferences_save_export_and_erase(client, site):
    from tests.digest.conftest import make_confirmed
    from wiredesk.digest.tokens import PREFERENCES, make_token
    from wiredesk.newsroom.models import Section

    subscriber = make_confirmed(site[0], "prefs@example.org")
    url = f"/chile-sun/digest/preferences/{make_token(subscriber, PREFERENCES)}"
    assert client.get(url).status_code == 200
    sport = Section.objects.get(slug="sport")
    saved = client.post(url, {"sections": [str(sport.pk)], "delivery_time": "18:15",
                              "time_zone": "America/Santiago", "paused": "1"})
    assert saved.status_code == 200 and "saved" in saved.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.paused and subscriber.zone == "America/Santiago"
    assert [s.slug for s in subscriber.sections.all()] == ["sport"]
    bad = client.post(url, {"delivery_time": "25:99", "time_zone": "Mars/Olympus"})
    assert bad.status_code == 400

    exported = client.get(url + "/export")
    assert exported["Content-Type"].startswith("application/json")
    data = json.loads(exported.content)
    assert data["email"] == "prefs@example.org" and data["sections"] == ["Sport"]
    assert data["delivery_time"] == "18:15" and data["paused"] is True

    erased = client.post(url + "/erase")
    assert erased.status_code == 200
    assert not Subscriber.objects.filter(pk=subscriber.pk).exists()
    assert not Delivery.objects.filter(subscriber_id=subscriber.pk).exists()
    assert client.get(url).status_code == 400  # the link died with the data


def test_digest_links_are_the_same_every_time_and_old_timestamped_links_still_work(client, site):
    from django.core import signing

    from tests.digest.conftest import make_confirmed
    from wiredesk.digest.tokens import PREFERENCES, UNSUBSCRIBE, make_token

    subscriber = make_confirmed(site[0], "steady@example.org")
    assert make_token(subscriber, PREFERENCES) == make_token(subscriber, PREFERENCES)
    # A link mailed before digest links dropped their signing time.
    old = signing.dumps([subscriber.pk, subscriber.link_key],
                        salt=f"wiredesk.digest.{UNSUBSCRIBE}")
    assert client.post(f"/chile-sun/digest/unsubscribe/{old}").status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed"


@pytest.mark.parametrize("secret", ["", "another-secret-key-for-the-links-0123456789"])
@pytest.mark.parametrize("purpose", ["unsubscribe", "preferences"])
def test_a_digest_link_is_djangos_signed_object_with_one_hmac(settings, purpose, secret):
    """The sender's one-HMAC token is byte for byte Django's ``sign_object``, so a link
    verifies the same way and a preview shows the link the reader gets."""
    from django.core import signing

    from wiredesk.digest.tokens import link_token

    if secret:
        settings.SECRET_KEY = secret
    for subscriber_id, link_key in ((1, "0" * 32), (987654321, "ab12" * 8), (7, "é\"\\")):
        token = link_token(subscriber_id, link_key, purpose)
        assert token == signing.Signer(salt=f"wiredesk.digest.{purpose}").sign_object(
            [subscriber_id, link_key])
        assert signing.Signer(salt=f"wiredesk.digest.{purpose}").unsign_object(token) == [
            subscriber_id, link_key]
