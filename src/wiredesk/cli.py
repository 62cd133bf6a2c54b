"""The ``wiredesk`` command: our own subcommands, and every Django command besides.

Each subcommand parses its arguments and calls one service; errors an operator can
fix are one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from datetime import timedelta
from pathlib import Path

OWN_COMMANDS = {"demo", "serve", "ingest", "feed", "edition", "poll", "jobs", "worker",
                "scheduler", "extract", "article",
                "sections", "releases", "digest",
                "backup", "restore", "publish"}
# Commands that never touch the database: no migrations run for them.
NO_DATABASE = {"demo", "extract"}
OWN_COMMANDS |= {"search", "apikey"}


class CommandError(Exception):
    pass


def _setup_django(data_dir: str | None = None) -> None:
    if data_dir:
        os.environ["WIREDESK_DATA_DIR"] = str(Path(data_dir).expanduser().resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiredesk.settings")
    import django

    django.setup()


def parse_interval(text: str) -> timedelta:
    """``90s``, ``10m``, ``2h``, ``1d`` or a bare number of minutes."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhd]?)\s*", text or "")
    if not match:
        raise argparse.ArgumentTypeError(f"not an interval: {text!r} (use e.g. 10m, 2h)")
    value, unit = int(match.group(1)), match.group(2) or "m"
    return timedelta(**{{"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[unit]: value})


def _split(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="wiredesk", description="Wire desk and syndication for news publishers.")
    parser.add_argument("--data-dir", help="data directory (default: $WIREDESK_DATA_DIR "
                                           "or ./wiredesk-data)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    demo = sub.add_parser("demo", help="build the demo instance and serve it")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--data-dir", dest="sub_data_dir")
    demo.add_argument("--no-serve", action="store_true", help="build the instance, do not serve")

    serve = sub.add_parser("serve", help="serve the instance with a production WSGI server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=2)
    serve.add_argument("--no-scheduler", action="store_true",
                       help="do not run the in-process job scheduler")
    serve.add_argument("--pid-file", default=None,
                       help="write the server's pid here (send it SIGHUP for a graceful "
                            "reload, SIGTERM to stop)")

    ingest = sub.add_parser("ingest", help="ingest feeds or files once")
    ingest.add_argument("sources", nargs="+", metavar="URL_OR_PATH")
    ingest.add_argument("--agency", help="agency code (taken from the feed when known)")

    feed = sub.add_parser("feed", help="manage feeds")
    feed_sub = feed.add_subparsers(dest="feed_command", required=True, parser_class=_Parser)
    feed_add = feed_sub.add_parser("add", help="add a feed to poll")
    feed_add.add_argument("source", metavar="URL_OR_PATH")
    feed_add.add_argument("--agency", required=True, help="agency code, e.g. RFE")
    feed_add.add_argument("--agency-name", default="")
    feed_add.add_argument("--every", type=parse_interval, default=None,
                          help="poll interval, e.g. 10m (default 10m)")
    feed_add.add_argument("--now", action="store_true", help="poll it right away")
    feed_add.add_argument("--full-text", action="store_true", default=None,
                          help="fetch each new item's page for the full text (summary-only "
                               "feeds)")
    feed_sub.add_parser("list", help="list feeds with their status")

    sub.add_parser("poll", help="poll every feed that is due, once")
    jobs = sub.add_parser("jobs", help="run the in-process job scheduler (used by serve)")
    jobs.add_argument("--interval", type=float, default=30.0)

    worker = sub.add_parser("worker", help="run a Celery worker (needs REDIS_URL or "
                                           "WIREDESK_BROKER_URL)")
    worker.add_argument("--concurrency", type=int, default=None)
    worker.add_argument("--loglevel", default="INFO")
    scheduler = sub.add_parser("scheduler", help="run Celery beat, the periodic schedule "
                                                 "(needs a broker)")
    scheduler.add_argument("--loglevel", default="INFO")

    backup = sub.add_parser("backup", help="copy the whole database to a file, while serving")
    backup.add_argument("--output", default=None,
                        help="file to write (default: $WIREDESK_DATA_DIR/backups/...)")
    restore = sub.add_parser("restore", help="replace the database with a backup")
    restore.add_argument("file")
    restore.add_argument("--yes", action="store_true",
                         help="confirm replacing a database that already holds data")

    publish = sub.add_parser("publish", help="render an edition's public pages to files")
    publish.add_argument("--static", required=True, metavar="DIR", help="output directory")
    publish.add_argument("--edition", default=None, metavar="SLUG",
                         help="only this edition (default: every edition)")
    publish.add_argument("--full", action="store_true",
                         help="render every page again, not only what changed")

    edition = sub.add_parser("edition", help="manage editions")
    ed_sub = edition.add_subparsers(dest="edition_command", required=True, parser_class=_Parser)
    ed_add = ed_sub.add_parser("add", help="add or update an edition")
    ed_add.add_argument("--name", required=True)
    ed_add.add_argument("--slug", default="")
    ed_add.add_argument("--timezone", default="UTC")
    ed_add.add_argument("--host", action="append", default=[], help="host name (repeatable)")
    ed_add.add_argument("--sections", default=None, help="comma-separated section slugs")
    ed_add.add_argument("--agencies", default=None, help="comma-separated agency codes")
    ed_add.add_argument("--tagline", default="")
    ed_sub.add_parser("list", help="list editions")

    extract = sub.add_parser("extract", help="show what the web-page adapter makes of pages")
    extract.add_argument("sources", nargs="+", metavar="PATH_OR_URL")
    extract.add_argument("--json", action="store_true",
                         help="one JSON object per input and line: source, title, author, "
                              "published, text")

    article = sub.add_parser("article", help="editorial actions on one article")
    art_sub = article.add_subparsers(dest="article_command", required=True, parser_class=_Parser)
    kill = art_sub.add_parser("kill", help="withdraw an article everywhere (410 Gone)")
    kill.add_argument("article_id", type=int, metavar="ID")
    kill.add_argument("--reason", required=True, help="why (kept on the record)")

    sections = sub.add_parser("sections", help="the section classifier")
    sec_sub = sections.add_subparsers(dest="sections_command", required=True,
                                      parser_class=_Parser)
    sec_train = sec_sub.add_parser("train", help="train it on the labelled articles")
    sec_train.add_argument("--limit", type=int, default=20_000,
                           help="newest labelled articles to learn from (default 20000)")

    from wiredesk.search.cli import add_commands as add_search_commands

    add_search_commands(sub)
    from wiredesk.api.cli import add_commands as add_apikey_commands

    add_apikey_commands(sub)

    from wiredesk.releases.cli import add_parser as add_releases_parser

    add_releases_parser(sub, _Parser)

    from wiredesk.digest.commands import add_parser as add_digest_parser

    add_digest_parser(sub, _Parser)
    return parser


# --- commands --------------------------------------------------------------------------

def cmd_ingest(args) -> int:
    from wiredesk.newsroom import services

    agency = services.agency_ensure(code=args.agency) if args.agency else None
    failed = 0
    for position, source in enumerate(args.sources, start=1):
        try:
            report = services.ingest_source(source, agency=agency)
        except services.ServiceError as exc:
            raise CommandError(str(exc)) from exc
        prefix = f"[{position}/{len(args.sources)}] " if len(args.sources) > 1 else ""
        print(prefix + report.summary())
        if report.errors and not report.seen:
            failed += 1
    return 1 if failed else 0


def cmd_feed(args) -> int:
    from wiredesk.newsroom import services
    from wiredesk.newsroom.models import Feed

    if args.feed_command == "add":
        try:
            agency = services.agency_ensure(code=args.agency, name=args.agency_name)
            feed = services.feed_add(source=args.source, agency=agency, every=args.every,
                                     full_text=args.full_text)
        except services.ServiceError as exc:
            raise CommandError(str(exc)) from exc
        print(f"feed {feed.pk}: {feed.source} ({agency.code}, every {feed.poll_interval})")
        if args.now:
            print(services.feed_poll(feed, force=True).summary())
        return 0
    feeds = Feed.objects.select_related("agency").order_by("pk")
    if not feeds:
        print("no feeds yet: add one with `wiredesk feed add URL --agency CODE`")
        return 0
    print(f"{'id':>4}  {'agency':<8} {'status':<13} {'items':>6} {'new':>5} {'upd':>5}  "
          f"{'last polled':<17}  {'next check':<17}  source / last error")
    for f in feeds:
        polled = f.last_polled_at.strftime("%Y-%m-%d %H:%M") if f.last_polled_at else "never"
        upcoming = f.next_poll_at.strftime("%Y-%m-%d %H:%M") if f.enabled else "-"
        state = f.last_status if f.enabled else "disabled"
        print(f"{f.pk:>4}  {f.agency.code:<8} {state:<13} {f.items_seen:>6} "
              f"{f.items_created:>5} {f.items_updated:>5}  {polled:<17}  {upcoming:<17}  "
              f"{f.source}")
        if f.last_error:
            print(f"{'':>6}error: {f.last_error[:300]}")
        if not f.guids_trusted:
            print(f"{'':>6}guids not trusted: {f.identity_note[:300]}")
    return 0


def cmd_poll(args) -> int:
    from wiredesk.newsroom import services

    reports = services.poll_due_feeds()
    for report in reports:
        print(report.summary())
    if not reports:
        print("no feed is due")
    return 0


def cmd_edition(args) -> int:
    from wiredesk.editions import services
    from wiredesk.editions.models import Edition

    if args.edition_command == "add":
        try:
            edition = services.edition_save(
                name=args.name, slug=args.slug, time_zone=args.timezone, hosts=args.host,
                sections=_split(args.sections), agencies=_split(args.agencies),
                tagline=args.tagline)
        except services.EditionError as exc:
            raise CommandError(str(exc)) from exc
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


def cmd_sections(args) -> int:
    from wiredesk.newsroom import intelligence

    def progress(count: int) -> None:
        print(f"  read {count} labelled articles...", file=sys.stderr)

    try:
        model = intelligence.sections_train(limit=args.limit, progress=progress)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    print(f"section model {model.pk}: trained on {model.trained_on} articles, "
          f"sections {', '.join(model.labels)}")
    return 0


def cmd_jobs(args) -> int:
    from wiredesk import jobs

    jobs.run_forever(interval=args.interval)
    return 0


def _require_broker() -> None:
    from wiredesk.core.taskqueue import broker_configured

    if not broker_configured():
        raise CommandError("no broker configured: set REDIS_URL (or WIREDESK_BROKER_URL); "
                           "without one, `wiredesk serve` runs the jobs in-process")


def cmd_worker(args) -> int:
    _require_broker()
    from wiredesk.core.taskqueue import app

    argv = ["worker", f"--loglevel={args.loglevel}", "-Q", "wiredesk"]
    if args.concurrency:
        argv.append(f"--concurrency={args.concurrency}")
    app.worker_main(argv)
    return 0


def cmd_scheduler(args) -> int:
    _require_broker()
    from django.conf import settings

    from wiredesk.core.taskqueue import app

    schedule_file = settings.DATA_DIR / "celerybeat-schedule"
    app.start(["beat", f"--loglevel={args.loglevel}", f"--schedule={schedule_file}"])
    return 0


def cmd_backup(args) -> int:
    from wiredesk import backup

    try:
        path = backup.backup(Path(args.output) if args.output else None)
    except backup.BackupError as exc:
        raise CommandError(str(exc)) from exc
    print(f"backup written: {path} ({path.stat().st_size} bytes)")
    return 0


def cmd_restore(args) -> int:
    from wiredesk import backup

    if not Path(args.file).is_file():
        raise CommandError(f"no such file: {args.file}")
    if backup.holds_data() and not args.yes:
        raise CommandError("this database already holds data and restore replaces all of "
                           "it: add --yes (take a `wiredesk backup` first)")
    try:
        backup.restore(Path(args.file))
    except backup.BackupError as exc:
        raise CommandError(str(exc)) from exc
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)  # an older backup catches up
    print(f"restored from {args.file}")
    return 0


def cmd_publish(args) -> int:
    from wiredesk import publish

    try:
        reports = publish.publish(Path(args.static), edition_slug=args.edition,
                                  full=args.full,
                                  progress=lambda text: print(text, file=sys.stderr))
    except publish.PublishError as exc:
        raise CommandError(str(exc)) from exc
    for report in reports:
        print(report.summary())
    return 1 if any(r.errors for r in reports) else 0


def cmd_serve(args, *, banner: str = "") -> int:
    from wiredesk import server

    return server.serve(host=args.host, port=args.port, workers=args.workers,
                        scheduler=not args.no_scheduler, banner=banner,
                        pid_file=getattr(args, "pid_file", None))


def cmd_demo(args) -> int:
    import logging

    from wiredesk import demo

    # Building prints one progress line per feed; per-article log lines would bury them.
    item_log = logging.getLogger("wiredesk.newsroom.services")
    level = item_log.level
    item_log.setLevel(logging.WARNING)
    try:
        urls = demo.build(port=args.port, host=args.host)
    finally:
        item_log.setLevel(level)
    banner = "wiredesk demo is ready. Open:\n" + "\n".join(f"  {u}" for u in urls)
    if args.no_serve:
        print(banner)
        return 0
    args.workers = 2
    args.no_scheduler = False
    return cmd_serve(args, banner=banner + "\nPress Ctrl+C to stop.")


def cmd_extract(args) -> int:
    import json

    from django.conf import settings

    from wiredesk.wire.extract import extract_source
    from wiredesk.wire.types import WireError

    failed = 0
    for source in args.sources:
        try:
            page = extract_source(source, timeout=settings.WIREDESK_FETCH_TIMEOUT,
                                  max_bytes=settings.WIREDESK_FETCH_MAX_BYTES)
        except WireError as exc:
            print(f"wiredesk: error: {source}: {exc}", file=sys.stderr)
            failed += 1
            continue
        if args.json:
            print(json.dumps(page, ensure_ascii=False), flush=True)
        else:
            print(f"== {page['source']}\ntitle:     {page['title']}\n"
                  f"author:    {page['author'] or '-'}\npublished: {page['published'] or '-'}\n")
            print(page["text"] + "\n", flush=True)
    return 2 if failed else 0


def cmd_article(args) -> int:
    from wiredesk.newsroom import services
    from wiredesk.newsroom.models import Article

    article = Article.objects.filter(pk=args.article_id).first()
    if article is None:
        raise CommandError(f"no article with id {args.article_id}")
    if not args.reason.strip():
        raise CommandError("a kill needs a reason (--reason TEXT)")
    article = services.article_kill(article=article, reason=args.reason)
    print(f"article {article.pk} killed: {article.headline} (reason: {article.status_reason})")
    return 0


def cmd_search(args) -> int:
    from wiredesk.search.cli import cmd_search as run

    return run(args)


def cmd_apikey(args) -> int:
    from wiredesk.api.cli import cmd_apikey as run

    return run(args, CommandError)


def cmd_digest(args) -> int:
    from wiredesk.digest.commands import cmd_digest as run

    return run(args, CommandError)


def cmd_releases(args) -> int:
    from wiredesk.releases.cli import ReleaseCommandError, run

    try:
        return run(args)
    except ReleaseCommandError as exc:
        raise CommandError(str(exc)) from exc


HANDLERS = {"ingest": cmd_ingest, "digest": cmd_digest, "feed": cmd_feed,
            "poll": cmd_poll,
            "edition": cmd_edition, "jobs": cmd_jobs, "serve": cmd_serve, "demo": cmd_demo,
            "worker": cmd_worker, "scheduler": cmd_scheduler,
            "extract": cmd_extract, "article": cmd_article,
            "sections": cmd_sections, "releases": cmd_releases,
            "backup": cmd_backup, "restore": cmd_restore, "publish": cmd_publish}
HANDLERS.update({"search": cmd_search, "apikey": cmd_apikey})


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    data_dir = None
    if len(argv) >= 2 and argv[0] == "--data-dir":
        data_dir, argv = argv[1], argv[2:]
    command = argv[0] if argv else ""
    if command not in OWN_COMMANDS and command not in ("-h", "--help", ""):
        _setup_django(data_dir)
        from django.core.management import execute_from_command_line

        execute_from_command_line(["wiredesk", *argv])
        return 0
    args = build_parser().parse_args(argv)
    data_dir = getattr(args, "sub_data_dir", None) or data_dir or args.data_dir
    if args.command == "demo" and not data_dir:
        data_dir = os.environ.get("WIREDESK_DATA_DIR", "./wiredesk-data")
    try:
        _setup_django(data_dir)
        _quiet_item_logs(args.command)
        if args.command not in NO_DATABASE:
            _ensure_migrated()
        return HANDLERS[args.command](args)
    except CommandError as exc:
        print(f"wiredesk: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _quiet_item_logs(command: str) -> None:
    """A command run by hand prints its own summary: one log line per article would bury
    it. Long-running processes (serve, jobs, worker) keep them; so does an explicit
    WIREDESK_LOG_LEVEL."""
    if command in ("serve", "demo", "jobs", "worker", "scheduler"):
        return
    if "WIREDESK_LOG_LEVEL" in os.environ:
        return
    import logging

    logging.getLogger("wiredesk.newsroom.services").setLevel(logging.WARNING)


def _ensure_migrated() -> None:
    """Apply migrations on the embedded database so every command works on a fresh dir."""
    from django.conf import settings
    from django.core.management import call_command

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        call_command("migrate", interactive=False, verbosity=0)


if __name__ == "__main__":
    raise SystemExit(main())
