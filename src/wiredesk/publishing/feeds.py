"""RSS 2.0 and Atom 1.0 (Django's syndication framework) and JSON Feed 1.1, per edition,
per section, per story and per tag (a person, organisation or place). Only public articles
the edition carries; links are canonical.

Conditional GET (ETag, Last-Modified, 304) is answered by the page-cache middleware for
every public page, feeds included.

An article's picture goes out as Media RSS (``media:content`` with its caption, credit and
copyright) in RSS and Atom, as an Atom enclosure link, as an RSS ``enclosure`` only when
the agency gave its length (RSS requires one; rather than the 0 for "unknown" that the RSS
Best Practices Profile allows, Media RSS then speaks alone), and as ``image`` in JSON Feed.

No text reaches a feed with a character XML forbids (``wire.xmlsafe.xml_text``):
normalize already strips them from new items, but one stored before, or an edition name
typed by hand, would otherwise make Django refuse the whole feed (a 500 for every reader).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import feedgenerator
from django.utils.translation import gettext

from wiredesk.editions import selectors
from wiredesk.editions.canonical import canonicals
from wiredesk.editions.languages import article_language
from wiredesk.editions.links import (
    article_url,
    edition_base_url,
    feed_path,
    section_path,
    story_folder,
    story_path,
    tag_path,
)
from wiredesk.editions.models import Edition
from wiredesk.editions.pages import edition_page
from wiredesk.newsroom.models import Article, Section, Story, Tag
from wiredesk.publishing import newsml, ninjs, websub
from wiredesk.publishing.feed_writers import (
    AtomWithContent,
    RssWithContent,
)
from wiredesk.publishing.seo import article_picture
from wiredesk.wire.xmlsafe import xml_clean

FEED_ITEMS = 50
RSS_TYPE = "application/rss+xml"
ATOM_TYPE = "application/atom+xml"
JSON_FEED_TYPE = "application/feed+json"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


@dataclass
class FeedScope:
    edition: Edition
    section: Section | None
    story: Story | None = None
    tag: Tag | None = None

    @property
    def title(self) -> str:
        if self.story is not None:
            return f"{self.edition.name}: {self.story.headline}"
        if self.tag is not None:
            return f"{self.edition.name}: {self.tag.name}"
        if self.section is not None:
            return f"{self.edition.name}: {self.section.display_name}"
        return self.edition.name

    @property
    def home_url(self) -> str:
        base = edition_base_url(self.edition)
        if self.story is not None:
            return base + story_path(self.story)
        if self.tag is not None:
            return base + tag_path(self.tag.key)
        return base + (section_path(self.section.slug) if self.section else "/")

    def feed_url(self, extension: str) -> str:
        if self.story is not None:
            folder = story_folder(self.story.pk)
        elif self.tag is not None:
            folder = tag_path(self.tag.key)
        elif self.section is not None:
            folder = section_path(self.section.slug)
        else:
            folder = "/"
        return edition_base_url(self.edition) + feed_path(folder, extension)

    @property
    def description(self) -> str:
        return self.edition.tagline or gettext("Latest news from %(edition)s") % {
            "edition": self.title}

    def articles(self) -> list[Article]:
        if self.story is not None:
            # A story's coverage, newest first, as every feed orders its items.
            coverage = selectors.story_coverage(self.edition, self.story)
            return list(reversed(coverage))[:FEED_ITEMS]
        return list(selectors.edition_articles(self.edition, section=self.section,
                                               tag=self.tag)[:FEED_ITEMS])


def feed_scope(request, section_slug: str | None = None, story_id: int | None = None,
               tag_key: str | None = None) -> FeedScope:
    """What a feed URL names, in the edition ``edition_page`` resolved for the request."""
    edition = request.edition
    if tag_key is not None:
        tag = get_object_or_404(Tag, key=tag_key)
        if not selectors.edition_articles(edition, tag=tag).exists():
            raise Http404("this edition carries nothing that names it")
        return FeedScope(edition=edition, section=None, tag=tag)
    if story_id is not None:
        story = get_object_or_404(Story, pk=story_id)
        if not selectors.story_coverage(edition, story):
            raise Http404("this edition carries nothing of that story")
        return FeedScope(edition=edition, section=None, story=story)
    section = None
    if section_slug is not None:
        section = get_object_or_404(Section, slug=section_slug)
        allowed = edition.sections.all()
        if allowed.exists() and not allowed.filter(pk=section.pk).exists():
            raise Http404("this edition has no such section")
    return FeedScope(edition=edition, section=section)


def with_canonical_links(edition: Edition, articles: list[Article]) -> list[Article]:
    """Each article with ``feed_link``: its one canonical URL (editions.canonical), the
    link and the guid (id) of its item in every feed of every edition.

    The policy: an item is the same item wherever it is read, so its link and guid are the
    page search engines are told to keep, even when that is another edition's (another
    host's). A guid changes only when the canonical page does (the desk chooses another,
    or the edition that had it stops carrying the article).
    """
    found = canonicals(articles, known=[edition])
    for article in articles:
        canonical = found.get(article.pk)
        article.feed_link = canonical.url if canonical else article_url(edition, article)
    return articles


def article_author(article: Article) -> str:
    return article.byline_shown or article.agency.name or article.agency.code


class HubLinkedFeed(Feed):
    """A Django feed whose answer names the WebSub hub and itself in a Link header."""

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        self_url = getattr(request, "websub_self_url", "")
        if self_url:
            add_hub_link(response, self_url)
        return response

    def get_feed(self, obj, request):
        # One Feed instance serves every thread: the address rides on the request.
        request.websub_self_url = self.feed_url(obj)
        return super().get_feed(obj, request)


class EditionRssFeed(HubLinkedFeed):
    feed_type = RssWithContent
    extension = "rss"

    def get_object(self, request, section_slug=None, story_id=None, tag_key=None):
        return feed_scope(request, section_slug, story_id, tag_key)

    def title(self, scope: FeedScope) -> str:
        return scope.title

    def link(self, scope: FeedScope) -> str:
        return scope.home_url

    def feed_url(self, scope: FeedScope) -> str:
        return scope.feed_url(self.extension)

    def description(self, scope: FeedScope) -> str:
        return scope.description

    def subtitle(self, scope: FeedScope) -> str:
        return scope.description

    def get_feed(self, obj: FeedScope, request):
        # Feed.language is a class attribute in Django; each edition has its own.
        feedgen = super().get_feed(obj, request)
        feedgen.feed["language"] = obj.edition.language
        return feedgen

    def feed_copyright(self, scope: FeedScope) -> str:
        return gettext("Wire copy is the property of the agencies credited on each item.")

    def items(self, scope: FeedScope) -> list[Article]:
        # One Feed instance serves every thread: the edition rides on each item instead.
        articles = with_canonical_links(scope.edition, scope.articles())
        for article in articles:
            article.feed_edition = scope.edition
        return articles

    def item_title(self, item: Article) -> str:
        return item.headline

    def item_description(self, item: Article) -> str:
        return item.teaser or item.lead

    def item_link(self, item: Article) -> str:
        return item.feed_link

    def item_guid(self, item: Article) -> str:
        return item.feed_link

    item_guid_is_permalink = True

    def item_pubdate(self, item: Article):
        return item.published_at

    def item_updateddate(self, item: Article):
        return item.source_updated_at or item.published_at

    def item_author_name(self, item: Article) -> str:
        return article_author(item)

    def item_categories(self, item: Article) -> list[str]:
        return [item.section.display_name] if item.section else []

    def item_enclosures(self, item: Article) -> list[feedgenerator.Enclosure]:
        picture = article_picture(item, item.feed_edition)
        if picture is None or not picture.length or not picture.mime_type:
            return []  # RSS requires a length: without one, media:content speaks alone
        return [feedgenerator.Enclosure(picture.url, str(picture.length), picture.mime_type)]

    def item_extra_kwargs(self, item: Article) -> dict:
        picture = article_picture(item, item.feed_edition)
        return {"content_html": item.body_html,
                "picture": dataclasses.asdict(picture) if picture else None,
                "language": article_language(item, item.feed_edition)}


class EditionAtomFeed(EditionRssFeed):
    feed_type = AtomWithContent
    extension = "atom"

    def item_enclosures(self, item: Article) -> list[feedgenerator.Enclosure]:
        return []  # written by AtomWithContent, with a length only when known


def add_hub_link(response: HttpResponse, self_url: str) -> None:
    """WebSub subscribers look for the hub in the Link header first."""
    link = websub.link_header(self_url)
    if link:
        response["Link"] = link


def json_feed_document(scope: FeedScope) -> dict:
    items = []
    for article in with_canonical_links(scope.edition, scope.articles()):
        url = article.feed_link
        item = {
            "id": url,
            "url": url,
            "title": article.headline,
            "content_html": article.body_html or f"<p>{article.lead}</p>",
            "summary": article.teaser or article.lead,
            "date_published": article.published_at.isoformat(),
            "date_modified": (article.source_updated_at or article.published_at).isoformat(),
            "authors": [{"name": article_author(article)}],
            "language": article_language(article, scope.edition),
        }
        picture = article_picture(article, scope.edition)
        if picture is not None:
            item["image"] = picture.url
        if article.section:
            item["tags"] = [article.section.display_name]
        if article.canonical_url:
            item["external_url"] = article.canonical_url
        items.append(item)
    document = {
        "version": JSON_FEED_VERSION,
        "title": scope.title,
        "home_page_url": scope.home_url,
        "feed_url": scope.feed_url("json"),
        "description": scope.description,
        "language": scope.edition.language,
        "authors": [{"name": scope.edition.name, "url": edition_base_url(scope.edition) + "/"}],
        "items": items,
    }
    hub = websub.hub_url()
    if hub:
        document["hubs"] = [{"type": "WebSub", "url": hub}]
    return document


@edition_page
def json_feed(request, section_slug=None, story_id=None, tag_key=None):
    scope = feed_scope(request, section_slug, story_id, tag_key)
    # JSON could carry them, but readers turn JSON Feeds into RSS and Atom too.
    body = json.dumps(xml_clean(json_feed_document(scope)), ensure_ascii=False, indent=1)
    response = HttpResponse(body.encode("utf-8"), content_type=f"{JSON_FEED_TYPE}; charset=utf-8")
    add_hub_link(response, scope.feed_url("json"))
    return response


def partner_feed_articles(edition: Edition) -> list[Article]:
    """The edition's latest public articles, and the ones killed or held among those of
    the same period (canceled or withheld, without their copy: a partner polling the feed
    learns of a kill at once)."""
    latest = FeedScope(edition=edition, section=None).articles()
    since = latest[-1].published_at if len(latest) >= FEED_ITEMS else None
    withdrawn = (Article.objects.filter(status__in=[Article.Status.KILLED, Article.Status.HELD],
                                        placements__edition=edition)
                 .select_related("agency", "section").order_by("-published_at", "-id"))
    if since is not None:
        withdrawn = withdrawn.filter(published_at__gte=since)
    merged = latest + list(withdrawn[:FEED_ITEMS])
    return sorted(merged, key=lambda a: (a.published_at, a.pk), reverse=True)


@edition_page
def ninjs_feed(request):
    """``feed.ninjs.json``: ``{"items": [NINJS, ...]}``, newest first (publishing.ninjs)."""
    document = ninjs.feed_document(request.edition, partner_feed_articles(request.edition))
    response = HttpResponse(ninjs.dumps(xml_clean(document)),
                            content_type="application/json; charset=utf-8")
    # NINJS has no place for links: the hub is named in the header only.
    add_hub_link(response, edition_base_url(request.edition) + feed_path("", "ninjs.json"))
    return response


@edition_page
def newsml_feed(request):
    """``feed.newsml.xml``: a NewsML-G2 newsMessage, each article's text and picture items
    (publishing.newsml)."""
    body = newsml.message_document(partner_feed_articles(request.edition), request.edition)
    response = HttpResponse(body, content_type=f"{newsml.MESSAGE_MEDIA_TYPE}; charset=utf-8")
    add_hub_link(response, edition_base_url(request.edition) + feed_path("", "newsml.xml"))
    return response


rss_feed = edition_page(EditionRssFeed())
atom_feed = edition_page(EditionAtomFeed())
