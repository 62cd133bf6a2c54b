"""/metrics in the Prometheus text exposition format (version 0.0.4).

Two kinds of figures: event counters from ``wiredesk.core.metrics`` (shared by every
process through Redis or the database), and gauges computed from database state at
scrape time (articles, feeds, overdue polls), which need no counting at all.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.apps import apps
from django.db.models import Count, Min, Sum
from django.utils import timezone

from wiredesk.core import metrics

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{k}="{_escape(str(v))}"' for k, v in labels.items()) + "}"


class Exposition:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def family(self, name: str, kind: str, help_text: str,
               samples: Iterable[tuple[dict[str, str], float]]) -> None:
        self.lines.append(f"# HELP {name} {help_text}")
        self.lines.append(f"# TYPE {name} {kind}")
        for labels, value in samples:
            number = int(value) if float(value).is_integer() else value
            self.lines.append(f"{name}{_labels(labels)} {number}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _event_counters(out: Exposition) -> None:
    try:
        values = metrics.counters()
    except Exception as exc:
        log.warning("metrics: counters unavailable: %s", exc)
        values = {}
    names = dict(metrics.KNOWN_COUNTERS)
    if not apps.is_installed("wiredesk.digest"):
        names.pop("digest_sends_total")
    for name in sorted(set(names) | set(values)):
        help_text = names.get(name, "Counted by wiredesk.core.metrics.increment.")
        out.family(f"wiredesk_{name}", "counter", help_text, [({}, values.get(name, 0))])


def _state_gauges(out: Exposition) -> None:
    from wiredesk.newsroom.models import Article, Feed

    by_status = dict(Article.objects.order_by().values_list("status")
                     .annotate(n=Count("pk")).values_list("status", "n"))
    out.family("wiredesk_articles", "gauge", "Stored articles by status.",
               [({"status": s}, by_status.get(s, 0)) for s in Article.Status.values])

    feed_rows = (Feed.objects.order_by().values("agency__code")
                 .annotate(seen=Sum("items_seen"), created=Sum("items_created"),
                           failing=Count("pk", filter=_failing_q())))
    rows = list(feed_rows)
    out.family("wiredesk_feed_items_seen", "counter",
               "Items read from feeds, by agency (kept on the feeds).",
               [({"agency": r["agency__code"]}, r["seen"] or 0) for r in rows])
    out.family("wiredesk_feed_items_created", "counter",
               "Articles created from feeds, by agency (kept on the feeds).",
               [({"agency": r["agency__code"]}, r["created"] or 0) for r in rows])
    out.family("wiredesk_feeds_failing", "gauge",
               "Enabled feeds whose last poll failed, by agency.",
               [({"agency": r["agency__code"]}, r["failing"]) for r in rows])
    oldest = Feed.objects.filter(enabled=True).aggregate(m=Min("next_poll_at"))["m"]
    overdue = max(0.0, (timezone.now() - oldest).total_seconds()) if oldest else 0.0
    out.family("wiredesk_feed_poll_overdue_seconds", "gauge",
               "How late the most overdue feed poll is (grows if polling is stuck).",
               [({}, round(overdue, 1))])
    from wiredesk.newsroom.models import EnrichmentDue

    due = EnrichmentDue.objects.aggregate(n=Count("pk"), oldest=Min("stored_at"))
    waited = (timezone.now() - due["oldest"]).total_seconds() if due["oldest"] else 0.0
    out.family("wiredesk_intelligence_backlog", "gauge",
               "Stored articles waiting for story intelligence (WIREDESK_INTELLIGENCE=deferred).",
               [({}, due["n"])])
    out.family("wiredesk_intelligence_lag_seconds", "gauge",
               "How long the oldest article waiting for story intelligence has waited.",
               [({}, round(max(0.0, waited), 1))])


def _wire_health(out: Exposition) -> None:
    """Per feed: silent or not, items in the last 24 h and usually, the last success.
    An alert rule on ``wiredesk_feed_silent == 1`` is the page's alert."""
    from wiredesk.ops.wire_health import feed_health

    report = feed_health()

    def labels(h) -> dict[str, str]:
        return {"feed": h.name, "feed_id": str(h.feed.pk), "agency": h.feed.agency.code}

    out.family("wiredesk_feed_silent", "gauge",
               "1 if the feed has gone longer than its usual gap without an item.",
               [(labels(h), 1 if h.silent else 0) for h in report])
    out.family("wiredesk_feed_items_24h", "gauge", "New items from the feed in the last 24 h.",
               [(labels(h), h.items_24h) for h in report])
    out.family("wiredesk_feed_usual_items_per_day", "gauge",
               "The feed's median items per day over the previous 14 days.",
               [(labels(h), round(h.usual_per_day, 2)) for h in report
                if h.usual_per_day is not None])
    out.family("wiredesk_feed_usual_gap_seconds", "gauge",
               "How long the feed usually goes without an item (its idle time).",
               [(labels(h), h.usual_gap.total_seconds()) for h in report if h.usual_gap])
    out.family("wiredesk_feed_last_item_timestamp_seconds", "gauge",
               "When the feed's last new item arrived (Unix time; absent if not in 15 days).",
               [(labels(h), h.last_arrival.timestamp()) for h in report if h.last_arrival])
    out.family("wiredesk_feed_last_success_timestamp_seconds", "gauge",
               "When the feed was last polled without error (Unix time).",
               [(labels(h), h.feed.last_success_at.timestamp()) for h in report
                if h.feed.last_success_at])


def _failing_q():
    from django.db.models import Q

    return Q(enabled=True, error_count__gt=0)


def _queue(out: Exposition) -> None:
    from wiredesk.ops.checks import queue_depth

    try:
        depths = queue_depth()
    except Exception as exc:
        log.warning("metrics: broker unavailable for queue depth: %s", exc)
        out.family("wiredesk_broker_up", "gauge", "1 if the broker answered.", [({}, 0)])
        return
    if not depths:
        return
    out.family("wiredesk_broker_up", "gauge", "1 if the broker answered.", [({}, 1)])
    out.family("wiredesk_queue_depth", "gauge", "Tasks waiting in the broker, by queue.",
               [({"queue": q}, n) for q, n in depths.items()])


def render() -> str:
    out = Exposition()
    out.family("wiredesk_up", "gauge", "1 while this process answers.", [({}, 1)])
    out.family("wiredesk_metrics_store_info", "gauge",
               "Where event counters are kept (redis or database).",
               [({"store": metrics.store_name()}, 1)])
    _event_counters(out)
    _state_gauges(out)
    _wire_health(out)
    _queue(out)
    return out.text()
