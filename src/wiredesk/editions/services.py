"""Writes for editions: creating them and placing articles in them."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from wiredesk.core.audit import record
from wiredesk.editions import brand_images, branding
from wiredesk.editions.models import (
    Edition,
    EditionHost,
    EditionPage,
    FooterLink,
    Placement,
    validate_zone,
)
from wiredesk.editions.signals import placements_changed
from wiredesk.errors import WiredeskError
from wiredesk.newsroom.models import Agency, Article, Section
from wiredesk.wire.language import normalize_tag
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


def place_article(article: Article, *, rules: list[EditionRule] | None = None,
                  new: bool = False) -> list[int]:
    """Place an article in every edition whose rules want it, and remove it from the others.

    Only the editions named by ``rules`` are considered (all of them by default);
    a placement an editor pinned is never removed by the rules. ``new``: the article was
    inserted in this transaction, so it has no placements yet to read or re-date.
    """
    if article.kind in (Article.Kind.PRESS_RELEASE, Article.Kind.DESK):
        # A news release and the desk's own article stay in the editions chosen for them
        # (place_in_editions); no edition's rules add or remove them later.
        return sorted(Placement.objects.filter(article=article)
                      .values_list("edition_id", flat=True))
    rules = rules if rules is not None else edition_rules()
    considered = {r.edition_id for r in rules}
    wanted = set(editions_for(rules, section=article.section.slug if article.section else "",
                              agency=article.agency.code))
    current = {} if new else dict(Placement.objects.filter(article=article)
                                  .values_list("edition_id", "pinned"))
    stale = [e for e, pinned in current.items()
             if e in considered and e not in wanted and not pinned]
    if stale:
        Placement.objects.filter(article=article, edition_id__in=stale).delete()
    _insert_placements(article, [e for e in sorted(wanted) if e not in current])
    if not new:
        Placement.objects.filter(article=article).exclude(
            published_at=article.published_at).update(published_at=article.published_at)
    changed = set(stale) | {e for e in wanted if e not in current}
    if changed:
        placements_changed.send(sender=Placement, article=article, edition_ids=sorted(changed))
    return sorted(wanted)


_PLACEMENTS = Placement._meta.db_table
_ADD_PLACEMENT = (f"INSERT INTO {_PLACEMENTS} (edition_id, article_id, placed_at,"  # noqa: S608
                  " published_at, pinned, canonical) VALUES (%s, %s, %s, %s, %s, %s)"
                  " ON CONFLICT DO NOTHING")


def _insert_placements(article: Article, edition_ids: list[int]) -> None:
    """``bulk_create(..., ignore_conflicts=True)`` of the article's new placements as plain
    SQL: every stored article has one or more, and building the ORM's INSERT cost more."""
    if not edition_ids:
        return
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    published = ops.adapt_datetimefield_value(article.published_at)
    with connection.cursor() as cursor:
        cursor.executemany(_ADD_PLACEMENT, [(e, article.pk, now, published, False, False)
                                            for e in edition_ids])


def rule_editions(article: Article) -> list[int]:
    """The editions whose rules want the article (by its section and agency): where the
    desk's own article goes when the editor ticks none."""
    return sorted(editions_for(edition_rules(),
                               section=article.section.slug if article.section else "",
                               agency=article.agency.code))


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
    tag = normalize_tag(language)
    if not tag:
        raise EditionError(f"{language!r} is not a language tag (use BCP 47: en, es, ar, pt-BR)")
    language = tag
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
        edition.sections.set(_sections_named(sections))
    if agencies is not None:
        edition.agencies.set(_agencies_named(agencies))
    edition_replace_all(edition=edition)
    return edition


def edition_update(slug: str, *, name: str | None = None, time_zone: str | None = None,
                   hosts: Iterable[str] = (), sections: Iterable[str] | None = None,
                   agencies: Iterable[str] | None = None,
                   tagline: str | None = None, language: str | None = None) -> Edition:
    """Change what is given of an existing edition (hosts are added); the rest stays."""
    edition = Edition.objects.filter(slug=slug).first()
    if edition is None:
        raise EditionError(f"no edition {slug!r} (see `wiredesk edition list`)")
    hosts = list(hosts)
    if name is None and time_zone is None and not hosts and sections is None \
            and agencies is None and tagline is None and language is None:
        return edition
    return edition_save(name=edition.name if name is None else name, slug=edition.slug,
                        time_zone=time_zone or edition.time_zone, hosts=hosts,
                        sections=sections, agencies=agencies,
                        tagline=edition.tagline if tagline is None else tagline,
                        language=edition.language if language is None else language)


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


# What `edition_brand_set` may change besides the pictures (model field names).
BRAND_FIELDS = ("brand_color", "accent_color", "text_color", "background_color", "font_body",
                "font_headings", "logo_replaces_name", "sender_name", "sender_address",
                "reply_to", "postal_address", "template_folder")
BRAND_IMAGES = ("logo", "logo_dark", "icon")


def _validation_message(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        parts = []
        for field, errors in exc.message_dict.items():
            label = (Edition._meta.get_field(field).verbose_name
                     if field != "__all__" else "edition")
            parts += [f"{label}: {message}" for message in errors]
        return "; ".join(parts)
    return "; ".join(exc.messages)


@transaction.atomic
def edition_brand_set(edition: Edition, *, logo: bytes | None = None,
                      logo_dark: bytes | None = None, icon: bytes | None = None,
                      remove: Iterable[str] = (), **fields) -> Edition:
    """Change an edition's look and sender: colours, fonts, pictures, mail, templates.

    ``fields`` are ``BRAND_FIELDS`` (a value of None leaves the field as it is); pictures
    are the uploaded bytes, checked and re-encoded before anything is saved; ``remove``
    names pictures to drop (``logo``, ``logo_dark``, ``icon``). Refusals are EditionError
    with every reason in the message."""
    unknown = set(fields) - set(BRAND_FIELDS)
    if unknown or set(remove) - set(BRAND_IMAGES):
        raise EditionError(f"unknown brand setting(s): {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        if value is None:
            continue
        if name.endswith("_color") and value:
            try:
                value = branding.parse_colour(value)
            except branding.BrandValueError as exc:
                raise EditionError(f"{Edition._meta.get_field(name).verbose_name}: {exc}") \
                    from exc
        elif name.startswith("font_"):
            try:
                value = branding.parse_font(value)
            except branding.BrandValueError as exc:
                raise EditionError(f"{Edition._meta.get_field(name).verbose_name}: {exc}") \
                    from exc
        setattr(edition, name, value.strip() if isinstance(value, str) else value)
    try:
        edition.full_clean(exclude=["sections", "agencies"])
    except ValidationError as exc:
        raise EditionError(_validation_message(exc)) from exc
    media_root = Path(settings.MEDIA_ROOT)
    for name in remove:
        setattr(edition, name, "")
        if name != "icon":
            setattr(edition, f"{name}_width", 0)
            setattr(edition, f"{name}_height", 0)
    try:
        for name, data in (("logo", logo), ("logo_dark", logo_dark)):
            if data is not None:
                what = "dark logo" if name == "logo_dark" else "logo"
                stored = brand_images.store_logo(data, media_root=media_root, what=what)
                setattr(edition, name, stored.name)
                setattr(edition, f"{name}_width", stored.width)
                setattr(edition, f"{name}_height", stored.height)
        if icon is not None:
            edition.icon = brand_images.store_icon(icon, media_root=media_root)
    except brand_images.BrandImageRejected as exc:
        raise EditionError(str(exc)) from exc
    edition.save()
    return edition


def edition_page_set(edition: Edition, kind: str, body: str, *, title: str = "") -> None:
    """Write one of the edition's text pages (sanitized on save); an empty body removes it."""
    if kind not in EditionPage.Kind.values:
        raise EditionError(f"unknown page {kind!r}: one of {', '.join(EditionPage.Kind.values)}")
    if not (body or "").strip():
        EditionPage.objects.filter(edition=edition, kind=kind).delete()
        return
    EditionPage.objects.update_or_create(edition=edition, kind=kind,
                                         defaults={"body_html": body, "title": title})


def edition_footer_set(edition: Edition, links: Iterable[tuple[str, str]]) -> None:
    """Replace the edition's extra footer links with ``(label, url)`` pairs, in order."""
    made = []
    for position, (label, url) in enumerate(links, start=1):
        link = FooterLink(edition=edition, label=label.strip(), url=url.strip(),
                          position=position)
        try:
            link.full_clean(exclude=["edition"])
        except ValidationError as exc:
            raise EditionError(f"footer link {label!r}: {'; '.join(exc.messages)}") from exc
        made.append(link)
    with transaction.atomic():
        FooterLink.objects.filter(edition=edition).delete()
        for link in made:  # saved one by one: the page cache hears of each (signals)
            link.save()


@transaction.atomic
def article_canonical_set(*, article: Article, edition: Edition | None, actor=None) -> None:
    """The desk's choice of the article's canonical page: this edition's (it must carry
    the article), or none (the policy's other rules decide again; editions/canonical.py).

    Every edition that carries the article shows its canonical link, so each is told.
    """
    carried = set(Placement.objects.filter(article=article).values_list("edition_id",
                                                                        flat=True))
    if edition is not None and edition.pk not in carried:
        raise EditionError(f"edition {edition.slug} does not carry article {article.pk}")
    Placement.objects.filter(article=article, canonical=True).exclude(
        edition=edition).update(canonical=False)
    if edition is not None:
        Placement.objects.filter(article=article, edition=edition).update(canonical=True)
    record(actor, "article.canonical", article, edition=edition,
           canonical=edition.slug if edition is not None else None)
    if carried:
        placements_changed.send(sender=Placement, article=article, edition_ids=sorted(carried))


@transaction.atomic
def edition_homes_set(edition: Edition, *, sections: Iterable[str] | None = None,
                      agencies: Iterable[str] | None = None) -> Edition:
    """Make the edition the canonical home of these sections' or agencies' articles (by
    slug and code; an empty list clears it, None leaves it as it is)."""
    if sections is not None:
        edition.home_of_sections.set(_sections_named(sections))
    if agencies is not None:
        edition.home_of_agencies.set(_agencies_named(agencies))
    return edition


def _sections_named(slugs: Iterable[str]) -> list[Section]:
    wanted = [slugify(s) for s in slugs if s.strip()]
    found = list(Section.objects.filter(slug__in=wanted))
    missing = sorted(set(wanted) - {s.slug for s in found})
    if missing:
        raise EditionError(f"unknown section(s): {', '.join(missing)}")
    return found


def _agencies_named(codes: Iterable[str]) -> list[Agency]:
    wanted = [a.strip().upper() for a in codes if a.strip()]
    found = list(Agency.objects.filter(code__in=wanted))
    missing = sorted(set(wanted) - {a.code for a in found})
    if missing:
        raise EditionError(f"unknown agency code(s): {', '.join(missing)}")
    return found
