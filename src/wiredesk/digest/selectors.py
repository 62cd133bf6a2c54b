"""Reads for the digest: which stories go into one, how the ledger stands, the archive."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils.translation import gettext

from wiredesk.digest.clock import Clock
from wiredesk.digest.models import ArchiveIssue, Delivery, Subscriber
from wiredesk.digest.sent_records import sent_q
from wiredesk.editions.links import article_path
from wiredesk.editions.models import Edition
from wiredesk.editions.pictures import fallback, picture_alt
from wiredesk.editions.selectors import edition_articles
from wiredesk.newsroom.models import Article

_WORDS = re.compile(r"\w+")


def story_keys(article: Article) -> list[tuple]:
    """Every key under which two articles count as the same story in one digest.

    When articles carry a story cluster (``article.story_id``), that is the key; until
    then the identity, the canonical URL and the headline's words stand in for it.
    """
    story_id = getattr(article, "story_id", None)
    if story_id:
        return [("story", story_id)]
    keys: list[tuple] = [("identity", article.agency_id, article.identity)]
    if article.canonical_url:
        keys.append(("url", article.canonical_url))
    words = " ".join(_WORDS.findall(article.headline.lower()))
    if words:
        keys.append(("headline", words))
    return keys


def one_per_story(articles: Iterable[Article]) -> list[Article]:
    """The first (top) article of each story, in the given order."""
    seen: set[tuple] = set()
    kept = []
    for article in articles:
        keys = story_keys(article)
        if any(key in seen for key in keys):
            continue
        seen.update(keys)
        kept.append(article)
    return kept


def _candidates(edition: Edition) -> QuerySet[Article]:
    """The edition's public articles, news releases only where its policy lets them in."""
    from wiredesk.releases.selectors import digest_articles as releases_policy

    return releases_policy(edition_articles(edition), edition)


def digest_articles(edition: Edition, *, start: datetime, end: datetime,
                    section_ids: Iterable[int] = (), limit: int | None = None) -> list[Article]:
    """Top public stories of the edition published in (start, end], one per story."""
    limit = limit or settings.WIREDESK_DIGEST_MAX_STORIES
    qs = _candidates(edition).filter(published_at__gt=start, published_at__lte=end)
    section_ids = list(section_ids)
    if section_ids:
        qs = qs.filter(section_id__in=section_ids)
    # Over-fetch: some rows fall to de-duplication.
    return one_per_story(qs[: limit * 3])[:limit]


def has_news(edition: Edition, *, start: datetime, end: datetime,
             section_ids: Iterable[int] = ()) -> bool:
    qs = _candidates(edition).filter(published_at__gt=start, published_at__lte=end)
    section_ids = list(section_ids)
    if section_ids:
        qs = qs.filter(section_id__in=section_ids)
    return qs.exists()


@dataclass
class EntryPicture:
    """A story's picture in the email: a local rendition at an absolute address, sized
    for the message's column (mail clients take no srcset)."""

    url: str
    width: int
    height: int
    alt: str
    credit: str


@dataclass
class Entry:
    headline: str
    teaser: str
    url: str
    agency: str
    when: str
    picture: EntryPicture | None = None


# The message's column is 536 px wide; a 640 px file is sharp enough there and light
# enough for a mail client that downloads every picture of the issue on opening.
EMAIL_PICTURE_WIDTH = 536
EMAIL_PICTURE_FILE = 640


def email_picture(article: Article, base_url: str) -> EntryPicture | None:
    """The article's picture for the email, or None while it has no stored rendition."""
    shown = fallback(article.picture_files(), EMAIL_PICTURE_FILE)
    if shown is None:
        return None
    url = shown.url
    if not url.startswith(("http://", "https://")):
        base = urlsplit(base_url)
        url = f"{base.scheme}:{url}" if url.startswith("//") else \
            f"{base.scheme}://{base.netloc}{url}"
    width = min(EMAIL_PICTURE_WIDTH, shown.width)
    return EntryPicture(url=url, width=width, height=round(shown.height * width / shown.width),
                        alt=picture_alt(article), credit=article.image_credit)


@dataclass
class SectionGroup:
    name: str
    entries: list[Entry] = field(default_factory=list)


def by_section(articles: list[Article]) -> list[tuple[str, list[Article]]]:
    """(section name, its articles) in the sections' own order; unfiled stories last."""
    groups: dict[int | None, list[Article]] = {}
    names: dict[int | None, str] = {}
    order: dict[int | None, tuple] = {}
    for article in articles:
        section = article.section
        key = section.pk if section else None
        if key not in groups:
            groups[key] = []
            names[key] = section.display_name if section else gettext("More news")
            order[key] = (section.position, section.name) if section else (10**6, "")
        groups[key].append(article)
    return [(names[k], groups[k]) for k in sorted(groups, key=lambda k: order[k])]


def group_by_section(articles: list[Article], *, clock: Clock,
                     base_url: str) -> list[SectionGroup]:
    """Entries grouped by section, their times on the reader's clock."""
    return [SectionGroup(name, [Entry(
        headline=article.headline,
        teaser=article.teaser or article.lead[:160],
        url=base_url + article_path(article),
        agency=article.agency.code,
        when=clock.time(article.published_at),
        picture=email_picture(article, base_url)) for article in grouped])
        for name, grouped in by_section(articles)]


# --- the public archive ------------------------------------------------------------------

def archive_issues(edition: Edition) -> QuerySet[ArchiveIssue]:
    """The edition's archive issues that carried stories, newest first."""
    return ArchiveIssue.objects.filter(edition=edition, story_count__gt=0) \
        .order_by("-issue_date")


def archive_issue(edition: Edition, day: date) -> ArchiveIssue | None:
    return archive_issues(edition).filter(issue_date=day).first()


def archive_neighbours(issue: ArchiveIssue) -> tuple[ArchiveIssue | None, ArchiveIssue | None]:
    """The issues before and after this one."""
    issues = archive_issues(issue.edition)
    return (issues.filter(issue_date__lt=issue.issue_date).first(),
            issues.filter(issue_date__gt=issue.issue_date).order_by("issue_date").first())


def issue_articles(edition: Edition, issues: Iterable[ArchiveIssue]) -> dict[int, list[Article]]:
    """Per issue id, its stories in their stored order: those the edition still shows
    (an article killed or held since the issue is left out). One query for them all."""
    issues = list(issues)
    wanted = {pk for issue in issues for pk in issue.article_ids}
    found = {a.pk: a for a in _candidates(edition).filter(pk__in=wanted)}
    return {issue.pk: [found[pk] for pk in issue.article_ids if pk in found]
            for issue in issues}


SUBSCRIBER_STATES = ["pending", "confirmed", "unsubscribed", "bouncing"]
DELIVERY_STATES = ["sent", "pending", "failed"]


def digest_status() -> dict:
    """Per edition slug: subscribers by state and deliveries sent / pending / failed.

    ``pending`` deliveries include those a sender has claimed but not finished; deliveries
    skipped because nothing was new (or the reader left before sending) are counted apart.
    """
    result: dict[str, dict] = {}
    editions = {e.pk: e.slug for e in Edition.objects.all()}
    for slug in editions.values():
        result[slug] = {"subscribers": dict.fromkeys(SUBSCRIBER_STATES, 0),
                        "deliveries": dict.fromkeys([*DELIVERY_STATES, "skipped"], 0)}
    for row in Subscriber.objects.values("edition_id", "status").annotate(n=Count("id")):
        result[editions[row["edition_id"]]]["subscribers"][row["status"]] = row["n"]
    for row in Delivery.objects.values("edition_id", "state").annotate(n=Count("id")):
        state = "pending" if row["state"] == Delivery.State.SENDING else row["state"]
        counts = result[editions[row["edition_id"]]]["deliveries"]
        counts[state] = counts.get(state, 0) + row["n"]
    # Sends recorded but not yet folded into their rows (a sender's current batch) are sent.
    recorded = (Delivery.objects.filter(sent_q(), state=Delivery.State.SENDING)
                .values("edition_id").annotate(n=Count("id")))
    for row in recorded:
        counts = result[editions[row["edition_id"]]]["deliveries"]
        counts["pending"] -= row["n"]
        counts["sent"] += row["n"]
    return result
