"""``wiredesk article schedule``: the desk's scheduling from the command line, times read
on an edition's clock like the desk's own form (``desk.scheduling``)."""

from __future__ import annotations

from wiredesk.core.cli import CommandError


def register(sub) -> None:
    # Under the newsroom's `wiredesk article` (registered before this module): reading a
    # time needs the editions' zones, which the newsroom below does not know.
    schedule = sub.choices["article"].subcommands.add_parser(
        "schedule", help="publish or unpublish an article at a time on an edition's clock; "
                         "with no option, show what is scheduled for it")
    schedule.add_argument("article_id", type=int, metavar="ID")
    schedule.add_argument("--publish-at", default="", metavar="'YYYY-MM-DD HH:MM'",
                          help="make the (held) article public then; where the clocks go "
                               "back add the offset, e.g. '2026-04-04 23:30 -03:00'")
    schedule.add_argument("--unpublish-at", default="", metavar="'YYYY-MM-DD HH:MM'",
                          help="hold the article then")
    schedule.add_argument("--edition", default="", metavar="SLUG",
                          help="whose local time it is (default: the article's edition; "
                               "the site's zone when it is in none)")
    schedule.add_argument("--cancel", nargs="?", const="all", default=None,
                          choices=["all", "publish", "unpublish"],
                          help="cancel what is scheduled (all, or only publish or unpublish)")
    schedule.set_defaults(handler=cmd_article_schedule)


def cmd_article_schedule(args) -> int:
    from wiredesk.desk.scheduling import (
        edition_for,
        schedule_from_local,
        scheduled_days,
        zone_label,
    )
    from wiredesk.newsroom.models import Article, Schedule
    from wiredesk.newsroom.services import schedule_cancel

    article = Article.objects.filter(pk=args.article_id).first()
    if article is None:
        raise CommandError(f"no article with id {args.article_id}")
    if args.cancel and (args.publish_at or args.unpublish_at):
        raise CommandError("--cancel goes alone: cancel, then schedule again")
    if args.cancel:
        action = None if args.cancel == "all" else args.cancel
        cancelled = schedule_cancel(article=article, actor="cli", action=action)
        print(f"article {article.pk}: {cancelled} scheduled action(s) cancelled")
        return 0
    if args.publish_at or args.unpublish_at:
        edition = edition_for(article, args.edition)
        done = schedule_from_local(article=article, actor="cli", edition=edition,
                                   publish_at=args.publish_at, unpublish_at=args.unpublish_at)
        for what, moment in (("published", done.publish_at),
                             ("unpublished", done.unpublish_at)):
            if moment is not None:
                print(f"article {article.pk} will be {what} at "
                      f"{_local(moment, done.zone)} {zone_label(done.zone, at=moment)}, "
                      f"{moment:%Y-%m-%d %H:%M} UTC")
    days = scheduled_days(Schedule.objects.filter(article=article))
    if not days:
        print(f"article {article.pk} ({article.status}): nothing scheduled")
    for day in days:
        for row in day.rows:
            print(f"{day.day:%Y-%m-%d} {row.clock} {row.zone} ({row.offset}): "
                  f"{row.schedule.action} article {article.pk}, by "
                  f"{row.schedule.scheduled_by or 'unknown'}")
    return 0


def _local(moment, zone: str) -> str:
    from zoneinfo import ZoneInfo

    return f"{moment.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M}"
