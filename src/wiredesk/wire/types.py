"""Plain dataclasses that flow through the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from wiredesk.errors import WiredeskError


class WireError(WiredeskError):
    """Input that cannot be turned into items; the message is shown to operators."""


@dataclass(slots=True)
class Media:
    """One picture an item offers, as the format gave it; ``pictures.best_picture`` picks."""

    url: str
    caption: str = ""
    credit: str = ""
    mime_type: str = ""
    alt: str = ""  # the agency's own alternative text, when it sends one
    width: int | None = None
    height: int | None = None
    length: int | None = None  # bytes, when the source says (an enclosure's length)
    rights: str = ""  # copyright notice and usage terms
    # "" for a full picture; "thumbnail" for a small rendition, used only when there is
    # nothing else; "body" for an <img> found in the copy itself.
    role: str = ""


@dataclass(frozen=True, slots=True)
class Picture:
    """The one picture an item is shown with: what every page, feed and API writes."""

    url: str
    caption: str = ""
    credit: str = ""
    alt: str = ""  # from the agency's alt text or the caption; never the headline
    width: int | None = None
    height: int | None = None
    rights: str = ""
    mime_type: str = ""
    length: int | None = None
    # The agency's own address, for reference, when ``url`` is a local copy of it.
    source_url: str = ""


@dataclass(frozen=True, slots=True)
class PictureLink:
    """A picture item that belongs to a text item (both by guid): it is shown with the text
    and is never an article of its own. NewsML-G2 says so with links or packages."""

    picture_guid: str
    text_guid: str


@dataclass(slots=True)
class WireItem:
    """One item as a format adapter read it: still raw, not yet trusted.

    Text fields hold what the source gave (HTML allowed in ``summary`` and
    ``body``); ``normalize`` turns this into a :class:`CleanItem`.
    """

    title: str = ""
    guid: str = ""
    link: str = ""
    summary: str = ""
    body: str = ""
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    published: datetime | None = None
    updated: datetime | None = None
    # True when the source gave a wall-clock time without a zone: normalize reads it
    # in the agency's zone instead of silently assuming UTC.
    naive_dates: bool = False
    media: list[Media] = field(default_factory=list)
    version: int | None = None
    status: str = "usable"  # usable | canceled | withheld
    signal: str = ""  # update | correction | ...
    embargo_until: datetime | None = None
    dateline: str = ""
    byline: str = ""
    slugline: str = ""
    urgency: int | None = None
    language: str = ""
    source_format: str = ""
    # What the source says the item is: "text", "picture", "video", "graphic",
    # "composite" (a package) or "" when it does not say.
    item_class: str = ""
    picture_links: list[PictureLink] = field(default_factory=list)


@dataclass(slots=True)
class CleanItem:
    """An item after normalization: safe to store and to show."""

    headline: str
    body_html: str
    lead: str
    teaser: str
    identity: str  # the key that says "this is the same item" (see identity.py)
    fingerprint: str  # hash of the visible content: changes when the copy changes
    guid: str = ""
    canonical_url: str = ""
    link: str = ""  # the link as the source gave it (resolved), for fetching the page
    byline: str = ""
    dateline: str = ""
    dateline_place: str = ""
    dateline_agencies: list[str] = field(default_factory=list)
    credit: str = ""
    categories: list[str] = field(default_factory=list)
    published: datetime | None = None  # aware, UTC
    updated: datetime | None = None  # aware, UTC
    image_url: str = ""
    image_caption: str = ""
    image_credit: str = ""
    picture: Picture | None = None  # the same picture, with everything known about it
    version: int | None = None
    status: str = "usable"
    signal: str = ""  # correction, update, refile, wrapup (metadata or headline prefix)
    correction_note: str = ""  # the agency's words about a correction, e.g. "Corrects ..."
    urgency: int | None = None  # 1 (most urgent) to 9, when the source says
    embargo_until: datetime | None = None
    language: str = ""
    flags: list[str] = field(default_factory=list)  # e.g. "future-date-clamped"
    source_format: str = ""
    item_class: str = ""
    picture_links: list[PictureLink] = field(default_factory=list)


# Items read from one document; the rest are left out with a warning. An agency's feed
# holds tens or hundreds: a 10 MB feed of 200,000 tiny items took feedparser 250 MB and
# minutes, then normalizing and storing each one on every poll.
MAX_ITEMS_PER_DOCUMENT = 5000


@dataclass(slots=True)
class ParseResult:
    items: list[WireItem]
    format: str
    title: str = ""
    link: str = ""
    warnings: list[str] = field(default_factory=list)
