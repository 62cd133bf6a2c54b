"""The digest's operator tools in the admin: preview as any reader, a test copy through
the real SMTP server, each send's figures and their chart; staff only."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from tests.digest.conftest import make_confirmed
from wiredesk.digest.models import BounceEvent, Delivery, Digest, Subscriber
from wiredesk.digest.sending import send_pending
from wiredesk.digest.services import digest_plan, subscriber_unsubscribe

pytestmark = pytest.mark.django_db

PREVIEW = "/admin/digest/digest/preview/"
FIGURES = "/admin/digest/digest/figures/"


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("editor", "editor@chilesun.example", "pw",
                                                 is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(
        codename__in=["view_subscriber", "view_delivery", "view_digest"]))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def test_only_staff_with_the_permission_get_the_tools(client, site, django_user_model):
    reader = django_user_model.objects.create_user("reader", "r@example.org", "pw")
    client.force_login(reader)
    for url in (PREVIEW, f"{PREVIEW}html/?edition={site[0].pk}", FIGURES):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url
    staff = django_user_model.objects.create_user("clerk", "c@example.org", "pw",
                                                  is_staff=True)
    client.force_login(staff)
    for url in (PREVIEW, f"{PREVIEW}html/?edition={site[0].pk}", FIGURES):
        assert client.get(url).status_code == 403, url
    assert client.post(f"{PREVIEW}?edition={site[0].pk}",
                       {"to": "x@example.org"}).status_code == 403


def test_preview_as_a_reader_in_their_zone_and_sections(editor_client, site):
    chile, _ = site
    world = chile.sections.model.objects.get(slug="world")
    make_confirmed(chile, "santiago@example.org", time_zone="America/Santiago",
                   section_ids=[world.pk])
    page = editor_client.get(PREVIEW, {"edition": chile.pk, "email": "santiago@example.org"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "America/Santiago" in html
    assert "Ministers meet in Santiago" in html and "Copper price climbs" not in html
    assert "frame-src 'self'" in page["Content-Security-Policy"]
    # The text part, with the reader's own links.
    text = re.search(r'<pre class="wd-preview-text">(.*?)</pre>', html, re.S).group(1)
    assert "== WORLD ==" in text and "/digest/unsubscribe/" in text
    assert "GMT-3" in text or "GMT-4" in text  # Santiago's clock, not Sydney's
    # The HTML part, framed, under a sandbox policy of its own.
    src = re.search(r'<iframe class="wd-preview-html" src="([^"]+)"', html).group(1)
    part = editor_client.get(src.replace("&amp;", "&"))
    assert part.status_code == 200 and part["X-Frame-Options"] == "SAMEORIGIN"
    assert part["Content-Security-Policy"].startswith("sandbox ")
    body = part.content.decode()
    assert "Ministers meet in Santiago" in body and "Copper price climbs" not in body
    assert body.startswith('<base target="_top">')


def test_preview_of_an_issue_the_reader_was_sent_is_their_delivery(editor_client, site, smtp):
    chile, _ = site
    make_confirmed(chile, "reader@example.org")
    digest_plan(force=True)
    send_pending()
    delivery = Delivery.objects.get()
    page = editor_client.get(PREVIEW, {"edition": chile.pk, "email": "reader@example.org",
                                       "digest": delivery.digest_id}).content.decode()
    assert "as delivered (sent)" in page
    [received] = smtp.to("reader@example.org")
    sent_text = received.message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    shown = re.search(r'<pre class="wd-preview-text">(.*?)</pre>', page, re.S).group(1)
    assert unescape(shown).strip() == sent_text.strip()  # the very copy the reader got


def test_preview_refuses_an_unknown_reader(editor_client, site):
    page = editor_client.get(PREVIEW, {"edition": site[0].pk, "email": "nobody@example.org"})
    assert "nobody@example.org is not a subscriber of Chile Sun" in page.content.decode()


def test_a_test_copy_goes_through_the_real_relay_and_is_not_a_delivery(editor_client, site,
                                                                       smtp, settings):
    chile, _ = site
    make_confirmed(chile, "reader@example.org")
    query = f"?edition={chile.pk}&email=reader%40example.org"
    response = editor_client.post(PREVIEW + query, {"to": "editor@chilesun.example"},
                                  follow=True)
    assert "A test copy went to editor@chilesun.example" in response.content.decode()
    [copy] = smtp.to("editor@chilesun.example")
    assert copy.subject.startswith("[Test] Chile Sun daily: ")
    assert copy.mail_from == "news@wiredesk.example"
    text = copy.message.get_body(("plain",)).get_content()
    assert "Ministers meet in Santiago" in text
    # Its links unsubscribe no one: not the reader's token.
    assert "/digest/unsubscribe/test-copy" in text
    assert copy.message["List-Unsubscribe"].endswith("/digest/unsubscribe/test-copy>")
    assert not Delivery.objects.exists() and not Digest.objects.exists()
    assert Subscriber.objects.get().status == "confirmed"


def test_test_copies_are_rate_limited_per_editor(editor_client, site, smtp, settings):
    settings.WIREDESK_DIGEST_TEST_SEND_RATE = "2/h"
    url = f"{PREVIEW}?edition={site[0].pk}"
    for _ in range(2):
        editor_client.post(url, {"to": "editor@chilesun.example"})
    page = editor_client.post(url, {"to": "editor@chilesun.example"}, follow=True)
    assert "Test copies are limited to 2/h per editor" in page.content.decode()
    assert len(smtp.to("editor@chilesun.example")) == 2


def test_figures_per_send_and_their_chart(editor_client, site, smtp, settings):
    chile, _ = site
    settings.WIREDESK_DIGEST_MAX_ATTEMPTS = 5
    for address in ("a@example.org", "b@example.org", "c@example.org", "gone@example.org",
                    "slow@example.org"):
        make_confirmed(chile, address)
    smtp.reject("gone@example.org", "550 5.1.1 No such user")
    digest_plan(force=True)
    slow = Delivery.objects.get(email="slow@example.org")
    Delivery.objects.filter(pk=slow.pk).update(attempts=1)  # one 4xx before this run
    send_pending()
    a = Subscriber.objects.get(email="a@example.org")
    subscriber_unsubscribe(subscriber=a)
    # Reports that came back later: a hard bounce for b, a complaint (which unsubscribes,
    # and is counted as a complaint, not as leaving) for c.
    for address, kind in (("b@example.org", "hard"), ("c@example.org", "complaint")):
        BounceEvent.objects.create(kind=kind, source="mailbox", email=address,
                                   delivery=Delivery.objects.get(email=address),
                                   fingerprint=f"test-{address}")
    Subscriber.objects.filter(email="c@example.org").update(
        status="unsubscribed", unsubscribed_at=timezone.now())
    # An earlier day's send, for the line over time.
    earlier = Digest.objects.create(edition=chile,
                                    issue_date=Digest.objects.get().issue_date
                                    - timedelta(days=1))
    Delivery.objects.create(digest=earlier, subscriber=a, edition=chile, email=a.email,
                            state="sent", sent_at=timezone.now() - timedelta(days=1),
                            message_id="<old@x>", window_start=timezone.now(),
                            window_end=timezone.now())

    listing = editor_client.get("/admin/digest/digest/").content.decode()
    assert "Figures and chart" in listing
    page = editor_client.get(FIGURES, {"edition": chile.pk})
    assert page.status_code == 200
    html = page.content.decode()
    rows = re.findall(r"<tr><td>(\d{4}-\d\d-\d\d)</td><td>Chile Sun</td>(.*?)</tr>", html)
    assert len(rows) == 2
    latest = dict(re.findall(r'<td class="wd-fig-(\w+)">(\d+)</td>', rows[0][1]))
    assert latest == {"planned": "5", "sent": "4", "deferred": "1", "bounced": "2",
                      "complained": "1", "unsubscribed": "1"}
    older = dict(re.findall(r'<td class="wd-fig-(\w+)">(\d+)</td>', rows[1][1]))
    assert older["sent"] == "1" and older["unsubscribed"] == "0"
    volume, trouble = re.findall(r"<svg [^>]*class=\"wd-chart\".*?</svg>", html, re.S)
    for svg in (volume, trouble):
        assert "<script" not in svg and "style=" not in svg and "Chile Sun: the last 2 sends" \
            in svg
    assert 'class="wd-series-sent"' in volume and 'class="wd-series-bounced"' not in volume
    assert f"{rows[0][0]} Chile Sun: 4 sent" in volume
    assert f"{rows[1][0]} Chile Sun: 1 sent" in volume
    assert f"{rows[0][0]} Chile Sun: 2 bounced" in trouble
    assert f"{rows[0][0]} Chile Sun: 1 complained" in trouble
    assert f"{rows[0][0]} Chile Sun: 1 unsubscribed" in trouble
    # The admin's own list shows the same figures.
    assert re.search(r'<td class="field-fig_sent">4</td>', listing)


def test_the_chart_axis_and_labels_stay_readable():
    from datetime import date

    from wiredesk.digest.figures import SendRow, _axis, _label_indices, chart_svg

    assert _axis(0) == (5, 1) and _axis(4) == (5, 1) and _axis(1080) == (1250, 250)
    assert _axis(48) == (50, 10) and _axis(7) == (8, 2)
    assert _label_indices(20)[-2:] == [16, 19] and _label_indices(1) == [0]
    empty = chart_svg([], title="none")
    assert "No sends yet" in empty
    hostile = chart_svg([SendRow(date(2026, 12, 1), "<script>x</script>", 1, 1,
                                 {"sent": 3})], title="<b>t</b>")
    assert "<script>" not in hostile and "&lt;script&gt;" in hostile
