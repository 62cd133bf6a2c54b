"""The digest's public archive: each edition's past issues as pages and as an RSS feed.

Nothing personal is in them: an issue (``models.ArchiveIssue``) holds its stories and
nothing about any reader, and these pages are written from it, never from anyone's
message. They are ordinary edition pages (``edition_page``), so the page cache keeps them
(a new issue bumps the edition's stamp) and the strict Content-Security-Policy applies:
they are styled by the site's stylesheet, not by the email's inline styles. Times are in
the edition's zone, day names in its language (``clock``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext, ngettext

from wiredesk.digest import selectors
from wiredesk.digest.clock import Clock, reader_clock
from wiredesk.digest.models import ArchiveIssue
from wiredesk.editions.links import (
    digest_archive_path,
    digest_issue_path,
    edition_base_url,
    feed_path,
)
from wiredesk.editions.models import Edition
from wiredesk.editions.pages import edition_page, page_context, used_query
from wiredesk.newsroom.models import Article
from wiredesk.publishing.feed_writers import RssWithContent
from wiredesk.publishing.feeds import HubLinkedFeed

ISSUES_PER_PAGE = 30
FEED_ISSUES = 30
HEADLINES_IN_INDEX = 3
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class ShownIssue:
    issue: ArchiveIssue
    label: str  # "Saturday 12 July 2025"
    articles: list[Article]

    @property
    def path(self) -> str:
        return digest_issue_path(self.issue.issue_date)


def edition_clock(edition: Edition) -> Clock:
    return reader_clock(zone="", edition=edition)


def _shown(edition: Edition, issues) -> list[ShownIssue]:
    clock = edition_clock(edition)
    stories = selectors.issue_articles(edition, issues)
    return [ShownIssue(issue, clock.day(issue.issue_date), stories[issue.pk])
            for issue in issues]


def _day(value: str) -> date:
    if not _DAY.fullmatch(value):
        raise Http404("not a day (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Http404("no such day") from None


@edition_page
def archive_index(request):
    edition = request.edition
    page_obj = Paginator(selectors.archive_issues(edition), ISSUES_PER_PAGE).get_page(
        request.GET.get("page"))
    used_query(request, page=page_obj.number)
    return render(request, "digest/archive_index.html", page_context(
        request, page_obj=page_obj, issues=_shown(edition, list(page_obj)),
        headlines=HEADLINES_IN_INDEX, archive_path=digest_archive_path()))


@edition_page
def archive_issue(request, day: str):
    edition = request.edition
    issue = selectors.archive_issue(edition, _day(day))
    if issue is None:
        raise Http404("no issue that day")
    older, newer = selectors.archive_neighbours(issue)
    [shown] = _shown(edition, [issue])
    clock = edition_clock(edition)
    return render(request, "digest/archive_issue.html", page_context(
        request, shown=shown, groups=selectors.by_section(shown.articles),
        since=clock.time(issue.window_start), until=clock.time(issue.window_end),
        older=_shown(edition, [older])[0] if older else None,
        newer=_shown(edition, [newer])[0] if newer else None,
        archive_path=digest_archive_path()))


@dataclass
class ArchiveFeedScope:
    edition: Edition
    base_url: str
    issues: list[ShownIssue]


class ArchiveRssFeed(HubLinkedFeed):
    """One item per issue, its stories as HTML; written by the XML-safe RSS writer the
    edition feeds use."""

    feed_type = RssWithContent

    def get_object(self, request) -> ArchiveFeedScope:
        edition = request.edition
        issues = list(selectors.archive_issues(edition)[:FEED_ISSUES])
        return ArchiveFeedScope(edition=edition, base_url=edition_base_url(edition),
                                issues=_shown(edition, issues))

    def title(self, scope: ArchiveFeedScope) -> str:
        return gettext("%(edition)s daily email") % {"edition": scope.edition.name}

    def link(self, scope: ArchiveFeedScope) -> str:
        return scope.base_url + digest_archive_path()

    def feed_url(self, scope: ArchiveFeedScope) -> str:
        return scope.base_url + feed_path(digest_archive_path(), "rss")

    def description(self, scope: ArchiveFeedScope) -> str:
        return gettext("Past issues of the %(edition)s daily email: each morning's top "
                       "stories, one entry per story.") % {"edition": scope.edition.name}

    def get_feed(self, obj: ArchiveFeedScope, request):
        feedgen = super().get_feed(obj, request)
        feedgen.feed["language"] = obj.edition.language
        return feedgen

    def items(self, scope: ArchiveFeedScope) -> list[tuple[ArchiveFeedScope, ShownIssue]]:
        # One Feed instance serves every thread: the scope rides on each item instead.
        return [(scope, shown) for shown in scope.issues]

    def item_title(self, item) -> str:
        scope, shown = item
        return gettext("%(edition)s daily email, %(day)s") % {
            "edition": scope.edition.name, "day": shown.label}

    def item_link(self, item) -> str:
        scope, shown = item
        return scope.base_url + shown.path

    def item_guid(self, item) -> str:
        return self.item_link(item)

    item_guid_is_permalink = True

    def item_pubdate(self, item):
        return item[1].issue.window_end

    def item_description(self, item) -> str:
        _, shown = item
        count = len(shown.articles)
        stories = ngettext("%(count)s story", "%(count)s stories", count) % {"count": count}
        return f"{stories}: " + "; ".join(article.headline for article in shown.articles)

    def item_extra_kwargs(self, item) -> dict:
        scope, shown = item
        groups = selectors.group_by_section(shown.articles, clock=edition_clock(scope.edition),
                                            base_url=scope.base_url)
        return {"content_html": render_to_string("digest/archive_feed_item.html",
                                                 {"groups": groups})}


archive_feed = edition_page(ArchiveRssFeed())
