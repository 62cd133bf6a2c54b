"""Reads for the public pages. Every query filters to what an edition may show."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Case, Exists, IntegerField, Max, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from wiredesk.editions.models import Edition, EditionHost, FrontSlot, Placement
from wiredesk.newsroom.models import Article, RelatedStory, Section, Story, Tag


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


def canonical_shown(edition: Edition) -> Exists:
    """True for a copy whose canonical article this edition shows (so the copy is hidden)."""
    return Exists(Placement.objects.filter(
        public_q("article__"), edition=edition, article_id=OuterRef("duplicate_of_id")))


def edition_articles(edition: Edition, *, section: Section | None = None,
                     tag: Tag | None = None) -> QuerySet[Article]:
    """Public articles the edition carries, each story copy once (the canonical one)."""
    qs = (Article.objects.filter(public_q(), placements__edition=edition)
          .filter(~canonical_shown(edition))
          .select_related("agency", "section")
          .order_by("-published_at", "-id"))
    if section is not None:
        qs = qs.filter(section=section)
    if tag is not None:
        qs = qs.filter(article_tags__tag=tag)
    return qs


# A front page (an edition's home, a section's): what an editor asks of it.
FRONT_POOL = 20  # the newest stories the lead and the secondary row are chosen from
LEAD_POOL = 10  # the lead is one of the ten newest...
LEAD_MAX_LAG = timedelta(hours=6)  # ...and no more than six hours older than the newest
SECONDARY_COUNT = 4
SECONDARY_MAX_LAG = timedelta(hours=24)


def has_picture(article: Article) -> bool:
    """Whether pages show this article with a picture (its local renditions are stored:
    never the agency's address): the one test fronts choose by."""
    return bool(article.image_renditions)


@dataclass
class Front:
    """What a front page shows above its list: a lead story and a row of secondary ones."""

    lead: Article | None = None
    secondary: list[Article] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        return [a.pk for a in ([self.lead] if self.lead else []) + self.secondary]


def pick_front(newest: Sequence[Article], *, top: Article | None = None,
               featured: Sequence[Article] = ()) -> Front:
    """Choose the lead and the secondary row from the newest stories (newest first).

    The desk's choice comes first: ``top`` leads and ``featured`` open the secondary row
    in their order (``edition_front`` passes only those the front may show). The rest is
    automatic: the lead is the newest story with a picture among the ``LEAD_POOL``
    newest, if it is no more than ``LEAD_MAX_LAG`` older than the newest story; else the
    newest story, picture or not: a picture never puts stale news on top. The secondary
    row is the next stories with a picture no more than ``SECONDARY_MAX_LAG`` older than
    the newest, then, when too few have one, the newest of the rest (so the pictures line
    up first).

    Ages are measured from the newest story, never from the clock, so a front changes only
    when its stories do (the page cache and ``publish --static`` rely on that).
    """
    featured = [a for a in featured if top is None or a.pk != top.pk][:SECONDARY_COUNT]
    chosen = {a.pk for a in featured} | ({top.pk} if top is not None else set())
    auto = _pick_automatic([a for a in newest if a.pk not in chosen])
    if top is None:
        lead, candidates = auto.lead, auto.secondary
    else:
        lead, candidates = top, ([auto.lead] if auto.lead else []) + auto.secondary
    if lead is None:
        lead, featured = (featured[0], featured[1:]) if featured else (None, featured)
    return Front(lead=lead, secondary=featured + candidates[:SECONDARY_COUNT - len(featured)])


def _pick_automatic(newest: Sequence[Article]) -> Front:
    if not newest:
        return Front()
    latest = newest[0].published_at
    lead = next((a for a in newest[:LEAD_POOL]
                 if has_picture(a) and latest - a.published_at <= LEAD_MAX_LAG), newest[0])
    rest = [a for a in newest if a.pk != lead.pk]
    pictured = [a for a in rest
                if has_picture(a) and latest - a.published_at <= SECONDARY_MAX_LAG]
    secondary = pictured[:SECONDARY_COUNT]
    secondary += [a for a in rest if a not in secondary][:SECONDARY_COUNT - len(secondary)]
    return Front(lead=lead, secondary=secondary)


def live_slots(edition: Edition, section: Section | None = None) -> QuerySet[FrontSlot]:
    """The desk's slots on one front that have not run out, in their order. The
    ``expire-front-slots`` job removes the others (and tells the page cache)."""
    return (FrontSlot.objects.filter(edition=edition, section=section)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
            .order_by("position", "pk"))


def fronts_fingerprint(edition: Edition) -> str:
    """A short digest of the desk's live slots on every front of the edition: what
    ``publish --static`` compares to know that its fronts changed with no article
    changing."""
    import hashlib

    rows = (FrontSlot.objects.filter(edition=edition)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
            .order_by("section_id", "kind", "position", "pk")
            .values_list("section_id", "kind", "position", "article_id"))
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()[:16]


def edition_front(edition: Edition, *, section: Section | None = None
                  ) -> tuple[Front, QuerySet[Article]]:
    """A front page of the edition (its home, or a section's): the lead and secondary
    stories, and the list of everything else, pinned stories first, then newest first (no
    story shown twice). The desk's slots are honoured while their article is public on
    this front; one killed, held, embargoed or taken out is skipped and the automatic
    choice fills its place."""
    articles = edition_articles(edition, section=section)
    slots = list(live_slots(edition, section).values_list("kind", "article_id"))
    shown: dict[int, Article] = {}
    if slots:
        shown = {a.pk: a for a in articles.filter(pk__in=[pk for _, pk in slots])}
    curated = [(kind, shown[pk]) for kind, pk in slots if pk in shown]
    top = next((a for kind, a in curated if kind == FrontSlot.Kind.TOP), None)
    featured = [a for kind, a in curated if kind == FrontSlot.Kind.FEATURED]
    pinned = [a.pk for kind, a in curated if kind == FrontSlot.Kind.PINNED]
    # A pinned story heads the list: the automatic choice never takes it up to the front.
    newest = [a for a in articles[:FRONT_POOL] if a.pk not in pinned]
    front = pick_front(newest, top=top, featured=featured)
    rest = articles.exclude(pk__in=front.ids)
    if pinned:
        first = Case(*[When(pk=pk, then=Value(i)) for i, pk in enumerate(pinned)],
                     default=Value(len(pinned)), output_field=IntegerField())
        rest = rest.order_by(first, "-published_at", "-id")
    return front, rest


def article_tags(article: Article) -> list[Tag]:
    """The people, organisations and places an article names, most mentioned first."""
    return list(Tag.objects.filter(article_tags__article=article)
                .order_by("article_tags__position", "name"))


def edition_sections(edition: Edition) -> list[Section]:
    chosen = list(edition.sections.all())
    if chosen:
        return chosen
    # Each section asked whether it has one article here (EXISTS stops at the first):
    # a DISTINCT over the join read every placement of the edition (2 s at 1M articles).
    placed = Article.objects.filter(section=OuterRef("pk"),
                                    placements__edition=edition)
    return list(Section.objects.filter(Exists(placed)).order_by("position", "name"))


def article_in_edition(edition: Edition, article_id: int) -> Article | None:
    """The article if this edition carries it, whatever its status (views decide 404/410)."""
    return (Article.objects.select_related("agency", "section", "story")
            .defer("story__centroid", "story__anchors")
            .filter(pk=article_id, placements__edition=edition).first())


def duplicate_group(article: Article) -> set[int]:
    """Ids of the article, its canonical and every copy of that canonical."""
    canonical_id = article.duplicate_of_id or article.pk
    return {canonical_id, article.pk, *Article.objects.filter(
        duplicate_of_id=canonical_id).values_list("pk", flat=True)}


def see_also(article: Article, edition: Edition, *, limit: int = 2) -> list[Article]:
    """Related stories chosen by content (ranked at ingest for the article's story), one
    article per story, best first; none when nothing cleared the confidence floor.

    Never a copy of the article, never its own story, never anything the edition does not
    carry or may not show. Nothing fills in for a missing link: a SEE ALSO box is
    relevant or absent (``wire.similarity.related``).
    """
    group = duplicate_group(article)
    canonical_id = article.duplicate_of_id or article.pk
    shown = edition_articles(edition).exclude(pk__in=group)
    rows = RelatedStory.objects.filter(article_id__in=[article.pk, canonical_id])
    if article.story_id:
        shown = shown.exclude(story_id=article.story_id)
        # The story's rows, whichever of its articles holds them.
        rows = RelatedStory.objects.filter(
            Q(article__story_id=article.story_id) | Q(article_id__in=[article.pk, canonical_id]))
    ranked = (rows.values("story_id").annotate(best=Max("score"))
              .order_by("-best", "story_id").values_list("story_id", flat=True))
    chosen: list[Article] = []
    for story_id in ranked:
        if len(chosen) >= limit:
            break
        if story_id == article.story_id:
            continue
        pick = shown.filter(story_id=story_id).first()
        if pick is not None:
            chosen.append(pick)
    return chosen


@dataclass
class Coverage:
    article: Article
    carried: bool


def also_reported_by(article: Article, edition: Edition) -> list[Coverage]:
    """The other public copies of this article's item (canonical and duplicates)."""
    group = duplicate_group(article) - {article.pk}
    if not group:
        return []
    carried = set(Placement.objects.filter(edition=edition, article_id__in=group)
                  .values_list("article_id", flat=True))
    copies = (Article.objects.filter(public_q(), pk__in=group).select_related("agency")
              .order_by("published_at", "id"))
    return [Coverage(a, a.pk in carried) for a in copies]


def story_coverage(edition: Edition, story: Story) -> list[Article]:
    """A story's articles in this edition, oldest first: how the coverage grew."""
    return list(edition_articles(edition).filter(story=story)
                .order_by("published_at", "id"))


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
