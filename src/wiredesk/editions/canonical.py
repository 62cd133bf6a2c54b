"""The canonical policy: each article has one canonical URL, and every output names it.

An article placed in several editions (or sent by several agencies) is one piece of news
with one address that search engines and partners should keep. The rule, first match wins:

1. **the desk's choice**: the placement an editor marked canonical (``Placement.canonical``,
   set by ``services.article_canonical_set``);
2. **a section's home edition** that carries it (``Edition.home_of_sections``);
3. **an agency's home edition** that carries it (``Edition.home_of_agencies``);
4. **the first edition that carried it**: its oldest placement still there.

Several homes of one section or agency: the first by the editions' order (position, name).

A **copy** of the same item from another agency (``Article.duplicate_of``, the pipeline's
duplicate detection or an editor's merge) has no URL of its own: it points to the canonical
copy's canonical URL, as long as that copy is public and carried by some edition (else it
stands alone again by the rule above).

Everything that names an article's address asks here: the page's ``rel=canonical`` and
``og:url``, JSON-LD ``mainEntityOfPage``, sitemaps (an edition lists only the articles
whose canonical page is its own), feeds (item link and guid), NINJS and NewsML-G2. It is
computed when asked, from a few indexed reads per batch, so it is never stale.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, Value

from wiredesk.editions.links import article_path_for, edition_base_url
from wiredesk.editions.models import Edition, Placement
from wiredesk.editions.selectors import public_q
from wiredesk.newsroom.models import Article

DESK = "desk"
SECTION_HOME = "section-home"
AGENCY_HOME = "agency-home"
FIRST_EDITION = "first-edition"
# Ids bound in one IN lookup: SQLite takes at most 32,766 parameters in a statement.
LOOKUP_SLICE = 1000


def id_slices(ids: Iterable[int]) -> list[list[int]]:
    """Ids in slices of ``LOOKUP_SLICE``, one IN lookup each."""
    ids = sorted(set(ids))
    return [ids[i:i + LOOKUP_SLICE] for i in range(0, len(ids), LOOKUP_SLICE)]


@dataclass(frozen=True)
class Canonical:
    """Where an article's one canonical page is."""

    article_id: int  # the copy whose page it is (the article itself, or its canonical copy)
    edition: Edition
    rule: str  # DESK, SECTION_HOME, AGENCY_HOME or FIRST_EDITION
    url: str
    copy_of: int | None = None  # set when the article points to another agency's copy


@dataclass(frozen=True)
class Candidate:
    """What the policy reads of one article (a model or a row of values)."""

    id: int
    slug: str
    section_id: int | None
    agency_id: int
    duplicate_of_id: int | None = None

    @classmethod
    def of(cls, article: Article) -> Candidate:
        return cls(article.pk, article.slug, article.section_id, article.agency_id,
                   article.duplicate_of_id)


class _Homes:
    """The home editions of the given sections and agencies, in the editions' order
    (position, name), read in one query."""

    def __init__(self, section_ids: set[int], agency_ids: set[int]) -> None:
        self.sections: dict[int, list[int]] = {}
        self.agencies: dict[int, list[int]] = {}
        # Homes are few: read them all rather than bind every section and agency asked.
        through_s = Edition.home_of_sections.through.objects.annotate(
            kind=Value("s"), key=F("section_id"))
        through_a = Edition.home_of_agencies.through.objects.annotate(
            kind=Value("a"), key=F("agency_id"))
        fields = ("kind", "key", "edition_id", "edition__position", "edition__name")
        rows = [row for row in through_s.values_list(*fields).union(
            through_a.values_list(*fields), all=True)
            if row[1] in (section_ids if row[0] == "s" else agency_ids)]
        for kind, key, edition_id, *_order in sorted(rows, key=lambda r: (r[3], r[4], r[2])):
            (self.sections if kind == "s" else self.agencies).setdefault(key, []).append(
                edition_id)


def _editions(ids: set[int], known: Iterable[Edition]) -> dict[int, Edition]:
    """The editions by id: those the caller has already, the others read with their hosts."""
    found = {e.pk: e for e in known if e.pk in ids}
    missing = ids - set(found)
    if missing:
        found |= {e.pk: e for e in Edition.objects.filter(pk__in=missing)
                  .prefetch_related("hosts")}
    return found


def _own(candidate: Candidate, placements: list[tuple[int, bool]], homes: _Homes
         ) -> tuple[int, str] | None:
    """(edition id, rule) of an article by its own placements (oldest first), or None."""
    if not placements:
        return None
    carried = [edition_id for edition_id, _ in placements]
    chosen = [edition_id for edition_id, canonical in placements if canonical]
    if chosen:
        return chosen[0], DESK
    for rule, home_ids in ((SECTION_HOME, homes.sections.get(candidate.section_id, [])),
                           (AGENCY_HOME, homes.agencies.get(candidate.agency_id, []))):
        found = next((e for e in home_ids if e in carried), None)
        if found is not None:
            return found, rule
    return carried[0], FIRST_EDITION


def canonicals(candidates: Iterable[Candidate | Article], *,
               known: Iterable[Edition] = ()) -> dict[int, Canonical | None]:
    """The canonical page of each article (None: no edition carries it), in a few reads
    whatever the number of articles (``known``: editions the caller holds already, not
    read again)."""
    wanted = [c if isinstance(c, Candidate) else Candidate.of(c) for c in candidates]
    if not wanted:
        return {}
    target_ids = {c.duplicate_of_id for c in wanted if c.duplicate_of_id}
    targets = {row[0]: Candidate(*row) for chunk in id_slices(target_ids)
               for row in Article.objects.filter(public_q(), pk__in=chunk).values_list(
                   "pk", "slug", "section_id", "agency_id", "duplicate_of_id")}
    everyone = {c.id: c for c in wanted} | targets
    placed: dict[int, list[tuple[int, bool]]] = {}
    for chunk in id_slices(everyone):
        for article_id, edition_id, canonical in (Placement.objects.filter(
                article_id__in=chunk).order_by("pk").values_list(
                "article_id", "edition_id", "canonical")):
            placed.setdefault(article_id, []).append((edition_id, canonical))
    homes = _Homes({c.section_id for c in everyone.values() if c.section_id},
                   {c.agency_id for c in everyone.values()})
    chosen: dict[int, tuple[int, str] | None] = {
        pk: _own(candidate, placed.get(pk, []), homes) for pk, candidate in everyone.items()}
    editions = _editions({found[0] for found in chosen.values() if found}, known)

    def resolve(candidate: Candidate, copy_of: int | None = None) -> Canonical | None:
        found = chosen[candidate.id]
        if found is None:
            return None
        edition = editions[found[0]]
        url = edition_base_url(edition) + article_path_for(candidate.id, candidate.slug)
        return Canonical(candidate.id, edition, found[1], url, copy_of)

    out: dict[int, Canonical | None] = {}
    for candidate in wanted:
        target = targets.get(candidate.duplicate_of_id) if candidate.duplicate_of_id else None
        shared = resolve(target, copy_of=target.id) if target is not None else None
        out[candidate.id] = shared or resolve(candidate)
    return out


def canonical_of(article: Article, *, known: Iterable[Edition] = ()) -> Canonical | None:
    """The canonical page of one article (None: no edition carries it)."""
    return canonicals([article], known=known)[article.pk]


def canonical_url(article: Article, fallback_edition: Edition | None = None) -> str:
    """The article's canonical URL; with no edition carrying it, its page in
    ``fallback_edition`` (or "")."""
    found = canonical_of(article, known=[fallback_edition] if fallback_edition else [])
    if found is not None:
        return found.url
    if fallback_edition is not None:
        return edition_base_url(fallback_edition) + article_path_for(article.pk, article.slug)
    return ""
