"""Writes to the newsroom: agencies, feeds, ingest, kills. Views, CLI and tasks call these."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from wiredesk.newsroom.models import Agency, Article, Feed, Revision, Section
from wiredesk.wire import fetch as wire_fetch
from wiredesk.wire.pipeline import process
from wiredesk.wire.sections import section_for
from wiredesk.wire.types import CleanItem, WireError

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=6)


@dataclass
class IngestReport:
    source: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    not_modified: bool = False
    errors: list[str] = field(default_factory=list)

    @property
    def seen(self) -> int:
        return self.created + self.updated + self.unchanged + self.skipped

    def summary(self) -> str:
        if self.not_modified:
            return f"{self.source}: not modified"
        text = (f"{self.source}: {self.created} new, {self.updated} updated, "
                f"{self.unchanged} unchanged")
        if self.skipped:
            text += f", {self.skipped} skipped"
        if self.errors:
            text += f", {len(self.errors)} error(s): {self.errors[0]}"
        return text


class ServiceError(Exception):
    """A request an operator made that cannot be carried out; the message says why."""


# --- agencies, sections, feeds ---------------------------------------------------------

def agency_ensure(*, code: str, name: str = "", time_zone: str = "") -> Agency:
    code = code.strip().upper()
    if not code or len(code) > 32:
        raise ServiceError("an agency code is 1 to 32 characters, e.g. RFE")
    agency, created = Agency.objects.get_or_create(
        code=code, defaults={"name": name or code, "time_zone": time_zone or "UTC"})
    changed = False
    if not created and name and agency.name != name:
        agency.name, changed = name, True
    if not created and time_zone and agency.time_zone != time_zone:
        agency.time_zone, changed = time_zone, True
    if changed:
        agency.save()
    return agency


def section_ensure(*, slug: str, name: str = "", aliases: str = "",
                   position: int = 100) -> Section:
    slug = slugify(slug)
    section, _created = Section.objects.get_or_create(
        slug=slug, defaults={"name": name or slug.title(), "aliases": aliases,
                             "position": position})
    return section


def feed_add(*, source: str, agency: Agency, every: timedelta | None = None,
             title: str = "") -> Feed:
    source = source.strip()
    if not source:
        raise ServiceError("a feed needs a URL or a path")
    if not wire_fetch.is_url(source):
        from pathlib import Path

        path = Path(source).expanduser().resolve()
        if not path.is_file():
            raise ServiceError(f"no such file: {source}")
        source = str(path)
    if every is not None and every < timedelta(minutes=1):
        raise ServiceError("the poll interval must be at least one minute")
    feed, created = Feed.objects.get_or_create(
        source=source,
        defaults={"agency": agency, "poll_interval": every or timedelta(minutes=10),
                  "title": title})
    if not created:
        feed.agency = agency
        if every is not None:
            feed.poll_interval = every
        feed.enabled = True
        feed.save(update_fields=["agency", "poll_interval", "enabled"])
    return feed


# --- ingest ----------------------------------------------------------------------------

def _section_rules() -> dict[str, list[str]]:
    return {s.slug: s.alias_list() for s in Section.objects.all()}


def _apply(article: Article, item: CleanItem, section: Section | None) -> None:
    article.headline = item.headline[:500]
    article.slug = slugify(item.headline)[:100] or "item"
    article.lead = item.lead
    article.teaser = item.teaser
    article.body_html = item.body_html
    article.byline = item.byline[:300]
    article.dateline = item.dateline[:300]
    article.credit = item.credit[:300]
    article.image_url = item.image_url[:1000]
    article.image_caption = item.image_caption
    article.image_credit = item.image_credit[:300]
    article.categories = item.categories[:50]
    article.guid = item.guid
    article.canonical_url = item.canonical_url[:1000]
    article.fingerprint = item.fingerprint
    article.flags = item.flags
    if section is not None or article.section_id is None:
        article.section = section
    article.source_updated_at = item.updated
    article.embargo_until = item.embargo_until


def store_item(item: CleanItem, *, agency: Agency, feed: Feed | None = None,
               section_rules: dict[str, list[str]] | None = None) -> str:
    """Store one clean item in its own transaction. Returns created/updated/unchanged/skipped.

    Idempotent: the same item stored twice changes nothing the second time.
    """
    rules = section_rules if section_rules is not None else _section_rules()
    slug = section_for(item.categories, rules)
    section = Section.objects.filter(slug=slug).first() if slug else None
    with transaction.atomic():
        existing = (Article.objects.select_for_update()
                    .filter(agency=agency, identity=item.identity).first())
        if existing is None:
            article = Article(agency=agency, feed=feed, identity=item.identity,
                              published_at=item.published or timezone.now(),
                              version=item.version or 1)
            _apply(article, item, section)
            try:
                with transaction.atomic():
                    article.save()
            except IntegrityError:
                # Another poller stored the same item a moment ago: that copy wins.
                return "unchanged"
            _enrich(article, created=True)
            from wiredesk.editions.services import place_article

            place_article(article)
            return "created"
        if existing.status == Article.Status.KILLED:
            return "skipped"  # a killed item is never resurrected by the next poll
        if item.version and existing.version and item.version < existing.version:
            return "skipped"  # an older version arriving late
        if existing.fingerprint == item.fingerprint:
            return "unchanged"
        Revision.objects.create(
            article=existing, version=existing.version, headline=existing.headline,
            lead=existing.lead, body_html=existing.body_html, byline=existing.byline,
            fingerprint=existing.fingerprint, source_updated_at=existing.source_updated_at)
        _apply(existing, item, section)
        existing.version = max(existing.version + 1, item.version or 0)
        existing.save()
        _enrich(existing, created=False)
        from wiredesk.editions.services import place_article

        place_article(existing)
        return "updated"


def _enrich(article: Article, *, created: bool) -> None:
    """Story intelligence (duplicates, story, related, section); never costs the item itself."""
    from wiredesk.newsroom.intelligence import enrich_article

    try:
        with transaction.atomic():
            enrich_article(article, created=created)
    except Exception:
        log.exception("story intelligence failed for article %s; stored without it", article.pk)
        article.refresh_from_db()  # the step's changes were rolled back: place what is stored


def ingest_bytes(data: bytes, *, agency: Agency, source: str, feed: Feed | None = None,
                 content_type: str = "") -> IngestReport:
    report = IngestReport(source=source)
    result = process(data, zone=agency.time_zone, base_url=source if
                     wire_fetch.is_url(source) else "", content_type=content_type,
                     trust_guid=agency.trust_guids)
    report.errors.extend(result.errors)
    if feed is not None and result.format and feed.format != result.format:
        feed.format = result.format
        if result.title and not feed.title:
            feed.title = result.title[:300]
    rules = _section_rules()
    for item in result.items:
        try:
            outcome = store_item(item, agency=agency, feed=feed, section_rules=rules)
        except Exception as exc:
            log.exception("storing item %s from %s failed", item.identity, source)
            report.errors.append(f"{item.headline[:60]!r}: {type(exc).__name__}: {exc}")
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def ingest_source(source: str, *, agency: Agency | None = None) -> IngestReport:
    """One-shot ingest of a URL or path. A known feed is polled as such (its state is kept)."""
    if not wire_fetch.is_url(source):
        from pathlib import Path

        source = str(Path(source).expanduser().resolve())
    feed = Feed.objects.filter(source=source).select_related("agency").first()
    if feed is not None and agency is None:
        return feed_poll(feed, force=True)
    if agency is None:
        raise ServiceError(f"{source} is not a known feed: say which agency with --agency")
    from django.conf import settings

    try:
        fetched = wire_fetch.fetch(source, timeout=settings.WIREDESK_FETCH_TIMEOUT,
                                   max_bytes=settings.WIREDESK_FETCH_MAX_BYTES)
        return ingest_bytes(fetched.body, agency=agency, source=source, feed=feed,
                            content_type=fetched.content_type)
    except WireError as exc:
        report = IngestReport(source=source)
        report.errors.append(str(exc))
        return report


def _backoff(feed: Feed, retry_after: timedelta | None) -> timedelta:
    delay = feed.poll_interval * (2 ** min(feed.error_count, 10))
    delay = min(delay, MAX_BACKOFF)
    if retry_after is not None:
        delay = max(delay, min(retry_after, timedelta(days=1)))
    return delay


def feed_poll(feed: Feed, *, force: bool = False, now: datetime | None = None) -> IngestReport:
    """Poll one feed: fetch (conditionally), ingest, and record how it went on the Feed."""
    from django.conf import settings

    now = now or timezone.now()
    report = IngestReport(source=feed.source)
    feed.last_polled_at = now
    try:
        fetched = wire_fetch.fetch(
            feed.source,
            etag="" if force else feed.etag,
            last_modified="" if force else feed.last_modified,
            timeout=settings.WIREDESK_FETCH_TIMEOUT,
            max_bytes=settings.WIREDESK_FETCH_MAX_BYTES)
        if fetched.not_modified:
            report.not_modified = True
            feed.last_status = Feed.Status.NOT_MODIFIED
        else:
            report = ingest_bytes(fetched.body, agency=feed.agency, source=feed.source,
                                  feed=feed, content_type=fetched.content_type)
            feed.etag = fetched.etag[:500]
            feed.last_modified = fetched.last_modified[:100]
            feed.last_status = Feed.Status.OK
        feed.last_success_at = now
        feed.error_count = 0
        feed.next_poll_at = now + feed.poll_interval
        if report.errors:
            feed.last_error = "; ".join(report.errors)[:4000]
            feed.last_error_at = now
        else:
            feed.last_error = ""
    except WireError as exc:
        report.errors.append(str(exc))
        feed.last_status = Feed.Status.ERROR
        feed.last_error = str(exc)[:4000]
        feed.last_error_at = now
        feed.error_count += 1
        retry_after = getattr(exc, "retry_after", None)
        feed.next_poll_at = now + _backoff(feed, retry_after)
        log.warning("feed %s failed: %s (next try %s)", feed.source, exc, feed.next_poll_at)
    feed.items_seen += report.seen
    feed.items_created += report.created
    feed.items_updated += report.updated
    feed.save()
    return report


def poll_due_feeds(*, now: datetime | None = None) -> list[IngestReport]:
    now = now or timezone.now()
    due = Feed.objects.filter(enabled=True, next_poll_at__lte=now).select_related("agency")
    return [feed_poll(feed, now=now) for feed in due.order_by("next_poll_at")]


# --- editorial actions -----------------------------------------------------------------

def article_kill(*, article: Article, reason: str) -> Article:
    """Withdraw an article everywhere at once; its revisions stay for the record."""
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        article.status = Article.Status.KILLED
        article.status_reason = reason.strip()[:2000]
        article.save(update_fields=["status", "status_reason", "modified_at"])
        from wiredesk.newsroom.intelligence import article_withdrawn

        article_withdrawn(article)
    return article


def article_hold(*, article: Article, reason: str = "") -> Article:
    article.status = Article.Status.HELD
    article.status_reason = reason.strip()[:2000]
    article.save(update_fields=["status", "status_reason", "modified_at"])
    return article


def article_release(*, article: Article) -> Article:
    if article.status == Article.Status.KILLED:
        raise ServiceError("a killed article cannot be released")
    article.status = Article.Status.PUBLISHED
    article.status_reason = ""
    article.save(update_fields=["status", "status_reason", "modified_at"])
    return article
