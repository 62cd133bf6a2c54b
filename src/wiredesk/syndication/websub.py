"""WebSub (W3C Recommendation): pinging the feeds' hub, and being a small hub ourselves.

When a feed changes, its hub must hear of it: the ``websub`` job reads the change stream
from its own position (like a partner), works out which feeds the changed articles are
in (each edition's feeds and its section feeds, RSS, Atom and JSON Feed, and its NINJS
and NewsML-G2 partner feeds) and keeps them
as ``PendingTopic`` rows, in the same transaction that moves its position. Then, for each:
with an outside hub (``WIREDESK_WEBSUB_HUB``) it POSTs ``hub.mode=publish&hub.url=<feed>``;
with our own (``own``, or this site's ``/websub/``), it sends the feed as it is now to
every active subscriber of it, signed with ``X-Hub-Signature: sha256=…`` when the
subscriber gave a secret. A topic whose hub could not be told stays pending and is tried
again on the next run (up to ``MAX_TOPIC_ATTEMPTS``). Story and tag feeds are not pinged.

Our hub (``POST /websub/``) takes ``hub.mode=subscribe|unsubscribe`` for this site's own
feeds only, answers 202, and verifies the subscriber's intent on the next run (or at
once on a Celery worker): ``GET <callback>?hub.mode=…&hub.topic=…&hub.challenge=…
&hub.lease_seconds=…``, which must answer 2xx with the challenge as its body. A
subscription lasts its lease (asked for, within 60 seconds and 30 days; default
``WIREDESK_WEBSUB_LEASE_SECONDS``); the subscriber renews by subscribing again before
it ends, and an expired one is dropped. Callbacks are outside addresses: every request to
them goes through the fetch rules (``WIREDESK_FETCH_ALLOW``).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from wiredesk.editions.links import edition_base_url, feed_path
from wiredesk.editions.models import Edition, Placement
from wiredesk.errors import WiredeskError
from wiredesk.newsroom.models import Article, Section
from wiredesk.publishing import changes
from wiredesk.publishing.changes import ChangesGone, Position
from wiredesk.publishing.feeds import FeedScope
from wiredesk.publishing.models import Change
from wiredesk.publishing.websub import hub_url, is_own_hub
from wiredesk.syndication import signing
from wiredesk.syndication.models import HubState, PendingTopic, Subscription
from wiredesk.wire import fetch as wire_fetch

log = logging.getLogger(__name__)

FEED_EXTENSIONS = ("rss", "atom", "json")
PARTNER_FEEDS = ("ninjs.json", "newsml.xml")
MIN_LEASE = 60
MAX_LEASE = 30 * 24 * 3600
MAX_TOPIC_ATTEMPTS = 10
MAX_PENDING_VERIFICATIONS = 1000
TIMEOUT = 10.0
PAGE = 500


class HubRefusal(WiredeskError):
    """A subscription request the hub does not take (answered 400 with this message)."""


@dataclass
class WebSubReport:
    pinged: int = 0
    distributed: int = 0
    verified: int = 0
    expired: int = 0
    failed: int = 0

    @property
    def nothing_done(self) -> bool:
        return not (self.pinged or self.distributed or self.verified or self.expired
                    or self.failed)

    def summary(self) -> str:
        return (f"pinged {self.pinged}; distributed {self.distributed}; verified "
                f"{self.verified}; expired {self.expired}; failed {self.failed}")


def _policy() -> wire_fetch.FetchPolicy:
    return wire_fetch.FetchPolicy(settings.WIREDESK_FETCH_ALLOW)


# --- which feeds -----------------------------------------------------------------------

def _sections_of(edition: Edition, everything: list[Section]) -> list[Section]:
    chosen = list(edition.sections.all())
    return chosen or everything


def edition_topics(edition: Edition, sections: list[Section]) -> list[str]:
    """The feeds of ``edition`` a change of one of its articles may change."""
    scopes = [FeedScope(edition=edition, section=None)]
    scopes += [FeedScope(edition=edition, section=s) for s in sections]
    # The partner feeds (NINJS, NewsML-G2) are the edition's own, never per section.
    partner_feeds = [edition_base_url(edition) + feed_path("", ext) for ext in PARTNER_FEEDS]
    return [scope.feed_url(ext) for scope in scopes for ext in FEED_EXTENSIONS] + partner_feeds


def known_topics() -> set[str]:
    """Every feed this hub takes subscriptions for: each edition's and section's."""
    everything = list(Section.objects.all())
    found: set[str] = set()
    for edition in Edition.objects.prefetch_related("sections"):
        found.update(edition_topics(edition, _sections_of(edition, everything)))
    return found


def topics_for(article_ids: list[int]) -> set[str]:
    """The feeds the articles are in now, or were in (a removal's edition row)."""
    editions_of: dict[int, set[int]] = {}
    for article_id, edition_id in Placement.objects.filter(
            article_id__in=article_ids).values_list("article_id", "edition_id"):
        editions_of.setdefault(article_id, set()).add(edition_id)
    for article_id, edition_id in Change.objects.filter(
            article_id__in=article_ids, edition_id__isnull=False).values_list(
            "article_id", "edition_id"):
        editions_of.setdefault(article_id, set()).add(edition_id)
    sections = dict(Article.objects.filter(pk__in=article_ids).values_list("pk", "section_id"))
    editions = Edition.objects.in_bulk({e for ids in editions_of.values() for e in ids})
    all_sections = Section.objects.in_bulk()
    found: set[str] = set()
    for article_id, edition_ids in editions_of.items():
        section = all_sections.get(sections.get(article_id))
        for edition_id in edition_ids:
            edition = editions.get(edition_id)
            if edition is not None:
                found.update(edition_topics(edition, [section] if section else []))
    return found


# --- the change stream -> pending topics ----------------------------------------------

def note_changed_feeds() -> int:
    """Keep the feeds changed since the last run as pending topics; how many."""
    noted = 0
    while True:
        with transaction.atomic():
            state, _ = HubState.objects.select_for_update().get_or_create(pk=1)
            if not state.cursor_epoch:  # the first run: from now on
                head, log_state = changes.head(), changes.log_state()
                HubState.objects.filter(pk=1).update(
                    cursor_txid=head.txid, cursor_id=head.id, cursor_epoch=log_state.epoch,
                    cursor_prunes=log_state.prunes)
                return noted
            position = Position(state.cursor_txid, state.cursor_id)
            try:
                changes.check_position(position, state.cursor_epoch, state.cursor_prunes)
                page = changes.changes_after(position, limit=PAGE)
            except ChangesGone:
                position, page = changes.head(), None
            log_state = changes.log_state()
            if page is not None:
                topics = topics_for([c.article_id for c in page.changed])
                PendingTopic.objects.bulk_create(
                    [PendingTopic(topic=t) for t in sorted(topics)], ignore_conflicts=True)
                noted += len(topics)
                position = page.end
            HubState.objects.filter(pk=1).update(
                cursor_txid=position.txid, cursor_id=position.id, cursor_epoch=log_state.epoch,
                cursor_prunes=log_state.prunes)
            if page is None or not page.more:
                return noted


# --- telling the hub -------------------------------------------------------------------

def ping_hub(topic: str) -> str:
    """Tell an outside hub that ``topic`` changed; "" when it took it, else why not."""
    body = urlencode({"hub.mode": "publish", "hub.url": topic}).encode()
    try:
        answer = wire_fetch.post(hub_url(), body,
                                 content_type="application/x-www-form-urlencoded",
                                 timeout=TIMEOUT, policy=_policy(),
                                 ca_bundle=settings.WIREDESK_PUSH_CA_BUNDLE)
    except wire_fetch.FetchError as exc:
        return str(exc)
    return "" if answer.ok else f"hub answered HTTP {answer.status}"


def render_topic(topic: str) -> tuple[int, bytes, str]:
    """The feed at ``topic`` as a reader would get it now: (status, body, content type).

    Rendered in this process through the whole site (middleware, page cache), on the
    feed's own host, so what subscribers get is exactly what the URL serves.
    """
    from django.test import Client

    parts = urlsplit(topic)
    client = Client(HTTP_HOST=parts.netloc, raise_request_exception=False)
    response = client.get(parts.path or "/", secure=parts.scheme == "https")
    body = b"".join(response) if response.streaming else response.content
    return response.status_code, body, response.get("Content-Type", "")


def distribute(topic: str, report: WebSubReport) -> str:
    """Send ``topic`` as it is now to each of its active subscribers."""
    now = timezone.now()
    subscribers = list(Subscription.objects.filter(topic=topic, state=Subscription.State.ACTIVE,
                                                   expires_at__gt=now))
    if not subscribers:
        return ""
    status, body, content_type = render_topic(topic)
    if status != 200:
        return f"the feed answered HTTP {status}"
    for subscription in subscribers:
        headers = {"Link": f'<{hub_url()}>; rel="hub", <{topic}>; rel="self"'}
        if subscription.secret:
            headers["X-Hub-Signature"] = signing.hub_signature(subscription.secret, body)
        error = ""
        try:
            answer = wire_fetch.post(subscription.callback, body, content_type=content_type,
                                     headers=headers, timeout=TIMEOUT, policy=_policy(),
                                     ca_bundle=settings.WIREDESK_PUSH_CA_BUNDLE)
            if answer.status == 410:
                subscription.state = Subscription.State.GONE
                error = "the subscriber answered 410 Gone: dropped"
            elif not answer.ok:
                error = f"the subscriber answered HTTP {answer.status}"
        except wire_fetch.FetchError as exc:
            error = str(exc)
        if error:
            report.failed += 1
        else:
            report.distributed += 1
            subscription.last_delivered_at = timezone.now()
        subscription.last_error = error
        subscription.save(update_fields=["state", "last_error", "last_delivered_at"])
    return ""


def tell_hub(report: WebSubReport) -> None:
    own = is_own_hub()
    for pending in PendingTopic.objects.order_by("pk"):
        error = distribute(pending.topic, report) if own else ping_hub(pending.topic)
        if not error:
            if not own:
                report.pinged += 1
            pending.delete()
            continue
        report.failed += 1
        pending.attempts += 1
        if pending.attempts >= MAX_TOPIC_ATTEMPTS:
            log.error("websub: gave up telling the hub of %s: %s", pending.topic, error)
            pending.delete()
            continue
        pending.last_error = error
        pending.save(update_fields=["attempts", "last_error"])
        HubState.objects.filter(pk=1).update(last_error=f"{pending.topic}: {error}"[:2000])


# --- our own hub: subscriptions --------------------------------------------------------

def subscription_request(*, mode: str, topic: str, callback: str, lease_seconds: str = "",
                         secret: str = "") -> Subscription:
    """A subscriber's (un)subscribe request, kept for verification of its intent."""
    if mode not in ("subscribe", "unsubscribe"):
        raise HubRefusal("hub.mode must be subscribe or unsubscribe")
    callback, topic = (callback or "").strip(), (topic or "").strip()
    if not wire_fetch.is_url(callback) or len(callback) > 1000 or not urlsplit(callback).hostname:
        raise HubRefusal("hub.callback must be an http(s) URL")
    if topic not in known_topics():
        raise HubRefusal("hub.topic is not a feed of this site "
                         "(edition, section and partner feeds)")
    if len(secret.encode()) > 200:
        raise HubRefusal("hub.secret must be less than 200 bytes")
    try:
        lease = int(lease_seconds) if lease_seconds else settings.WIREDESK_WEBSUB_LEASE_SECONDS
    except ValueError as exc:
        raise HubRefusal("hub.lease_seconds must be a number of seconds") from exc
    lease = max(MIN_LEASE, min(lease, MAX_LEASE))
    if Subscription.objects.exclude(pending_mode="").count() >= MAX_PENDING_VERIFICATIONS:
        raise HubRefusal("too many requests waiting for verification; try again later")
    subscription, created = Subscription.objects.get_or_create(
        topic=topic, callback=callback,
        defaults={"pending_mode": mode, "lease_seconds": lease, "secret": secret})
    if not created:
        subscription.pending_mode = mode
        if mode == "subscribe":
            # A renewal: the new lease and secret take effect once verified.
            subscription.lease_seconds, subscription.secret = lease, secret
        subscription.save(update_fields=["pending_mode", "lease_seconds", "secret"])
    return subscription


VERIFIED = ("subscribe verified", "unsubscribe verified")


def verify_intent(subscription_id: int) -> str:
    """Ask the subscriber whether it asked for this: a GET with a challenge to echo."""
    subscription = Subscription.objects.filter(pk=subscription_id).exclude(
        pending_mode="").first()
    if subscription is None:
        return "nothing to verify"
    mode = subscription.pending_mode
    challenge = secrets.token_urlsafe(24)
    query = {"hub.mode": mode, "hub.topic": subscription.topic, "hub.challenge": challenge}
    if mode == "subscribe":
        query["hub.lease_seconds"] = str(subscription.lease_seconds)
    joiner = "&" if urlsplit(subscription.callback).query else "?"
    error = ""
    try:
        answer = wire_fetch.fetch(subscription.callback + joiner + urlencode(query),
                                  timeout=TIMEOUT, max_bytes=4096, policy=_policy(),
                                  accept="text/plain, */*")
        if answer.body.decode("utf-8", "replace").strip() != challenge:
            error = "the callback did not echo the challenge: intent not verified"
    except wire_fetch.FetchError as exc:
        error = f"intent not verified: {exc}"
    now = timezone.now()
    subscription.pending_mode = ""
    subscription.last_error = error
    if not error and mode == "subscribe":
        subscription.state = Subscription.State.ACTIVE
        subscription.verified_at = now
        subscription.expires_at = now + timedelta(seconds=subscription.lease_seconds)
    elif not error:
        subscription.state = Subscription.State.GONE
        subscription.expires_at = now
    elif subscription.state == Subscription.State.PENDING:
        subscription.state = Subscription.State.GONE
    subscription.save()
    return error or f"{mode} verified"


def expire_subscriptions(now=None) -> int:
    return Subscription.objects.filter(state=Subscription.State.ACTIVE,
                                       expires_at__lte=now or timezone.now()).update(
        state=Subscription.State.GONE, last_error="lease expired without renewal")


# --- a run -----------------------------------------------------------------------------

def websub_run() -> WebSubReport:
    """Expire, verify, note the feeds that changed and tell the hub (or our subscribers)."""
    report = WebSubReport()
    report.expired = expire_subscriptions()
    for subscription_id in Subscription.objects.exclude(pending_mode="").values_list(
            "pk", flat=True):
        if verify_intent(subscription_id) in VERIFIED:
            report.verified += 1
    if not hub_url():
        return report
    note_changed_feeds()
    tell_hub(report)
    return report
