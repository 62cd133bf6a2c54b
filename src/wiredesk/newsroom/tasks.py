"""Celery tasks for the newsroom: thin wrappers that take ids and call services.

Each periodic job of ``core.taskqueue.PERIODIC`` is one of these (or of another app's
``tasks``), run by Celery beat with a broker and by ``jobs.py`` without one.

Polling at scale:

- ``poll_due_feeds`` (Celery beat, every few seconds) queues each feed whose own
  ``next_poll_at`` has come, claiming it first (``next_poll_at`` moves on by
  ``WIREDESK_POLL_LEASE`` seconds) so the next beat does not queue it again while it
  waits in the queue; if the task is lost (a worker killed) the lease runs out and the
  feed is due again.
- ``poll_feed`` never runs twice at once for one feed (a lock with expiry), and polls
  at most ``WIREDESK_POLL_PER_HOST`` feeds of one host at a time: when the host's
  places are taken it re-queues itself with a short countdown and frees the worker,
  so one slow agency cannot hold every worker while other agencies wait.
"""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from celery import shared_task

from wiredesk.core.locks import one_of_slots, single_flight

log = logging.getLogger(__name__)

HOST_BUSY_COUNTDOWN = (1.0, 3.0)  # seconds before a deferred poll is tried again


def feed_host(source: str) -> str:
    """The host a feed is fetched from (host:port): a web server, FTP server or mailbox
    server alike; "" for a local file or folder."""
    from wiredesk.wire.sources import host_of

    return host_of(source)


@shared_task(name="newsroom.poll_feed", acks_late=True, ignore_result=True)
def poll_feed(feed_id: int) -> str:
    from django.conf import settings

    from wiredesk.core import metrics
    from wiredesk.newsroom.models import Feed
    from wiredesk.newsroom.services import feed_poll

    feed = Feed.objects.select_related("agency").filter(pk=feed_id, enabled=True).first()
    if feed is None:
        return "no such feed"
    # A poll of one feed never runs twice at once (overlapping beats, retries).
    # The lock expires with the lease, so a killed poll holds its feed no longer than
    # the schedule would wait anyway. Should a poll outlive it, a second one is still
    # safe: storing an item is idempotent under the (agency, identity) constraint.
    lease = settings.WIREDESK_POLL_LEASE
    with single_flight(f"poll-feed:{feed_id}", ttl=lease) as acquired:
        if not acquired:
            return "already running"
        host = feed_host(feed.source)
        limit = settings.WIREDESK_POLL_PER_HOST
        if not host or limit <= 0:
            return feed_poll(feed).summary()
        with one_of_slots(f"poll-host:{host}", slots=limit, ttl=lease) as slot:
            if slot:
                return feed_poll(feed).summary()
    metrics.increment("feed_polls_deferred_total")
    poll_feed.apply_async((feed_id,), countdown=random.uniform(*HOST_BUSY_COUNTDOWN))
    log.info("feed %s deferred: %s is polling %s feeds already", feed_id, host, limit,
             extra={"event": "feed_poll_deferred", "feed_id": feed_id, "host": host})
    return "host busy, re-queued"


@shared_task(name="newsroom.poll_due_feeds", ignore_result=True)
def poll_due_feeds() -> int:
    """With a broker, queue a ``poll_feed`` per due feed; without one, poll them here."""
    from django.conf import settings
    from django.utils import timezone

    from wiredesk.core.taskqueue import broker_configured
    from wiredesk.newsroom.models import Feed

    if not broker_configured():
        return _poll_due_here()
    now = timezone.now()
    lease = timedelta(seconds=settings.WIREDESK_POLL_LEASE)
    due = list(Feed.objects.filter(enabled=True, next_poll_at__lte=now)
               .order_by("next_poll_at").values_list("pk", "next_poll_at"))
    queued = 0
    for feed_id, due_at in due:
        # Claim: only the beat that moves next_poll_at queues the poll.
        claimed = Feed.objects.filter(pk=feed_id, next_poll_at=due_at).update(
            next_poll_at=now + lease)
        if claimed:
            poll_feed.delay(feed_id)
            queued += 1
    return queued


def _poll_due_here() -> int | str:
    from wiredesk.core.taskqueue import Idle
    from wiredesk.newsroom.services import poll_due_feeds as poll_due

    reports = poll_due()
    for report in reports:
        log.log(logging.DEBUG if report.nothing_new else logging.INFO,
                "poll %s", report.summary())
    if reports and all(report.nothing_new for report in reports):
        return Idle(f"{len(reports)} feed(s) polled, nothing new")
    return len(reports)


@shared_task(name="newsroom.enrich_due", ignore_result=True)
def enrich_due() -> str:
    """Story intelligence for the articles stored since (WIREDESK_INTELLIGENCE=deferred):
    one process at a time, in the order they were stored."""
    from wiredesk.core.taskqueue import Idle
    from wiredesk.newsroom.services.enrichment import enrich_due as enrich

    run = enrich()
    return run.summary() if run.enriched else Idle(run.summary())


@shared_task(name="newsroom.retrain_sections", ignore_result=True)
def retrain_sections() -> str:
    from wiredesk.newsroom.intelligence import sections_train

    try:
        model = sections_train()
    except ValueError as exc:  # fewer than two labelled sections yet: nothing to learn
        return f"sections not retrained ({exc})"
    return f"sections retrained on {model.trained_on} articles"


@shared_task(name="newsroom.fetch_pictures", ignore_result=True)
def fetch_pictures() -> str:
    """The pictures ingest recorded, fetched and stored a batch at a time. Safe to run on
    several workers at once: each picture is claimed before it is fetched."""
    from wiredesk.core.taskqueue import Idle
    from wiredesk.newsroom.services import pictures_fetch_due

    report = pictures_fetch_due()
    return report.summary() if report.done else Idle("no picture to fetch")


@shared_task(name="newsroom.publish_scheduled", ignore_result=True)
def publish_scheduled() -> str:
    """What the desk scheduled and is due: published or unpublished, each exactly once
    (safe on several workers at once: each schedule is claimed in its own transaction)."""
    from wiredesk.core.taskqueue import Idle
    from wiredesk.newsroom.services import publish_scheduled as carry_out_due

    report = carry_out_due()
    return report.summary() if report.done else Idle("nothing scheduled is due")
