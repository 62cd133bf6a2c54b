"""What the partner formats (NINJS, NewsML-G2) say of an article, worked out once: its
identity, publishing status, dates, canonical page, subjects and picture.

Both formats carry the same facts in the same way, so a partner that takes one and later
the other sees the same item:

- **identity**: ``urn:newsml:<provider>:<date>:<id>`` (IPTC's recommended form of a G2
  guid; the provider is ``WIREDESK_BASE_URL``'s host name, the date the day the article
  was first stored), the same for every version and every edition;
- **status**: ``usable``; ``withheld`` while an editor holds it or an embargo runs
  (``embargoed`` names the time); ``canceled`` once it is killed. A withheld or canceled
  item carries no copy (no headline, body, description or picture): only its identity,
  version, dates, status and the reason;
- **version**: the copy's version (``Article.version``, as in ``/api/changes``); a kill
  or a hold changes the status of that version, and ``versioncreated`` says when;
- **correction**: the agency's signal for the version (``Article.signal``);
- **links**: the canonical page (``editions.canonical``), whatever edition asks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from wiredesk.editions import selectors
from wiredesk.editions.canonical import Canonical, canonical_of, id_slices
from wiredesk.editions.languages import article_language
from wiredesk.editions.links import edition_base_url, media_url, section_path, tag_path
from wiredesk.editions.models import Edition
from wiredesk.newsroom.models import Article, ArticleTag, Tag
from wiredesk.newsroom.models.files import PictureFile

_PLACE = re.compile(r"^(?:\(\d+\)\s*--\s*)?(?P<place>[^,(]+?)\s*(?:,|\(|--|$)")

USABLE = "usable"
WITHHELD = "withheld"
CANCELED = "canceled"
CORRECTION = "correction"


def located_place(dateline: str) -> str:
    """The place a dateline names ("New Delhi [India], July 12 (ANI)" -> "New Delhi
    [India]"), or ""."""
    found = _PLACE.match(dateline.strip())
    return found.group("place").strip() if found else ""



def provider_id() -> str:
    """The provider part of every item's identity: the site's own host name."""
    return (urlsplit(settings.BASE_URL).hostname or "localhost").lower()


def item_uri(article: Article) -> str:
    first = (article.first_seen_at or article.published_at).astimezone(UTC)
    return f"urn:newsml:{provider_id()}:{first:%Y%m%d}:{article.pk}"


def picture_uri(article: Article) -> str:
    """The picture shown with the article, as an item of its own."""
    return f"{item_uri(article)}:picture"


def pub_status(article: Article, *, now: datetime | None = None) -> str:
    if article.status == Article.Status.KILLED:
        return CANCELED
    if article.status in (Article.Status.HELD, Article.Status.DRAFT):
        return WITHHELD
    if article.embargo_until is not None and article.embargo_until > (now or timezone.now()):
        return WITHHELD
    return USABLE


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Subject:
    kind: str  # section, person, organisation, place
    key: str  # the section's slug or the tag's key
    name: str
    url: str  # its page in the canonical edition ("" without one)


@dataclass(frozen=True)
class Picture:
    uri: str
    caption: str
    alt: str
    credit: str
    rights: str
    holder: str
    files: list[tuple[PictureFile, str]]  # each rendition with its absolute address


@dataclass
class ItemFacts:
    """Everything both formats write of one article."""

    article: Article
    uri: str
    status: str
    version: str
    first_created: str
    version_created: str
    embargoed: str
    language: str
    canonical: Canonical | None
    canonical_url: str
    is_correction: bool
    withdrawn_note: str
    subjects: list[Subject] = field(default_factory=list)
    picture: Picture | None = None

    @property
    def has_copy(self) -> bool:
        """Whether the headline, body and picture go out (not for a held or killed item;
        an embargoed one does: partners keep it until the embargo is over)."""
        return self.status == USABLE or (
            self.status == WITHHELD and self.article.status == Article.Status.PUBLISHED)


def _version_created(article: Article, status: str) -> datetime:
    if status == CANCELED or article.status == Article.Status.HELD:
        return article.modified_at or article.published_at
    updated = article.source_updated_at
    return max(updated, article.published_at) if updated else article.published_at


def _withdrawn_note(article: Article) -> str:
    reason = f" ({article.status_reason})" if article.status_reason else ""
    if article.status == Article.Status.KILLED:
        return f"Killed{reason}: this item is withdrawn; remove it from use."
    if article.status == Article.Status.HELD:
        return f"Held{reason}: do not use this item until it is released."
    return ""


def _picture(article: Article, edition: Edition | None) -> Picture | None:
    files = article.picture_files()
    if not files:
        return None
    return Picture(uri=picture_uri(article), caption=article.image_caption,
                   alt=article.image_alt, credit=article.image_credit,
                   rights=article.image_rights,
                   holder=article.image_credit or article.agency.name,
                   files=[(f, media_url(edition, f.url)) for f in files])


def _subjects(article: Article, edition: Edition | None) -> list[Subject]:
    base = edition_base_url(edition) if edition is not None else ""
    found = []
    if article.section_id:
        section = article.section
        found.append(Subject("section", section.slug, section.name,
                             base + section_path(section.slug) if base else ""))
    tags = getattr(article, "partner_tags", None)
    for tag in tags if tags is not None else selectors.article_tags(article):
        kind = tag.kind if tag.kind in Tag.Kind.values else "subject"
        found.append(Subject(kind, tag.key, tag.name, base + tag_path(tag.key) if base else ""))
    return found


def prefetch_tags(articles: list[Article]) -> None:
    """The tags of many articles in one query (``_subjects`` reads them from there), most
    mentioned first as ``selectors.article_tags`` orders them."""
    found: dict[int, list[Tag]] = {}
    for chunk in id_slices(a.pk for a in articles):
        for row in ArticleTag.objects.filter(article_id__in=chunk).select_related(
                "tag").order_by("position", "tag__name"):
            found.setdefault(row.article_id, []).append(row.tag)
    for article in articles:
        article.partner_tags = found.get(article.pk, [])


def item_facts(article: Article, edition: Edition | None = None, *,
               canonical: Canonical | None = None, now: datetime | None = None) -> ItemFacts:
    """The facts of an article as partners get them. ``edition``: the edition asked
    through (its language and addresses), else the canonical one; ``canonical``: when the
    caller has it already (a feed works them out in one batch)."""
    canonical = canonical if canonical is not None else canonical_of(
        article, known=[edition] if edition else [])
    home = edition or (canonical.edition if canonical is not None else None)
    status = pub_status(article, now=now)
    facts = ItemFacts(
        article=article, uri=item_uri(article), status=status, version=str(article.version),
        first_created=iso(article.published_at),
        version_created=iso(_version_created(article, status)),
        embargoed=iso(article.embargo_until) if article.embargo_until else "",
        # The article's own language; the edition's only when it is unknown.
        language=article_language(article, home),
        canonical=canonical, canonical_url=canonical.url if canonical else "",
        is_correction=article.signal.strip().lower() == CORRECTION,
        withdrawn_note=_withdrawn_note(article))
    if facts.has_copy:
        subject_home = canonical.edition if canonical is not None else home
        facts.subjects = _subjects(article, subject_home)
        facts.picture = _picture(article, home)
    return facts
