"""Building and sending digests through a real SMTP server: MIME, ledger, failures."""

import re
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
from django.utils import timezone

from tests.digest.conftest import ingest, make_confirmed, news_item
from wiredesk.digest.ledger import claim_batch, recover_stale_claims
from wiredesk.digest.models import Delivery, Subscriber
from wiredesk.digest.sending import send_pending
from wiredesk.digest.services import digest_plan
from wiredesk.digest.transport import RateLimiter

pytestmark = pytest.mark.django_db


def send_now(**kwargs):
    digest_plan(force=True)
    return send_pending(**kwargs)


def test_a_digest_comes_from_the_editions_own_sender(site, smtp):
    from email.headerregistry import Address

    from wiredesk.editions.services import edition_brand_set

    chile, _ = site
    edition_brand_set(chile, sender_name="Chile Sun newsroom",
                      sender_address="desk@chilesun.example")
    make_confirmed(chile, "reader@example.org")
    assert send_now().sent == 1
    [received] = smtp.to("reader@example.org")
    assert received.mail_from == "desk@chilesun.example"
    (sender,) = received.message["From"].addresses
    assert sender == Address("Chile Sun newsroom", addr_spec="desk@chilesun.example")
    assert received.message["List-Id"].endswith("<chile-sun.digest.chilesun.example>")


def test_digest_mime_structure_headers_and_content(client, site, smtp):
    chile, _ = site
    subscriber = make_confirmed(chile, "reader@example.org")
    report = send_now()
    assert report.sent == 1 and report.failed == 0
    [received] = smtp.to("reader@example.org")
    assert received.mail_from == "news@wiredesk.example"
    message = received.message
    delivery = Delivery.objects.get(subscriber=subscriber)

    assert message.get_content_type() == "multipart/alternative"
    parts = [p.get_content_type() for p in message.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    assert message["Message-ID"] == delivery.message_id
    assert re.fullmatch(r"<digest\.\d+\.\d+\.[0-9a-f]+@wiredesk\.example>", delivery.message_id)
    assert abs(parsedate_to_datetime(message["Date"]) - timezone.now()) < timedelta(minutes=1)
    assert message["To"] == "reader@example.org"
    assert "Chile Sun" in message["From"] and "news@wiredesk.example" in message["From"]
    assert message["Subject"].startswith("Chile Sun daily: Ministers meet in Santiago")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.fullmatch(r"<(https://chilesun\.example/digest/unsubscribe/\S+)>",
                               message["List-Unsubscribe"]).group(1)
    assert "chile-sun" in message["List-Id"]

    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for body in (text, html):
        assert "Chile Sun" in body
        for headline in ("Ministers meet in Santiago", "Floods close the coast road",
                         "Copper price climbs", "Cup final goes to extra time"):
            assert headline in body
        assert unsubscribe in body
        assert "https://chilesun.example/digest/preferences/" in body
    # Grouped by section, in the sections' order.
    assert html.index(">World<") < html.index(">Business<") < html.index(">Sport<")
    assert text.index("== WORLD ==") < text.index("== BUSINESS ==") < text.index("== SPORT ==")
    # Links go straight to the edition's article pages: nothing rewritten, no pixels.
    links = re.findall(r'href="([^"]+)"', html)
    story_links = [u for u in links if "/news/" in u]
    assert len(story_links) == 4
    assert all(re.fullmatch(r"https://chilesun\.example/news/\d+/[\w-]+", u)
               for u in story_links)
    assert "<img" not in html
    # CSS is inlined; the one style block is for small screens only.
    assert 'style="' in html and "@media only screen and (max-width: 620px)" in html
    assert re.sub(r"@media[^{]*\{(?:[^{}]*\{[^}]*\})*[^}]*\}", "", re.search(
        r"<style>(.*?)</style>", html, re.S).group(1)).strip() == ""

    # The header's URL works as RFC 8058 says: a POST unsubscribes, no login, no cookie.
    response = client.post(unsubscribe.replace("https://chilesun.example", ""),
                           data="List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded",
                           HTTP_HOST="chilesun.example")
    assert response.status_code == 200
    assert Subscriber.objects.get(pk=subscriber.pk).status == "unsubscribed"


def test_sections_of_interest_and_one_entry_per_story(site, smtp, tmp_path):
    from wiredesk.newsroom.models import Section

    _, euro = site
    # The same story from a second agency: one entry, not two.
    ingest(tmp_path, news_item("ani-1", "Copper price climbs", hours_ago=2.5,
                               category="Business"), agency="ANI", name="ani.rss")
    business = Section.objects.get(slug="business")
    make_confirmed(euro, "biz@example.org", section_ids=[business.pk])
    send_now()
    [received] = smtp.to("biz@example.org")
    html = received.message.get_body(("html",)).get_content()
    assert html.count("Copper price climbs</a>") == 1
    assert "Ministers meet" not in html and "Cup final" not in html


@pytest.mark.parametrize("pipelining", [False, True], ids=["one-by-one", "pipelined"])
def test_each_subscriber_gets_exactly_one_copy_however_often_we_send(site, smtp, pipelining):
    smtp.pipelining = pipelining  # the relay offers PIPELINING: MAIL, RCPT, DATA in one write
    chile, euro = site
    for n in range(3):
        make_confirmed(chile, f"c{n}@example.org")
    make_confirmed(euro, "e@example.org")
    first = send_now()
    second = send_now()
    third = send_pending()
    assert (first.sent, second.sent, third.sent) == (4, 0, 0)
    assert sorted(smtp.count_by_recipient().values()) == [1, 1, 1, 1]
    assert Delivery.objects.filter(state="sent").count() == 4


def test_nothing_new_means_no_digest(site, smtp):
    chile, _ = site
    subscriber = make_confirmed(chile, "quiet@example.org")
    send_now()
    assert len(smtp.to("quiet@example.org")) == 1
    # A day later nothing new has been published since that digest: no empty email.
    later = timezone.now() + timedelta(days=1)
    Subscriber.objects.filter(pk=subscriber.pk).update(next_due_at=later - timedelta(hours=1))
    report = digest_plan(now=later)
    assert report.planned == 0 and report.nothing_new == 1
    assert send_pending().sent == 0
    assert len(smtp.to("quiet@example.org")) == 1


def test_unsubscribed_between_plan_and_send_gets_nothing(site, smtp):
    from wiredesk.digest.services import subscriber_unsubscribe

    subscriber = make_confirmed(site[0], "gone@example.org")
    digest_plan(force=True)
    subscriber_unsubscribe(subscriber=subscriber)
    assert send_pending().sent == 0
    assert smtp.received == []


@pytest.mark.parametrize("pipelining", [False, True], ids=["one-by-one", "pipelined"])
def test_temporary_failures_are_retried_with_backoff(site, smtp, settings, pipelining):
    smtp.pipelining = pipelining  # the relay offers PIPELINING: MAIL, RCPT, DATA in one write
    make_confirmed(site[0], "retry@example.org")
    settings.WIREDESK_DIGEST_RETRY_BASE = 60
    smtp.fail_next(1, "451 4.7.1 Greylisted, try again")
    report = send_now()
    assert report.retry == 1 and report.sent == 0
    delivery = Delivery.objects.get()
    assert delivery.state == "pending" and delivery.attempts == 1 and delivery.smtp_code == 451
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=50)
    assert send_pending().sent == 0  # not due yet

    Delivery.objects.update(next_attempt_at=timezone.now())
    smtp.fail_next(1, "421 4.3.2 Service shutting down")
    second = send_pending()
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=110)  # doubled
    Delivery.objects.update(next_attempt_at=timezone.now())
    smtp.drop_next(1)  # the connection dies mid-DATA
    third = send_pending()
    Delivery.objects.update(next_attempt_at=timezone.now())
    fourth = send_pending()
    assert (second.retry, third.retry, fourth.sent) == (1, 1, 1)
    delivery.refresh_from_db()
    assert delivery.state == "sent" and delivery.attempts == 4
    assert len(smtp.to("retry@example.org")) == 1


@pytest.mark.parametrize("pipelining", [False, True], ids=["one-by-one", "pipelined"])
def test_retries_give_up_after_the_limit(site, smtp, settings, pipelining):
    smtp.pipelining = pipelining  # the relay offers PIPELINING: MAIL, RCPT, DATA in one write
    settings.WIREDESK_DIGEST_MAX_ATTEMPTS = 3
    make_confirmed(site[0], "never@example.org")
    smtp.fail_next(10)
    report = send_now()
    assert (report.retry, report.failed, report.sent) == (2, 1, 0)
    delivery = Delivery.objects.get()
    assert delivery.state == "failed" and delivery.last_error.startswith("gave up: 451")
    # A temporary failure is not a bounce.
    assert Subscriber.objects.get().status == "confirmed"


@pytest.mark.parametrize("pipelining", [False, True], ids=["one-by-one", "pipelined"])
def test_permanent_failures_bounce_the_address_after_the_threshold(site, smtp, settings,
                                                                   pipelining):
    smtp.pipelining = pipelining  # the relay offers PIPELINING: MAIL, RCPT, DATA in one write
    settings.WIREDESK_DIGEST_BOUNCE_THRESHOLD = 2
    chile, _ = site
    bad = make_confirmed(chile, "nobody@example.org")
    good = make_confirmed(chile, "somebody@example.org")
    # No enhanced status code: not plainly about the address (a 5.1.1 suppresses at
    # once, tests/digest/test_bounces.py), so it counts towards the threshold.
    smtp.reject("nobody@example.org", "550 <nobody@example.org>: no such user")
    report = send_now()
    assert (report.sent, report.failed, report.retry) == (1, 1, 0)
    bad.refresh_from_db()
    assert bad.status == "confirmed" and bad.bounce_count == 1
    assert "no such user" in bad.last_bounce_reason
    failed = Delivery.objects.get(subscriber=bad)
    assert failed.state == "failed" and failed.smtp_code == 550 and failed.attempts == 1

    # The next day's digest bounces too: the address is now bouncing and gets no more.
    from wiredesk.digest.models import Digest

    Digest.objects.update(issue_date=timezone.now().date() - timedelta(days=1))
    Subscriber.objects.update(last_window_end=timezone.now() - timedelta(days=2))
    send_now()
    bad.refresh_from_db()
    assert bad.status == "bouncing" and bad.bounce_count == 2
    plan = digest_plan(force=True)
    assert plan.planned == 0
    assert Delivery.objects.filter(subscriber=bad).count() == 2
    assert not Delivery.objects.filter(subscriber=bad, state="pending").exists()
    assert good.deliveries.filter(state="sent").count() == 2


@pytest.mark.parametrize("pipelining", [False, True], ids=["one-by-one", "pipelined"])
def test_one_connection_carries_several_messages(site, smtp, settings, pipelining):
    smtp.pipelining = pipelining  # the relay offers PIPELINING: MAIL, RCPT, DATA in one write
    settings.WIREDESK_DIGEST_MESSAGES_PER_CONNECTION = 2
    for n in range(5):
        make_confirmed(site[0], f"pool{n}@example.org")
    report = send_now()
    assert report.sent == 5
    assert report.connections == smtp.connections == 3
    # The sender writes MAIL, RCPT and DATA at once exactly when the relay offers it.
    from wiredesk.digest.transport import SmtpTransport

    with SmtpTransport.from_settings() as transport:
        assert transport.send("news@wiredesk.example", "pool0@example.org",
                              b"Subject: x\r\n\r\n.dot\r\n").ok
        assert transport._pipelining is pipelining
    assert smtp.last("pool0@example.org").data.endswith(b".dot\r\n")


def test_rate_limiter_spacing_and_hourly_quota():
    clock = [1000.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        clock[0] += seconds

    limiter = RateLimiter(per_second=10, per_hour=0, clock=lambda: clock[0], sleep=sleep)
    for _ in range(5):
        assert limiter.acquire()
    assert sum(slept) == pytest.approx(0.4)

    hourly = RateLimiter(per_second=0, per_hour=3, clock=lambda: clock[0], sleep=sleep,
                         sent_in_last_hour=[clock[0] - 3500])
    assert hourly.acquire() and hourly.acquire()
    assert not hourly.acquire()  # 3 in the last hour, counting the one sent before
    clock[0] += 101  # the old one leaves the window
    assert hourly.acquire()
    assert not hourly.acquire()


def test_hourly_quota_stops_the_run_and_leaves_the_rest_pending(site, smtp, settings):
    settings.WIREDESK_DIGEST_RATE_PER_HOUR = 2
    for n in range(3):
        make_confirmed(site[0], f"q{n}@example.org")
    report = send_now()
    assert report.sent == 2 and "hourly rate limit" in report.stopped
    assert Delivery.objects.filter(state="pending").count() == 1
    # The quota counts what was sent in the last hour by any run.
    assert send_pending().sent == 0
    assert len(smtp.received) == 2


def test_per_second_limit_paces_a_real_send(site, smtp, settings):
    import time

    settings.WIREDESK_DIGEST_RATE_PER_SECOND = 20
    for n in range(6):
        make_confirmed(site[0], f"pace{n}@example.org")
    digest_plan(force=True)
    started = time.monotonic()
    assert send_pending().sent == 6
    assert time.monotonic() - started >= 5 / 20  # five gaps of 50 ms at least


def test_two_senders_never_claim_the_same_delivery(site, smtp):
    for n in range(6):
        make_confirmed(site[0], f"two{n}@example.org")
    digest_plan(force=True)
    _, first = claim_batch(size=4)
    _, second = claim_batch(size=4)
    assert len(first) == 4 and len(second) == 2
    assert not {d.pk for d in first} & {d.pk for d in second}
    assert claim_batch(size=4)[1] == []


@pytest.mark.parametrize("policy", ["resend", "fail"])
def test_a_dead_senders_claim_is_recovered_by_the_rule(site, smtp, settings, policy):
    settings.WIREDESK_DIGEST_IN_FLIGHT_ON_CRASH = policy
    for n in range(4):
        make_confirmed(site[0], f"dead{n}@example.org")
    digest_plan(force=True)
    token, held = claim_batch(size=3)
    # Not stale yet: a live sender's claim is left alone.
    assert recover_stale_claims().returned == 0
    Delivery.objects.filter(claim_token=token).update(
        claimed_at=timezone.now() - timedelta(seconds=settings.WIREDESK_DIGEST_CLAIM_TIMEOUT + 1))
    report = recover_stale_claims()
    in_flight = Delivery.objects.get(pk=held[0].pk)
    assert report.returned == 2
    assert in_flight.resent_after_crash
    if policy == "resend":
        assert report.in_flight_resent == 1 and in_flight.state == "pending"
        assert send_pending().sent == 4
        resent = [r for r in smtp.received if held[0].email in r.rcpt_tos]
        assert resent[0].message["Message-ID"] == in_flight.message_id
    else:
        assert report.in_flight_failed == 1 and in_flight.state == "failed"
        assert send_pending().sent == 3
    assert max(smtp.count_by_recipient().values()) == 1


def test_recorded_times_read_back_exactly(site, smtp):
    subscriber = make_confirmed(site[0], "times@example.org")
    before = timezone.now()
    send_now()
    delivery = Delivery.objects.get()
    subscriber.refresh_from_db()
    assert before <= delivery.sent_at <= timezone.now()
    assert subscriber.last_window_end == delivery.window_end
    assert Delivery.objects.filter(sent_at__gte=before).count() == 1


def test_the_in_process_scheduler_job_sends_due_digests(site, smtp):
    from wiredesk import jobs

    make_confirmed(site[0], "morning@example.org")
    Subscriber.objects.update(next_due_at=timezone.now() - timedelta(minutes=1))
    job = next(j for j in jobs.default_jobs() if j.name == "send-digests")
    job.run()
    job.run()
    assert len(smtp.to("morning@example.org")) == 1


def test_console_style_backends_get_the_same_message(site, settings, mailoutbox):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.WIREDESK_DIGEST_RATE_PER_SECOND = 0
    make_confirmed(site[0], "demo@example.org")
    assert send_now().sent == 1
    [message] = mailoutbox
    built = message.message()
    assert built["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert built.get_content_type() == "multipart/alternative"


def test_sent_records_commit_without_waiting_for_the_disk_only_during_the_run(site, smtp):
    """On PostgreSQL the sending session turns synchronous_commit off, and only while it
    sends (a sender's crash still keeps every commit: the kill -9 test, run on both
    databases); SQLite's WAL commits are cheap already and nothing is changed there."""
    from django.db import connection

    from wiredesk.digest.sent_records import quick_commits

    def setting():
        if connection.vendor != "postgresql":
            return None
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    before = setting()
    with quick_commits():
        during = setting()
    assert setting() == before
    if connection.vendor == "postgresql":
        assert (before, during) == ("on", "off")
    else:
        assert during is None


def test_a_dead_senders_recorded_sends_reach_their_subscribers(site, smtp, settings):
    """A "sent" is one narrow record; the delivery's row and the subscriber's window
    follow once per batch (sent_records.note_sent). A sender that died in between leaves
    it to the recovery."""
    from wiredesk.digest.sent_records import record_sent

    for n in range(3):
        make_confirmed(site[0], f"noted{n}@example.org")
    digest_plan(force=True)
    token, held = claim_batch(size=3)
    now = timezone.now()
    for each in held[:2]:
        record_sent(each, token, now)
    # The process dies here: two sends recorded, their subscribers not yet noted.
    assert not Subscriber.objects.filter(last_window_end__isnull=False).exists()
    Delivery.objects.filter(claim_token=token).update(
        claimed_at=now - timedelta(seconds=settings.WIREDESK_DIGEST_CLAIM_TIMEOUT + 1))
    report = recover_stale_claims()
    assert report.in_flight_resent == 1 and report.returned == 0
    for each in held[:2]:
        subscriber = Subscriber.objects.get(pk=each.subscriber_id)
        delivery = Delivery.objects.get(pk=each.pk)
        assert (delivery.state, delivery.claim_token) == ("sent", "")
        assert subscriber.last_window_end == delivery.window_end
        assert subscriber.last_sent_at == delivery.sent_at
    assert Subscriber.objects.get(pk=held[2].subscriber_id).last_window_end is None
    assert send_pending().sent == 1
    assert sorted(smtp.count_by_recipient()) == [held[2].email]


@pytest.mark.parametrize("body", [b"a\r\n.b\r\n", b".lead\r\nx\r\n", b"no dots\r\n",
                                  b"end without a line end"])
def test_messages_built_with_crlf_go_out_as_any_message_would(body):
    from wiredesk.digest.render import CrlfMessage
    from wiredesk.digest.transport import _wire_data

    assert _wire_data(CrlfMessage(body)) == _wire_data(bytes(body))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("pipelining", [False, True], ids=["one-by-one", "pipelined"])
def test_each_sent_is_on_record_before_the_next_content_goes_out(site, smtp, settings,
                                                                  pipelining):
    """The crash rule, watched on the wire: when a message's content is written, every
    message before it in the run is already recorded as sent (committed: the test runs
    outside a transaction, as a real sender does). A record made after the next
    message's content went out fails here."""
    from wiredesk.digest.sent_records import sent_q
    from wiredesk.digest.transport import SmtpTransport

    smtp.pipelining = pipelining
    chile, _euro = site
    for n in range(5):
        make_confirmed(chile, f"c{n}@example.org")
    digest_plan(force=True)
    seen: list[tuple[int, int]] = []

    class Watched(SmtpTransport):
        def _connect(self):
            super()._connect()
            raw_send = self._smtp.send

            def send(payload):
                data = payload.encode() if isinstance(payload, str) else payload
                if data.endswith(b"\r\n.\r\n"):  # a message's content, not a command
                    seen.append((len(seen), Delivery.objects.filter(sent_q()).count()))
                return raw_send(payload)

            self._smtp.send = send

    report = send_pending(transport=Watched(host="127.0.0.1", port=smtp.port))
    assert report.sent == 5
    assert seen == [(n, n) for n in range(5)]
    assert Delivery.objects.filter(state="sent").count() == 5
