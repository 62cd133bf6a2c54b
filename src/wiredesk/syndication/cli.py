"""``wiredesk partner add | list | deliveries | resend | rotate-secret | push``."""

from __future__ import annotations

import time

from wiredesk.core.cli import CommandError, command, subcommands


def register(sub) -> None:
    partner = command(sub, "partner", cmd_partner, help="partners pushed to (webhook, FTP, email)")
    p_sub = subcommands(partner, "partner_command")
    add = p_sub.add_parser("add", help="add a partner, pushed to from now on")
    add.add_argument("name")
    add.add_argument("--url", required=True,
                     help="https://… (webhook), ftp://user:password@host/folder, mailto:address")
    add.add_argument("--format", choices=["ninjs", "newsml", "json"], default="json")
    add.add_argument("--edition", metavar="SLUG", help="only this edition's articles")
    add.add_argument("--secret", help="the signing secret (default: a new random one, shown)")
    p_sub.add_parser("list", help="partners, their queues and last errors")
    deliveries = p_sub.add_parser("deliveries", help="a partner's deliveries and their ledger")
    deliveries.add_argument("name")
    deliveries.add_argument("--dead", action="store_true", help="only dead letters")
    deliveries.add_argument("--limit", type=int, default=50)
    resend = p_sub.add_parser("resend", help="send dead letters again")
    resend.add_argument("name")
    resend.add_argument("keys", nargs="*", metavar="KEY",
                        help="these deliveries (default: every dead letter of the partner)")
    rotate = p_sub.add_parser("rotate-secret", help="a new signing secret; the old one signs "
                                                    "too for WIREDESK_PUSH_SECRET_GRACE_HOURS")
    rotate.add_argument("name")
    rotate.add_argument("--secret", help="the new secret (default: a new random one, shown)")
    push = p_sub.add_parser("push", help="push what is due now (the scheduler does it too)")
    push.add_argument("--loop", action="store_true", help="keep pushing until stopped")
    push.add_argument("--interval", type=float, default=2.0, help="seconds between loop runs")


def _partner(name: str):
    from wiredesk.syndication.models import Partner

    partner = Partner.objects.filter(name=name).first()
    if partner is None:
        raise CommandError(f"no partner named {name!r} (see `wiredesk partner list`)")
    return partner


def cmd_partner(args) -> int:
    handler = {"add": _add, "list": _list, "deliveries": _deliveries, "resend": _resend,
               "rotate-secret": _rotate, "push": _push}[args.partner_command]
    return handler(args)


def _add(args) -> int:
    from wiredesk.editions.models import Edition
    from wiredesk.syndication.services import partner_add

    edition = None
    if args.edition:
        edition = Edition.objects.filter(slug=args.edition).first()
        if edition is None:
            raise CommandError(f"no edition with slug {args.edition!r} "
                               "(see `wiredesk edition list`)")
    partner = partner_add(name=args.name, url=args.url, format=args.format, edition=edition,
                          secret=args.secret or "")
    scope = f"edition {edition.slug}" if edition else "every edition"
    print(f"partner {partner.name}: {partner.format} by {partner.transport} to {partner.url} "
          f"({scope})")
    if not args.secret:
        print(f"signing secret: {partner.secret}")
    return 0


def _list(args) -> int:
    from django.db.models import Count, Q

    from wiredesk.syndication.models import Delivery, Partner

    partners = Partner.objects.select_related("edition").annotate(
        waiting=Count("deliveries", filter=Q(deliveries__state__in=[
            Delivery.State.PENDING, Delivery.State.SENDING])),
        dead=Count("deliveries", filter=Q(deliveries__state=Delivery.State.DEAD)),
        acked=Count("deliveries", filter=Q(deliveries__state=Delivery.State.ACKED)))
    if not partners:
        print("no partners yet: add one with `wiredesk partner add NAME --url URL`")
    for p in partners:
        state = "active" if p.active else "paused"
        scope = p.edition.slug if p.edition else "*"
        print(f"{p.name:<20} {state:<6} {p.format:<6} {p.transport:<7} {scope:<12} "
              f"acked {p.acked:>6}  waiting {p.waiting:>5}  dead {p.dead:>4}  {p.url}")
        if p.last_error:
            print(f"{'':<20} last error {p.last_error_at:%Y-%m-%d %H:%M}: {p.last_error[:200]}")
    return 0


def _deliveries(args) -> int:
    from wiredesk.syndication.models import Delivery

    partner = _partner(args.name)
    rows = Delivery.objects.filter(partner=partner).prefetch_related("ledger")
    if args.dead:
        rows = rows.filter(state=Delivery.State.DEAD)
    rows = list(rows.order_by("-pk")[:max(args.limit, 1)])
    if not rows:
        print(f"partner {partner.name}: no deliveries{' dead' if args.dead else ''} yet")
    for d in rows:
        print(f"{d.key:<32} {d.state:<10} attempts {d.attempts:<3} "
              f"made {d.created_at:%Y-%m-%d %H:%M:%S}"
              + (f"  acked {d.acked_at:%H:%M:%S}" if d.acked_at else ""))
        for a in d.ledger.all():
            status = a.status_code or "-"
            mark = "ack" if a.acked else "no"
            print(f"    #{a.number:<3} {a.at:%Y-%m-%d %H:%M:%S}  {mark:<3} {status!s:<4} "
                  f"{a.duration_ms:>6} ms  {a.error[:160]}")
    return 0


def _resend(args) -> int:
    from wiredesk.syndication.models import Delivery
    from wiredesk.syndication.services import deliveries_resend

    partner = _partner(args.name)
    rows = Delivery.objects.filter(partner=partner)
    rows = rows.filter(key__in=args.keys) if args.keys else rows.filter(
        state=Delivery.State.DEAD)
    count = deliveries_resend(deliveries=rows)
    print(f"partner {partner.name}: {count} delivery(ies) to send again")
    return 0


def _rotate(args) -> int:
    from wiredesk.syndication.services import partner_rotate_secret

    partner = partner_rotate_secret(partner=_partner(args.name), secret=args.secret or "")
    print(f"partner {partner.name}: new secret in use; the previous one signs too until "
          f"{partner.previous_secret_until:%Y-%m-%d %H:%M} UTC")
    if not args.secret:
        print(f"signing secret: {partner.secret}")
    return 0


def _push(args) -> int:
    from wiredesk.syndication.sending import push_due

    while True:
        report = push_due()
        if not report.nothing_done or not args.loop:
            print(report.summary(), flush=True)
        if not args.loop:
            return 0
        time.sleep(max(args.interval, 0.1))
