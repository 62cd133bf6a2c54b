"""``wiredesk ingest | feed | poll | extract | article | pictures | sections``: the newsroom's
commands."""

from __future__ import annotations

import sys

from wiredesk.core.cli import CommandError, command, parse_interval, subcommands


def register(sub) -> None:
    ingest = command(sub, "ingest", cmd_ingest, help="ingest feeds or files once")
    ingest.add_argument("sources", nargs="+", metavar="URL_OR_PATH")
    ingest.add_argument("--agency", help="agency code (taken from the feed when known)")

    feed = command(sub, "feed", cmd_feed, help="manage feeds")
    feed_sub = subcommands(feed, "feed_command")
    feed_add = feed_sub.add_parser("add", help="add a feed to poll")
    feed_add.add_argument("source", metavar="URL_OR_PATH",
                          help="a web feed (http://, https://), a file, a drop folder (a "
                               "directory, file://, ftp://, ftps://, sftp://) or a mailbox "
                               "(imap://, imaps://)")
    feed_add.add_argument("--agency", required=True, help="agency code, e.g. RFE")
    feed_add.add_argument("--agency-name", default="")
    feed_add.add_argument("--every", type=parse_interval, default=None,
                          help="poll interval, e.g. 10m (default 10m)")
    feed_add.add_argument("--now", action="store_true", help="poll it right away")
    feed_add.add_argument("--full-text", action="store_true", default=None,
                          help="fetch each new item's page for the full text (summary-only "
                               "feeds)")
    feed_sub.add_parser("list", help="list feeds with their status")
    export = feed_sub.add_parser("export", help="write the feed list as OPML")
    export.add_argument("--opml", action="store_true", required=True,
                        help="as OPML 2.0 (the one format)")
    export.add_argument("--output", metavar="FILE", help="write here (default: stdout)")
    feed_import = feed_sub.add_parser("import", help="add the feeds of an OPML file")
    feed_import.add_argument("file", metavar="FILE.opml")
    feed_import.add_argument("--agency", help="agency code for outlines that name none")

    command(sub, "poll", cmd_poll, help="poll every feed that is due, once")

    extract = command(sub, "extract", cmd_extract, database=False,
                      help="show what the web-page adapter makes of pages")
    extract.add_argument("sources", nargs="+", metavar="PATH_OR_URL")
    extract.add_argument("--json", action="store_true",
                         help="one JSON object per input and line: source, title, author, "
                              "published, text")

    article = command(sub, "article", cmd_article, help="editorial actions on one article")
    kill = subcommands(article, "article_command").add_parser(
        "kill", help="withdraw an article everywhere (410 Gone)")
    kill.add_argument("article_id", type=int, metavar="ID")
    kill.add_argument("--reason", required=True, help="why (kept on the record)")

    pictures = command(sub, "pictures", cmd_pictures, help="agency pictures' local copies")
    pictures_sub = subcommands(pictures, "pictures_command")
    fetch = pictures_sub.add_parser(
        "fetch", help="fetch and store every picture that is due now (the fetch-pictures job)")
    fetch.add_argument("--limit", type=int, default=0,
                       help="stop after this many pictures (default: all that are due)")
    pictures_sub.add_parser("list", help="pictures by status, and the failed ones' errors")

    sections = command(sub, "sections", cmd_sections, help="the section classifier")
    train = subcommands(sections, "sections_command").add_parser(
        "train", help="train it on the labelled articles")
    train.add_argument("--limit", type=int, default=20_000,
                       help="newest labelled articles to learn from (default 20000)")


def cmd_ingest(args) -> int:
    from wiredesk.newsroom import services

    agency = services.agency_ensure(code=args.agency) if args.agency else None
    failed = 0
    for position, source in enumerate(args.sources, start=1):
        report = services.ingest_source(source, agency=agency)
        prefix = f"[{position}/{len(args.sources)}] " if len(args.sources) > 1 else ""
        print(prefix + report.summary())
        if report.store_failures or (report.errors and not report.seen):
            failed += 1  # items that could not be stored fail the run (exit 1)
    return 1 if failed else 0


def cmd_feed(args) -> int:
    from wiredesk.newsroom import services

    if args.feed_command == "add":
        agency = services.agency_ensure(code=args.agency, name=args.agency_name)
        feed = services.feed_add(source=args.source, agency=agency, every=args.every,
                                 full_text=args.full_text)
        print(f"feed {feed.pk}: {feed.shown_source} ({agency.code}, every {feed.poll_interval})")
        if args.now:
            print(services.feed_poll(feed, force=True).summary())
        return 0
    if args.feed_command == "export":
        return _feed_export(args.output)
    if args.feed_command == "import":
        return _feed_import(args.file, args.agency)
    return _feed_list()


def _feed_export(output: str | None) -> int:
    from wiredesk.newsroom.services.opml import feeds_export_opml

    document, left_out = feeds_export_opml()
    if output:
        from pathlib import Path

        target = Path(output)
        partial = target.with_name(f".{target.name}.part")
        try:
            partial.write_bytes(document)
            partial.replace(target)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(f"cannot write {output}: {exc.strerror or exc}") from exc
    else:
        sys.stdout.buffer.write(document)
        sys.stdout.flush()
    if left_out:
        print(f"{left_out} feed(s) not exported: local files, drop folders and mailboxes "
              "stay on this instance", file=sys.stderr)
    return 0


def _feed_import(path: str, agency_code: str | None) -> int:
    from django.conf import settings

    from wiredesk.newsroom import services
    from wiredesk.newsroom.services.opml import feeds_import_opml
    from wiredesk.wire.fetch import FetchError, read_file
    from wiredesk.wire.types import WireError

    try:
        data = read_file(path, max_bytes=settings.WIREDESK_FETCH_MAX_BYTES).body
    except FetchError as exc:
        raise CommandError(str(exc)) from exc
    agency = services.agency_ensure(code=agency_code) if agency_code else None

    def progress(done: int, total: int) -> None:
        print(f"... {done} of {total} feed(s) written", file=sys.stderr, flush=True)

    try:
        report = feeds_import_opml(data, agency=agency, progress=progress)
    except WireError as exc:
        raise CommandError(f"{path}: {exc}") from exc
    for problem in report.problems:
        print(f"{path}: {problem}", file=sys.stderr)
    print(report.summary())
    return 1 if report.failed else 0


def _feed_list() -> int:
    from wiredesk.newsroom.models import Feed

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
              f"{f.shown_source}")
        if f.last_error:
            print(f"{'':>6}error: {f.last_error[:300]}")
        if not f.guids_trusted:
            print(f"{'':>6}guids not trusted: {f.identity_note[:300]}")
    return 0


def cmd_pictures(args) -> int:
    from django.conf import settings

    from wiredesk.newsroom import services

    if args.pictures_command == "list":
        return _pictures_list()
    total = services.PictureReport()
    while not args.limit or total.done < args.limit:
        batch = settings.WIREDESK_PICTURE_BATCH
        if args.limit:
            batch = min(batch, args.limit - total.done)
        report = services.pictures_fetch_due(limit=batch)
        if not report.done:
            break
        for name in ("stored", "reused", "retrying", "given_up", "skipped"):
            setattr(total, name, getattr(total, name) + getattr(report, name))
        total.errors += report.errors
        print(f"... {total.done} picture(s) done", file=sys.stderr, flush=True)
    print(total.summary() if total.done else "no picture is due")
    return 0


def _pictures_list() -> int:
    from django.db.models import Count

    from wiredesk.newsroom.models import PictureAsset, PictureSource

    counts = dict(PictureSource.objects.values_list("status").annotate(n=Count("pk")))
    print(", ".join(f"{counts.get(status, 0)} {status}" for status in PictureSource.Status)
          + f"; {PictureAsset.objects.count()} picture(s) stored")
    failing = (PictureSource.objects.exclude(last_error="")
               .exclude(status=PictureSource.Status.READY).order_by("-last_error_at")[:50])
    for source in failing:
        print(f"{source.pk:>6}  {source.status:<8} tried {source.attempts}x  {source.url}\n"
              f"{'':>8}error: {source.last_error[:300]}")
    return 0


def cmd_poll(args) -> int:
    from wiredesk.newsroom import services

    reports = services.poll_due_feeds()
    for report in reports:
        print(report.summary())
    if not reports:
        print("no feed is due")
    return 0


def cmd_extract(args) -> int:
    import json

    from django.conf import settings

    from wiredesk.wire.extract import extract_source
    from wiredesk.wire.fetch import FetchPolicy
    from wiredesk.wire.types import WireError

    failed = 0
    for source in args.sources:
        try:
            page = extract_source(source, timeout=settings.WIREDESK_FETCH_TIMEOUT,
                                  max_bytes=settings.WIREDESK_FETCH_MAX_BYTES,
                                  policy=FetchPolicy(settings.WIREDESK_FETCH_ALLOW))
        except WireError as exc:  # one bad page never stops the others
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
    article = services.article_kill(article=article, reason=args.reason, actor="cli")
    print(f"article {article.pk} killed: {article.headline} (reason: {article.status_reason})")
    return 0


def cmd_sections(args) -> int:
    from wiredesk.newsroom import intelligence

    def progress(count: int) -> None:
        print(f"  read {count} labelled articles...", file=sys.stderr)

    try:
        model = intelligence.sections_train(limit=args.limit, progress=progress)
    except ValueError as exc:  # too few labelled articles: the operator can fix that
        raise CommandError(str(exc)) from exc
    print(f"section model {model.pk}: trained on {model.trained_on} articles, "
          f"sections {', '.join(model.labels)}")
    return 0
