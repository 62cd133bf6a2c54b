"""``wiredesk digest send | preview | status``: parse, call one service, print."""

from __future__ import annotations

import json
import sys
import time

from wiredesk.core.cli import CommandError, command, subcommands


def register(sub) -> None:
    digest = command(sub, "digest", cmd_digest, help="the daily email digest")
    d_sub = subcommands(digest, "digest_command")
    send = d_sub.add_parser("send", help="plan the digests that are due and send them")
    send.add_argument("--edition", metavar="SLUG", help="only this edition")
    send.add_argument("--now", action="store_true",
                      help="every confirmed subscriber is due now (once per local day)")
    preview = d_sub.add_parser("preview", help="write a digest's HTML to a file for a look")
    preview.add_argument("--edition", metavar="SLUG", required=True)
    preview.add_argument("--email", metavar="ADDRESS",
                         help="as this subscriber would get it (their sections)")
    preview.add_argument("--output", metavar="PATH", help="file to write (default: in the "
                                                          "data directory)")
    status = d_sub.add_parser("status", help="subscribers and deliveries per edition")
    status.add_argument("--json", action="store_true", help="one JSON object")

    bounces = command(sub, "bounces", cmd_bounces,
                      help="bounces, complaints and the suppression list")
    b_sub = subcommands(bounces, "bounces_command")
    fetch = b_sub.add_parser("fetch", help="read the bounce mailbox once "
                                           "(WIREDESK_BOUNCE_MAILBOX)")
    fetch.add_argument("--limit", type=int, default=1000, help="at most this many messages")
    listing = b_sub.add_parser("list", help="the suppressed addresses")
    listing.add_argument("--csv", action="store_true", help="as CSV (for a spreadsheet)")
    listing.add_argument("--reason", choices=["hard-bounce", "complaint", "soft-bounces",
                                              "manual"])
    suppress = b_sub.add_parser("suppress", help="never send the digest to an address")
    suppress.add_argument("email")
    suppress.add_argument("--note", default="", help="why (kept with the address)")
    unsuppress = b_sub.add_parser("unsuppress", help="take an address off the list")
    unsuppress.add_argument("email")


class _Progress:
    """A progress bar on a terminal; a line every 10% otherwise (logs stay readable)."""

    def __init__(self, total: int, stream=None):
        self.total = max(total, 1)
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.started = time.monotonic()
        self._last_decile = -1
        self._last_draw = 0.0

    def __call__(self, report) -> None:
        done = report.sent + report.failed + report.skipped
        now = time.monotonic()
        rate = done / max(now - self.started, 1e-6)
        if self.tty:
            if now - self._last_draw < 0.1 and done < self.total:
                return
            self._last_draw = now
            width = 30
            filled = min(width, int(width * done / self.total))
            self.stream.write(f"\r[{'#' * filled}{' ' * (width - filled)}] {done}/{self.total}"
                              f"  {report.sent} sent {report.failed} failed "
                              f"{report.retry} retry  {rate:.0f} msg/s ")
            self.stream.flush()
            return
        decile = min(10, 10 * done // self.total)
        if decile != self._last_decile:
            self._last_decile = decile
            print(f"{done}/{self.total} ({decile * 10}%): {report.summary()}, {rate:.0f} msg/s",
                  file=self.stream, flush=True)

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")


def cmd_digest(args) -> int:
    from wiredesk.editions.models import Edition

    edition = None
    if getattr(args, "edition", None):
        edition = Edition.objects.filter(slug=args.edition).first()
        if edition is None:
            raise CommandError(f"no edition with slug {args.edition!r} "
                                "(see `wiredesk edition list`)")
    if args.digest_command == "status":
        return _status(args)
    if args.digest_command == "preview":
        return _preview(edition, args)
    return _send(edition, args)


def _status(args) -> int:
    from wiredesk.digest.selectors import DELIVERY_STATES, SUBSCRIBER_STATES, digest_status

    status = digest_status()
    if args.json:
        print(json.dumps(status, indent=2))
        return 0
    if not status:
        print("no editions yet")
        return 0
    print(f"{'edition':<16} " + " ".join(f"{s:>12}" for s in SUBSCRIBER_STATES) + "  | "
          + " ".join(f"{d:>8}" for d in DELIVERY_STATES))
    for slug, row in status.items():
        print(f"{slug:<16} " + " ".join(f"{row['subscribers'][s]:>12}"
                                        for s in SUBSCRIBER_STATES) + "  | "
              + " ".join(f"{row['deliveries'][d]:>8}" for d in DELIVERY_STATES))
    return 0


def _preview(edition, args) -> int:
    from django.conf import settings

    from wiredesk.digest.models import Subscriber
    from wiredesk.digest.previews import PreviewError, digest_preview

    subscriber = None
    if args.email:
        subscriber = Subscriber.objects.filter(edition=edition,
                                               email=args.email.strip().lower()).first()
        if subscriber is None:
            raise CommandError(f"{args.email} is not a subscriber of {edition.slug}")
    try:
        preview = digest_preview(edition=edition, subscriber=subscriber)
    except PreviewError as exc:
        raise CommandError(str(exc)) from exc
    path = args.output or str(settings.DATA_DIR / f"digest-preview-{edition.slug}.html")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(preview.html)
    print(f"{preview.story_count} stories ({preview.note}); subject: {preview.subject}",
          file=sys.stderr)
    print(path)
    return 0


def _send(edition, args) -> int:
    from wiredesk.digest.sending import pending_count, send_pending
    from wiredesk.digest.services import digest_plan

    plan = digest_plan(edition=edition, force=args.now)
    print(f"planned {plan.planned} deliveries ({plan.already_planned} already in the ledger, "
          f"{plan.nothing_new} subscribers with nothing new)")
    total = pending_count(edition=edition)
    progress = _Progress(total)
    try:
        report = send_pending(edition=edition, progress=progress)
    finally:
        progress.close()
    if report.recovered.in_flight_resent or report.recovered.returned:
        print(f"recovered a dead sender's claims: {report.recovered.returned} returned, "
              f"{report.recovered.in_flight_resent} in-flight message(s) sent again with "
              "the same Message-ID")
    left = pending_count(edition=edition)
    print(f"{report.summary()}; {left} still pending (of {total} at start), "
          f"{report.connections} SMTP connection(s)")
    if report.stopped and report.sent == 0 and "cannot connect" in report.stopped:
        raise CommandError(report.stopped)
    return 0


SUPPRESSION_CSV_FIELDS = ["email", "reason", "detail", "source", "created_at"]


def suppression_rows(queryset):
    """The suppression list as CSV rows (the admin's export writes the same)."""
    for row in queryset.order_by("email"):
        yield [row.email, row.reason, row.detail, row.source, row.created_at.isoformat()]


def cmd_bounces(args) -> int:
    import csv

    from wiredesk.digest import bounces
    from wiredesk.digest.models import Suppression
    from wiredesk.inbox import MailboxError

    if args.bounces_command == "fetch":
        try:
            report = bounces.bounces_fetch(limit=args.limit)
        except MailboxError as exc:
            raise CommandError(str(exc)) from exc
        print(report.summary())
        return 1 if report.failed else 0
    if args.bounces_command == "list":
        rows = Suppression.objects.all()
        if args.reason:
            rows = rows.filter(reason=args.reason)
        if args.csv:
            writer = csv.writer(sys.stdout)
            writer.writerow(SUPPRESSION_CSV_FIELDS)
            writer.writerows(suppression_rows(rows))
            return 0
        for row in rows:
            print(f"{row.email:<40} {row.reason:<13} {row.created_at:%Y-%m-%d %H:%M} "
                  f"{row.detail[:60]}")
        print(f"{rows.count()} suppressed", file=sys.stderr)
        return 0
    email = args.email.strip().lower()
    if "@" not in email:
        raise CommandError(f"{args.email!r} is not an email address")
    if args.bounces_command == "suppress":
        _, created = bounces.suppression_add(email=email, reason=Suppression.Reason.MANUAL,
                                             detail=args.note, source="cli")
        print(f"{email} suppressed" if created else f"{email} was already suppressed")
        return 0
    removed = bounces.suppression_remove(email=email)
    print(f"{email} taken off the list" if removed else f"{email} was not on the list")
    return 0
