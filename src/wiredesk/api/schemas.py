"""Shapes of the JSON the API returns and accepts."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema


class ErrorOut(Schema):
    detail: str | list


class SectionOut(Schema):
    slug: str
    name: str


class EditionOut(Schema):
    slug: str
    name: str
    tagline: str
    language: str
    time_zone: str
    url: str
    hosts: list[str]
    sections: list[SectionOut] = Field(description="Empty: the edition carries every section")
    agencies: list[str] = Field(description="Empty: the edition carries every agency")


class AgencyOut(Schema):
    code: str
    name: str


class RenditionOut(Schema):
    url: str
    width: int
    height: int
    type: str = Field(description="image/jpeg or image/webp")
    bytes: int


class PictureOut(Schema):
    url: str = Field(description="Our copy of the picture (its widest JPEG rendition)")
    caption: str
    credit: str
    alt: str = Field(description="Alternative text: the agency's, or the caption; never "
                                 "the headline. Empty when neither was sent")
    width: int | None = Field(description="Pixels of the file at url")
    height: int | None = Field(description="Pixels of the file at url")
    type: str = Field(description="Media type of the file at url (image/jpeg)")
    rights: str = Field(description="Copyright notice and usage terms, when the agency sent "
                                    "them")
    source_url: str = Field(description="The agency's own address of the picture, for "
                                        "reference (pages never link it)")
    renditions: list[RenditionOut] = Field(description="Every stored width, JPEG and WebP, "
                                                       "narrowest first")


class ArticleOut(Schema):
    id: int
    url: str = Field(description="Canonical URL in the requested (or first) edition")
    headline: str
    language: str = Field(description="What the copy is written in (BCP 47: en, ar, pt-BR), "
                                      "detected from its text; the edition's language when "
                                      "that could not be told")
    teaser: str
    agency: AgencyOut
    section: SectionOut | None
    byline: str
    dateline: str
    image_url: str = Field(description="Our copy of the picture (also in image); empty "
                                       "without one, and until the picture is stored")
    image: PictureOut | None = Field(default=None, description="The article's picture, once "
                                     "it is stored (null until then)")
    published_at: datetime
    updated_at: datetime | None = Field(description="When the source last changed the item")
    modified_at: datetime = Field(description="When wiredesk last changed the record")
    version: int
    editions: list[str]
    story: int | None = Field(default=None, description="The story this article belongs to")


class RevisionOut(Schema):
    version: int
    headline: str
    recorded_at: datetime
    source_updated_at: datetime | None


class CorrectionOut(Schema):
    corrected_at: datetime = Field(description="When the agency last corrected the article")
    note: str = Field(description="The agency's words about the correction (may be empty)")


class TagOut(Schema):
    key: str
    name: str
    kind: str = Field(description="person, organisation or place")


class ArticleDetailOut(ArticleOut):
    lead: str
    body_html: str
    credit: str
    image_caption: str
    image_credit: str
    canonical_source_url: str
    canonical_url: str = Field(description="The article's one canonical URL, whichever "
                                           "edition asks: the page search engines keep and "
                                           "every feed, sitemap and NINJS/G2 names (it may be "
                                           "another edition's)")
    revisions: list[RevisionOut]
    tags: list[TagOut] = Field(description="People, organisations and places it names, "
                                           "most mentioned first")
    correction: CorrectionOut | None = Field(
        default=None, description="The latest correction, shown on the page as its note")


class StoryOut(Schema):
    id: int
    headline: str = Field(description="The headline of the story's representative article "
                                      "(the member nearest its centroid), as its address")
    summary: str = Field(description="The representative article's teaser")
    first_published_at: datetime
    last_published_at: datetime
    url: str = Field(description="The story's page in the requested edition")
    coverage: list[ArticleOut] = Field(description="The edition's articles of the story, "
                                                   "oldest first")


class TombstoneOut(Schema):
    id: int
    deleted: bool = Field(description="Always true: the article is not public (any more)")
    reason: str = Field(description="killed, deleted, held, embargoed, removed (not in the "
                                    "edition, or in none), or filtered (it does not match "
                                    "section= or story= now)")
    status_reason: str = Field(description="The editor's or the source's words, e.g. why "
                                           "it was killed")
    modified_at: datetime = Field(description="When it changed")


class ArticlePage(Schema):
    items: list[ArticleOut | TombstoneOut] = Field(
        description="Articles; when syncing (updated_since= or a sync cursor), also "
                    "tombstones of articles that are not public now")
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page")
    sync_cursor: str | None = Field(
        default=None, description="When syncing: pass as ?cursor= later to get what "
                                  "changed since this page (never null then)")


class ChangeOut(Schema):
    id: int = Field(description="The article's id")
    action: str = Field(description="publish (public, first version), update (public, a "
                                    "later version: an update or a correction), kill "
                                    "(killed or deleted: gone for good) or unpublish (held, "
                                    "embargoed, or not in the edition, or in none)")
    version: int
    at: datetime = Field(description="When it last changed")
    reason: str | None = Field(description="For kill and unpublish: killed, deleted, held, "
                                           "embargoed or removed")
    status_reason: str = Field(description="The editor's or the source's words")


class ChangesPage(Schema):
    items: list[ChangeOut] = Field(description="Each changed article once, with its state "
                                               "now, in the order of its last change")
    next: str = Field(description="Pass as ?cursor= for what comes after these, now or "
                                  "later")
    has_more: bool = Field(description="More changes are waiting now")


class SearchHitOut(Schema):
    article: ArticleOut
    headline_html: str
    snippet_html: str
    score: float


class SearchOut(Schema):
    query: str
    page: int
    total: int
    total_capped: bool
    num_pages: int
    hits: list[SearchHitOut]


class IngestItemIn(Schema):
    agency: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    headline: str = Field(min_length=1, max_length=500)
    body_html: str = Field(default="", max_length=200_000)
    guid: str = Field(default="", max_length=500)
    url: str = Field(default="", max_length=1000)
    published: datetime | None = None
    categories: list[str] = Field(default_factory=list, max_length=50)
    byline: str = Field(default="", max_length=300)


class IngestOut(Schema):
    created: int
    updated: int
    unchanged: int
    skipped: int
    errors: list[str]
    article_ids: list[int]


class KillIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class KillOut(Schema):
    id: int
    status: str
