"""A server that drips a byte at a time is cut off at the fetch's time limit, wherever it
drips: in the body, in the headers, across redirects."""

from __future__ import annotations

import time

import pytest

from tests.security.attacker import Attacker
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Feed
from wiredesk.wire.fetch import FetchError, FetchPolicy, fetch

LOOPBACK = FetchPolicy(["127.0.0.1"])
BUDGET = 1.0
# The limit plus scheduling slack on a loaded machine; far below a drip's 20 s.
WORST = BUDGET + 1.0

BODY_HEAD = (b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n\r\n"
             b'<?xml version="1.0"?><rss version="2.0"><channel><title>drip</title>')


def _timed(call):
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        call()
    return time.monotonic() - started, str(caught.value)


@pytest.mark.django_db
def test_a_slow_drip_feed_fails_at_the_time_limit_and_says_so(attacker, settings):
    attacker.routes["/drip.rss"] = Attacker.drip(BODY_HEAD, every=0.2)
    settings.WIREDESK_FETCH_TIMEOUT = BUDGET
    feed = services.feed_add(source=f"{attacker.url}/drip.rss",
                             agency=services.agency_ensure(code="DRIP"))
    started = time.monotonic()
    report = services.feed_poll(feed, force=True)
    elapsed = time.monotonic() - started
    feed.refresh_from_db()
    assert elapsed < WORST, elapsed
    assert feed.last_status == Feed.Status.ERROR
    assert feed.last_error.startswith("gave up after 1s, the time limit for one fetch")
    assert report.errors == [feed.last_error]


def test_dripping_headers_are_cut_off_too(attacker):
    attacker.routes["/headers"] = Attacker.drip(b"HTTP/1.1 200 OK\r\nX-Drip: ", every=0.2)
    elapsed, message = _timed(lambda: fetch(f"{attacker.url}/headers", timeout=BUDGET,
                                            policy=LOOPBACK))
    assert elapsed < WORST and "gave up after 1s" in message


def test_a_drip_with_a_declared_length_is_cut_off(attacker):
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n<rss>"
    attacker.routes["/sized"] = Attacker.drip(head, every=0.2)
    elapsed, message = _timed(lambda: fetch(f"{attacker.url}/sized", timeout=BUDGET,
                                            policy=LOOPBACK))
    assert elapsed < WORST and "gave up after 1s" in message


def test_the_limit_covers_every_redirect_hop(attacker):
    # Each hop answers at once but waits first; together they pass the limit.
    def slow_redirect(handler):
        time.sleep(0.4)
        Attacker.redirect("/hop")(handler)

    attacker.routes["/hop"] = slow_redirect
    elapsed, message = _timed(lambda: fetch(f"{attacker.url}/hop", timeout=BUDGET,
                                            policy=LOOPBACK))
    assert elapsed < WORST and "gave up after 1s" in message


def test_a_fast_body_is_unaffected(attacker):
    attacker.routes["/fast"] = Attacker.page(BODY_HEAD.split(b"\r\n\r\n")[1] * 2000,
                                             "application/rss+xml")
    result = fetch(f"{attacker.url}/fast", timeout=BUDGET, policy=LOOPBACK)
    assert result.status == 200 and len(result.body) > 100_000
