"""``wiredesk edition add | list``."""

from __future__ import annotations

from wiredesk.core.cli import command, split_list, subcommands


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
    ed_sub.add_parser("list", help="list editions")


def cmd_edition(args) -> int:
    from wiredesk.editions import services
    from wiredesk.editions.models import Edition

    if args.edition_command == "add":
        edition = services.edition_save(
            name=args.name, slug=args.slug, time_zone=args.timezone, hosts=args.host,
            sections=split_list(args.sections), agencies=split_list(args.agencies),
            tagline=args.tagline)
        print(f"edition {edition.slug}: {edition.name} ({edition.time_zone}), "
              f"{edition.placements.count()} articles placed")
        return 0
    for e in Edition.objects.prefetch_related("hosts", "sections", "agencies"):
        hosts = ",".join(h.host for h in e.hosts.all()) or "-"
        sections = ",".join(s.slug for s in e.sections.all()) or "all"
        agencies = ",".join(a.code for a in e.agencies.all()) or "all"
        print(f"{e.slug:<16} {e.name:<24} {e.time_zone:<22} hosts={hosts} "
              f"sections={sections} agencies={agencies} articles={e.placements.count()}")
    return 0
