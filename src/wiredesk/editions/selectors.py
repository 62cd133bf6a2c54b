"""Reads for the public pages. Every query filters to what an edition may show."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from wiredesk.editions.models import Edition, EditionHost
from wiredesk.newsroom.models import Article, Section


def edition_for_host(host: str) -> Edition | None:
    host = host.split(":", 1)[0].strip().lower().rstrip(".")
    if not host:
        return None
    entry = EditionHost.objects.select_related("edition").filter(host=host).first()
    return entry.edition if entry else None


def public_q(prefix: str = "") -> Q:
    """Published, not held or killed, and out of embargo: the one rule for "public"."""
    now = timezone.now()
    return (Q(**{f"{prefix}status": Article.Status.PUBLISHED})
            & (Q(**{f"{prefix}embargo_until__isnull": True})
               | Q(**{f"{prefix}embargo_until__lte": now})))


def edition_articles(edition: Edition, *, section: Section | None = None) -> QuerySet[Article]:
    qs = (Article.objects.filter(public_q(), placements__edition=edition)
          .select_related("agency", "section")
          .order_by("-published_at", "-id"))
    if section is not None:
        qs = qs.filter(section=section)
    return qs


def edition_sections(edition: Edition) -> list[Section]:
    chosen = list(edition.sections.all())
    if chosen:
        return chosen
    return list(Section.objects.filter(
        articles__placements__edition=edition).distinct().order_by("position", "name"))


def article_in_edition(edition: Edition, article_id: int) -> Article | None:
    """The article if this edition carries it, whatever its status (views decide 404/410)."""
    return (Article.objects.select_related("agency", "section")
            .filter(pk=article_id, placements__edition=edition).first())


def see_also(article: Article, edition: Edition, *, limit: int = 2) -> list[Article]:
    """Recent public articles of the same section in this edition, newest first."""
    qs = edition_articles(edition).exclude(pk=article.pk)
    if article.section_id:
        qs = qs.filter(section_id=article.section_id)
    return list(qs[:limit])


_PARAGRAPH_END = re.compile(r"(?<=</p>)", re.I)


@dataclass
class BodyBlock:
    html: str = ""
    see_also: Article | None = None


def body_with_see_also(body_html: str, related: list[Article]) -> list[BodyBlock]:
    """Split the body into paragraphs and put SEE ALSO boxes between them.

    One box after the second paragraph; a second one two-thirds down a long body.
    Nothing is inserted before the lead or after the last paragraph.
    """
    paragraphs = [p for p in _PARAGRAPH_END.split(body_html) if p.strip()]
    slots = []
    if len(paragraphs) >= 3 and related:
        slots.append(2)
    if len(paragraphs) >= 8 and len(related) >= 2:
        slots.append((len(paragraphs) * 2) // 3)
    blocks: list[BodyBlock] = []
    remaining = list(related)
    for index, paragraph in enumerate(paragraphs):
        if index in slots and remaining:
            blocks.append(BodyBlock(see_also=remaining.pop(0)))
        blocks.append(BodyBlock(html=paragraph))
    if not slots and related and len(paragraphs) >= 2:
        blocks.insert(1, BodyBlock(see_also=related[0]))
    return blocks
