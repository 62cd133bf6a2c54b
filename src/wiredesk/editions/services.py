"""Writes for editions: creating them and placing articles in them."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.text import slugify

from wiredesk.editions.models import Edition, EditionHost, Placement, validate_zone
from wiredesk.editions.signals import placements_changed
from wiredesk.errors import WiredeskError
from wiredesk.newsroom.models import Agency, Article, Section
from wiredesk.wire.placement import EditionRule, editions_for


class EditionError(WiredeskError):
    """An edition request that cannot be carried out; the message says why."""


def edition_rules() -> list[EditionRule]:
    rules = []
    for edition in Edition.objects.prefetch_related("sections", "agencies"):
        rules.append(EditionRule(
            edition_id=edition.pk,
            sections=frozenset(s.slug for s in edition.sections.all()),
            agencies=frozenset(a.code.upper() for a in edition.agencies.all())))
    return rules


def place_article(article: Article, *, rules: list[EditionRule] | None = None) -> list[int]:
    """Place an article in every edition whose rules want it, and remove it from the others.

    Only the editions named by ``rules`` are considered (all of them by default);
    a placement an editor pinned is never removed by the rules.
    """
    if article.kind == Article.Kind.PRESS_RELEASE:
        # A news release stays in the editions chosen for it (place_in_editions);
        # no edition's rules add or remove it.
        return sorted(Placement.objects.filter(article=article)
                      .values_list("edition_id", flat=True))
    rules = rules if rules is not None else edition_rules()
    considered = {r.edition_id for r in rules}
    wanted = set(editions_for(rules, section=article.section.slug if article.section else "",
                              agency=article.agency.code))
    current = dict(Placement.objects.filter(article=article)
                   .values_list("edition_id", "pinned"))
    stale = [e for e, pinned in current.items()
             if e in considered and e not in wanted and not pinned]
    if stale:
        Placement.objects.filter(article=article, edition_id__in=stale).delete()
    Placement.objects.bulk_create(
        [Placement(edition_id=e, article=article, published_at=article.published_at)
         for e in wanted if e not in current],
        ignore_conflicts=True)
    Placement.objects.filter(article=article).exclude(
        published_at=article.published_at).update(published_at=article.published_at)
    changed = set(stale) | {e for e in wanted if e not in current}
    if changed:
        placements_changed.send(sender=Placement, article=article, edition_ids=sorted(changed))
    return sorted(wanted)


def place_in_editions(article: Article, edition_ids: Iterable[int]) -> list[int]:
    """Place an article in exactly these editions, whatever their rules say."""
    wanted = set(edition_ids)
    current = set(Placement.objects.filter(article=article).values_list("edition_id", flat=True))
    Placement.objects.filter(article=article).exclude(edition_id__in=wanted).delete()
    Placement.objects.bulk_create(
        [Placement(edition_id=e, article=article, published_at=article.published_at)
         for e in wanted], ignore_conflicts=True)
    Placement.objects.filter(article=article).exclude(
        published_at=article.published_at).update(published_at=article.published_at)
    # Caches and embargo tracking learn about the change the same way as for place_article.
    changed = (current ^ wanted) | wanted
    if changed:
        placements_changed.send(sender=Placement, article=article, edition_ids=sorted(changed))
    return sorted(wanted)


@transaction.atomic
def edition_save(*, name: str, slug: str = "", time_zone: str = "UTC", hosts: Iterable[str] = (),
                 sections: Iterable[str] | None = None, agencies: Iterable[str] | None = None,
                 tagline: str = "", language: str = "en") -> Edition:
    """Create or update an edition, then place the existing archive by its rules."""
    slug = slugify(slug or name)
    if not name.strip() or not slug:
        raise EditionError("an edition needs a name (and a slug made of letters and digits)")
    try:
        validate_zone(time_zone)
    except Exception as exc:
        raise EditionError(f"unknown time zone {time_zone!r} (use e.g. Australia/Sydney)") from exc
    edition, _created = Edition.objects.update_or_create(
        slug=slug, defaults={"name": name.strip(), "time_zone": time_zone,
                             "tagline": tagline, "language": language})
    for host in hosts:
        host = host.strip().lower().rstrip(".")
        if not host:
            continue
        owner = EditionHost.objects.filter(host=host).exclude(edition=edition).first()
        if owner is not None:
            raise EditionError(f"host {host} already serves edition {owner.edition.slug}")
        EditionHost.objects.get_or_create(edition=edition, host=host)
    if sections is not None:
        wanted = [slugify(s) for s in sections if s.strip()]
        found = list(Section.objects.filter(slug__in=wanted))
        missing = sorted(set(wanted) - {s.slug for s in found})
        if missing:
            raise EditionError(f"unknown section(s): {', '.join(missing)}")
        edition.sections.set(found)
    if agencies is not None:
        wanted = [a.strip().upper() for a in agencies if a.strip()]
        found_agencies = list(Agency.objects.filter(code__in=wanted))
        missing = sorted(set(wanted) - {a.code for a in found_agencies})
        if missing:
            raise EditionError(f"unknown agency code(s): {', '.join(missing)}")
        edition.agencies.set(found_agencies)
    edition_replace_all(edition=edition)
    return edition


def edition_replace_all(*, edition: Edition) -> int:
    """Re-apply one edition's rules to the whole archive (after its rules changed)."""
    rules = [r for r in edition_rules() if r.edition_id == edition.pk]
    placed = 0
    articles = Article.objects.select_related("section", "agency").exclude(
        status=Article.Status.KILLED)
    for article in articles.iterator(chunk_size=500):
        if place_article(article, rules=rules):
            placed += 1
    return placed
