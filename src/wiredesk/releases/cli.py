"""``wiredesk releases ...``: the moderation queue for operators who live in the terminal.

Each command calls the same service the admin calls, so mail and history are the same.
Django is imported only when a command runs (the parser is built before setup).
"""

from __future__ import annotations

import getpass

from wiredesk.core.cli import CommandError, command, subcommands

STATUSES = ("unverified", "pending", "approved", "rejected", "spam")


def register(sub) -> None:
    releases = command(sub, "releases", run,
                       help="moderate news releases sent in by the public")
    rel_sub = subcommands(releases, "releases_command")
    listing = rel_sub.add_parser("list", help="list releases, oldest first")
    listing.add_argument("--status", choices=STATUSES, default=None,
                         help="only releases with this status")
    listing.add_argument("--edition", default=None, help="only releases for this edition slug")
    show = rel_sub.add_parser("show", help="show one release in full, with its history")
    show.add_argument("id", type=int)
    approve = rel_sub.add_parser("approve", help="approve and publish; emails the submitter")
    approve.add_argument("id", type=int)
    approve.add_argument("--section", default="", help="section slug (default: from category)")
    approve.add_argument("--publish-at", default="", metavar="'YYYY-MM-DD HH:MM'",
                         help="publish then, not at once: local time of the edition it was "
                              "sent through (else the first chosen)")
    reject = rel_sub.add_parser("reject", help="reject; emails the reason to the submitter")
    reject.add_argument("id", type=int)
    reject.add_argument("--reason", required=True)
    spam = rel_sub.add_parser("spam", help="mark as spam (no email)")
    spam.add_argument("id", type=int)


def _publish_at(release, text: str):
    """The UTC instant of the editor's local time on the release's publication clock."""
    if not text.strip():
        return None
    from django.utils import timezone

    from wiredesk.newsroom.schedule_times import local_to_utc
    from wiredesk.releases import services

    edition = services.publication_edition(release)
    return local_to_utc(text, edition.time_zone if edition else "UTC", now=timezone.now())


def _actor():
    from wiredesk.releases.services import Actor

    try:
        user = getpass.getuser()
    except Exception:
        user = "unknown"
    return Actor(label=f"cli:{user}")


def _release(release_id: int):
    from wiredesk.releases.models import Release

    release = (Release.objects.select_related("submitted_via", "section", "article")
               .filter(pk=release_id).first())
    if release is None:
        raise CommandError(f"no release with id {release_id}")
    return release


def _line(release) -> str:
    editions = ",".join(e.slug for e in release.editions.all())
    return (f"{release.pk}  {release.reference}  {release.status:<10}  "
            f"{release.created_at:%Y-%m-%d %H:%M}  {editions}  "
            f"{release.organisation[:40]}: {release.headline[:80]}")


def _show(release) -> str:
    from wiredesk.releases import services

    lines = [
        f"id:            {release.pk}",
        f"reference:     {release.reference}",
        f"status:        {release.status}",
        f"organisation:  {release.organisation}",
        f"contact:       {release.contact_name} <{release.email}>"
        + (f", {release.phone}" if release.phone else ""),
        f"category:      {release.get_category_display()}",
        f"editions:      {', '.join(e.slug for e in release.editions.all())}",
        f"section:       {release.section.slug if release.section else '-'}",
        f"release time:  {release.requested_release_at.isoformat() if release.requested_release_at else 'on approval'}",  # noqa: E501
        f"image:         {services.image_url(release) or '-'}",
        f"submitted:     {release.created_at.isoformat()} from {release.submitted_ip or '-'}",
    ]
    if release.decision_reason:
        lines.append(f"reason:        {release.decision_reason}")
    for _edition, url in services.article_urls(release):
        lines.append(f"article:       {url}")
    lines += ["", f"headline: {release.headline}", "", release.body, "", "history:"]
    for event in release.events.all():
        line = f"  {event.at:%Y-%m-%d %H:%M:%S}  {event.action:<11} {event.actor_label}"
        if event.changes:
            line += f"  changed {', '.join(sorted(event.changes))}"
        if event.note:
            line += f"  {event.note}"
        lines.append(line)
    return "\n".join(lines)


def run(args) -> int:
    from wiredesk.releases import selectors, services

    command = args.releases_command
    if command == "list":
        edition = None
        if args.edition:
            from wiredesk.editions.models import Edition

            edition = Edition.objects.filter(slug=args.edition).first()
            if edition is None:
                raise CommandError(f"no edition with slug {args.edition!r}")
        rows = selectors.releases(status=args.status or "", edition=edition)
        rows = rows.prefetch_related("editions")
        for release in rows:
            print(_line(release))
        return 0
    release = _release(args.id)
    if command == "show":
        print(_show(release))
        return 0
    if command == "approve":
        publish_at = _publish_at(release, args.publish_at)
        release = services.release_approve(release=release, actor=_actor(),
                                           section=args.section, publish_at=publish_at)
        urls = services.article_urls(release)
        later = (f", published at {args.publish_at.strip()} "
                 f"{getattr(services.publication_edition(release), 'time_zone', 'UTC')}"
                 if publish_at else "")
        print(f"{release.pk} approved: article {release.article.pk}{later}"
              + "".join(f"\n  {url}" for _e, url in urls))
    elif command == "reject":
        release = services.release_reject(release=release, actor=_actor(), reason=args.reason)
        print(f"{release.pk} rejected; the submitter is told why")
    elif command == "spam":
        release = services.release_mark_spam(release=release, actor=_actor())
        print(f"{release.pk} marked as spam")
    return 0
