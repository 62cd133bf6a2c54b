"""Celery tasks for the newsroom: thin wrappers that take ids and call services."""

from __future__ import annotations

import logging

from celery import shared_task

from wiredesk.locks import single_flight

log = logging.getLogger(__name__)


@shared_task(name="newsroom.poll_feed", acks_late=True, ignore_result=True)
def poll_feed(feed_id: int) -> str:
    from wiredesk.newsroom.models import Feed
    from wiredesk.newsroom.services import feed_poll

    # A poll of one feed never runs twice at once (overlapping beats, retries).
    with single_flight(f"poll-feed:{feed_id}", ttl=600) as acquired:
        if not acquired:
            return "already running"
        feed = Feed.objects.select_related("agency").filter(pk=feed_id, enabled=True).first()
        if feed is None:
            return "no such feed"
        return feed_poll(feed).summary()


@shared_task(name="newsroom.poll_due_feeds", ignore_result=True)
def poll_due_feeds() -> int:
    from django.utils import timezone

    from wiredesk.newsroom.models import Feed

    due = list(Feed.objects.filter(enabled=True, next_poll_at__lte=timezone.now())
               .values_list("pk", flat=True))
    for feed_id in due:
        poll_feed.delay(feed_id)
    return len(due)
