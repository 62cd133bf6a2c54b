"""``wiredesk edition add | update | list``; ``wiredesk role grant | revoke | list``."""

from __future__ import annotations

import argparse
from pathlib import Path

from wiredesk.core.cli import CommandError, command, split_list, subcommands

PICTURES = {"logo": "logo", "logo_dark": "dark logo", "icon": "icon"}
PAGE_KINDS = ("about", "contact", "terms", "privacy")  # EditionPage.Kind


def register(sub) -> None:
    edition = command(sub, "edition", cmd_edition, help="manage editions")
    ed_sub = subcommands(edition, "edition_command")
    ed_add = ed_sub.add_parser("add", help="add or update an edition")
    ed_add.add_argument("--name", required=True)
    ed_add.add_argument("--slug", default="")
    ed_add.add_argument("--timezone", default="UTC")
    ed_add.add_argument("--host", action="append", default=[], help="host name (repeatable)")
    ed_add.add_argument("--sections", default=None, help="comma-separated section slugs")
    ed_add.add_argument("--agencies", default=None, help="comma-separated agency codes")
    ed_add.add_argument("--tagline", default="")
    ed_add.add_argument("--language", default="en", metavar="CODE",
                        help="BCP 47 language of the edition's pages (en, es, ar, pt-BR); "
                             "right-to-left ones (ar, he, fa, ur) get dir=rtl")
    _brand_options(ed_add)
    ed_update = ed_sub.add_parser(
        "update", help="change an edition: only the options given change")
    ed_update.add_argument("slug")
    ed_update.add_argument("--name", default=None)
    ed_update.add_argument("--timezone", default=None)
    ed_update.add_argument("--host", action="append", default=[],
                           help="add a host name (repeatable)")
    ed_update.add_argument("--sections", default=None, help="comma-separated section slugs")
    ed_update.add_argument("--agencies", default=None, help="comma-separated agency codes")
    ed_update.add_argument("--tagline", default=None)
    ed_update.add_argument("--language", default=None, metavar="CODE",
                           help="BCP 47 language of the edition's pages")
    _brand_options(ed_update)
    for parser in (ed_add, ed_update):
        homes = parser.add_argument_group("canonical home (one URL per article)")
        homes.add_argument("--home-sections", default=None, metavar="SLUGS",
                           help="this edition's page is the canonical one of these sections' "
                                "articles it carries (comma-separated; '' for none)")
        homes.add_argument("--home-agencies", default=None, metavar="CODES",
                           help="the same for these agencies' articles, after section homes")
    ed_sub.add_parser("list", help="list editions")
    canonical = ed_sub.add_parser(
        "canonical", help="the desk's choice of an article's canonical page: this edition's")
    canonical.add_argument("article", type=int, help="article id")
    canonical.add_argument("slug", nargs="?", default=None,
                           help="the edition whose page is canonical (it must carry it)")
    canonical.add_argument("--clear", action="store_true",
                           help="no choice: the home editions or the first edition decide")
    _register_roles(sub)


def _register_roles(sub) -> None:
    role = command(sub, "role", cmd_role,
                   help="who edits what: edition editors, desk editors (editions/roles.py)")
    role_sub = subcommands(role, "role_command")
    for name, verb in (("grant", "make USERNAME"), ("revoke", "USERNAME is no longer")):
        parser = role_sub.add_parser(name, help=f"{verb} an editor of one edition (--edition) "
                                     "or a desk editor of all (--desk); audited")
        parser.add_argument("username")
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--edition", metavar="SLUG", help="an editor of this edition")
        which.add_argument("--desk", action="store_true",
                           help="a desk editor: every desk permission, every edition")
    role_sub.add_parser("list", help="administrators, desk editors and edition editors")


def cmd_role(args) -> int:
    from wiredesk.editions import roles

    if args.role_command == "list":
        found = roles.roles_list()
        for grant in found:
            print(f"{grant.username:<24} {grant.role}"
                  + (f" of {grant.edition}" if grant.edition else ""))
        if not found:
            print("no roles: only superusers (`wiredesk createsuperuser`) may use the desk")
        return 0
    act = roles.role_grant if args.role_command == "grant" else roles.role_revoke
    try:
        grant = act(actor="cli", username=args.username, edition=args.edition,
                    desk=args.desk)
    except roles.RoleError as exc:
        raise CommandError(str(exc)) from exc
    where = f" of {grant.edition}" if grant.edition else " (every edition)"
    done = "is now" if args.role_command == "grant" else "is no longer"
    print(f"{grant.username} {done} {grant.role}{where}")
    return 0


def _brand_options(parser) -> None:
    from wiredesk.editions.branding import FONT_STACKS

    look = parser.add_argument_group("look and mail")
    for name in ("brand", "accent", "text", "background"):
        look.add_argument(f"--{name}-color", default=None, metavar="HEX",
                          help=f"{name} colour, e.g. #0b3d91 ('' for the default)")
    fonts = ", ".join(FONT_STACKS)
    look.add_argument("--font-body", default=None, help=f"one of: {fonts}")
    look.add_argument("--font-headings", default=None, help=f"one of: {fonts}")
    for name, label in PICTURES.items():
        flag = name.replace("_", "-")
        look.add_argument(f"--{flag}", default=None, metavar="FILE",
                          help=f"the {label}: PNG, JPEG or WebP"
                          + (", square, at least 180x180" if name == "icon" else ""))
        look.add_argument(f"--no-{flag}", action="store_true", help=f"remove the {label}")
    look.add_argument("--logo-replaces-name", default=None,
                      action=argparse.BooleanOptionalAction,
                      help="the logo spells the name: show it instead of the name in text")
    look.add_argument("--sender-name", default=None, help="From name of its mail")
    look.add_argument("--sender-address", default=None,
                      help="From address of its mail ('' for WIREDESK_FROM_EMAIL's)")
    look.add_argument("--reply-to", default=None, metavar="ADDRESS",
                      help="where replies to its mail go ('' for the From address)")
    look.add_argument("--postal-address", default=None, metavar="TEXT",
                      help="the publisher's postal address, at the foot of its digest")
    look.add_argument("--template-folder", default=None, metavar="NAME",
                      help="its template overrides: WIREDESK_DATA_DIR/edition-templates/NAME/")
    look.add_argument("--page", action="append", default=[], metavar="KIND=FILE",
                      help=f"a text page ({', '.join(PAGE_KINDS)}) from an HTML or text "
                           "file; an empty file removes it (repeatable)")
    look.add_argument("--footer-link", action="append", default=None, metavar="LABEL=URL",
                      help="a footer link; given at all, the links are replaced (repeatable)")
    look.add_argument("--no-footer-links", action="store_true", help="remove every footer link")


def _read(path: str, what: str) -> bytes:
    try:
        return Path(path).expanduser().read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read the {what} {path}: {exc.strerror or exc}") from exc


def _pairs(values, what: str) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip() or not rest.strip():
            raise CommandError(f"--{what} takes {'KIND=FILE' if what == 'page' else 'LABEL=URL'}"
                               f", not {value!r}")
        pairs.append((key.strip(), rest.strip()))
    return pairs


def _apply_brand(edition, args) -> None:
    from wiredesk.editions import services

    fields = {name: getattr(args, name) for name in services.BRAND_FIELDS}
    pictures = {name: _read(getattr(args, name), label)
                for name, label in PICTURES.items() if getattr(args, name)}
    remove = [name for name in PICTURES if getattr(args, f"no_{name}")]
    if any(v is not None for v in fields.values()) or pictures or remove:
        services.edition_brand_set(edition, remove=remove, **pictures, **fields)
    for kind, path in _pairs(args.page, "page"):
        if kind not in PAGE_KINDS:
            raise CommandError(f"unknown page {kind!r}: one of {', '.join(PAGE_KINDS)}")
        services.edition_page_set(edition, kind, _read(path, f"{kind} page").decode(
            "utf-8", errors="replace"))
    if args.no_footer_links or args.footer_link is not None:
        services.edition_footer_set(edition, _pairs(args.footer_link or [], "footer-link"))


def cmd_edition(args) -> int:
    from django.db import transaction

    from wiredesk.editions import services
    from wiredesk.editions.models import Edition

    if args.edition_command in ("add", "update"):
        with transaction.atomic():
            if args.edition_command == "add":
                edition = services.edition_save(
                    name=args.name, slug=args.slug, time_zone=args.timezone, hosts=args.host,
                    sections=split_list(args.sections), agencies=split_list(args.agencies),
                    tagline=args.tagline, language=args.language)
            else:
                edition = services.edition_update(
                    args.slug, name=args.name, time_zone=args.timezone, hosts=args.host,
                    sections=split_list(args.sections), agencies=split_list(args.agencies),
                    tagline=args.tagline, language=args.language)
            _apply_brand(edition, args)
            if args.home_sections is not None or args.home_agencies is not None:
                services.edition_homes_set(edition, sections=split_list(args.home_sections),
                                           agencies=split_list(args.home_agencies))
        print(f"edition {edition.slug}: {edition.name} ({edition.time_zone}), "
              f"{edition.placements.count()} articles placed")
        return 0
    if args.edition_command == "canonical":
        return _set_canonical(args)
    for e in Edition.objects.prefetch_related("hosts", "sections", "agencies"):
        hosts = ",".join(h.host for h in e.hosts.all()) or "-"
        sections = ",".join(s.slug for s in e.sections.all()) or "all"
        agencies = ",".join(a.code for a in e.agencies.all()) or "all"
        print(f"{e.slug:<16} {e.name:<24} {e.time_zone:<22} hosts={hosts} "
              f"sections={sections} agencies={agencies} articles={e.placements.count()}")
    return 0


def _set_canonical(args) -> int:
    from wiredesk.editions import services
    from wiredesk.editions.canonical import canonical_of
    from wiredesk.editions.models import Edition
    from wiredesk.newsroom.models import Article

    if (args.slug is None) == (not args.clear):
        raise CommandError("name the edition whose page is canonical, or --clear")
    article = Article.objects.filter(pk=args.article).first()
    if article is None:
        raise CommandError(f"no article {args.article}")
    edition = None
    if args.slug is not None:
        edition = Edition.objects.filter(slug=args.slug).first()
        if edition is None:
            raise CommandError(f"no edition {args.slug!r} (see `wiredesk edition list`)")
    services.article_canonical_set(article=article, edition=edition, actor="cli")
    found = canonical_of(article)
    print(f"article {article.pk}: canonical {found.url if found else '(no edition carries it)'}"
          f"{f' ({found.rule})' if found else ''}")
    return 0
