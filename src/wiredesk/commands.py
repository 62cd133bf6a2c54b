"""The instance's own commands: serve it, run its jobs and workers, back it up, publish it."""

from __future__ import annotations

import sys
from pathlib import Path

from wiredesk.core.cli import CommandError, command, subcommands


def register(sub) -> None:
    demo = command(sub, "demo", cmd_demo, database=False, long_running=True,
                   help="build the demo instance and serve it")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--data-dir", dest="sub_data_dir")
    demo.add_argument("--no-serve", action="store_true", help="build the instance, do not serve")
    demo.set_defaults(before_setup=demo_prepare)

    serve = command(sub, "serve", cmd_serve, long_running=True,
                    help="serve the instance with a production WSGI server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=2)
    serve.add_argument("--no-scheduler", action="store_true",
                       help="do not run the in-process job scheduler")
    serve.add_argument("--pid-file", default=None,
                       help="write the server's pid here (send it SIGHUP for a graceful "
                            "reload, SIGTERM to stop)")

    jobs = command(sub, "jobs", cmd_jobs, long_running=True,
                   help="run the in-process job scheduler (used by serve)")
    jobs.add_argument("--interval", type=float, default=30.0)

    worker = command(sub, "worker", cmd_worker, long_running=True,
                     help="run a Celery worker (needs REDIS_URL or WIREDESK_BROKER_URL)")
    worker.add_argument("--concurrency", type=int, default=None)
    worker.add_argument("--loglevel", default="INFO")
    scheduler = command(sub, "scheduler", cmd_scheduler, long_running=True,
                        help="run Celery beat, the periodic schedule (needs a broker)")
    scheduler.add_argument("--loglevel", default="INFO")

    backup = command(sub, "backup", cmd_backup,
                     help="copy the whole database to a file, while serving")
    backup.add_argument("--output", default=None,
                        help="file to write (default: $WIREDESK_DATA_DIR/backups/...)")
    restore = command(sub, "restore", cmd_restore, help="replace the database with a backup")
    restore.add_argument("file")
    restore.add_argument("--yes", action="store_true",
                         help="confirm replacing a database that already holds data")

    publish = command(sub, "publish", cmd_publish,
                      help="render an edition's public pages to files")
    publish.add_argument("--static", required=True, metavar="DIR", help="output directory")
    publish.add_argument("--edition", default=None, metavar="SLUG",
                         help="only this edition (default: every edition)")
    publish.add_argument("--full", action="store_true",
                         help="render every page again, not only what changed")

    otp = command(sub, "otp", cmd_otp,
                  help="staff's second factor: enrol, list and remove authenticator apps")
    otp_sub = subcommands(otp, "otp_command")
    add = otp_sub.add_parser("add", help="enrol an authenticator app for a user (its secret "
                                         "is shown once)")
    add.add_argument("username")
    add.add_argument("--name", default="authenticator", help="the device's name")
    otp_sub.add_parser("list", help="list enrolled devices")
    remove = otp_sub.add_parser("remove", help="remove a user's devices (a lost phone)")
    remove.add_argument("username")
    remove.add_argument("--name", default=None, help="only the device of this name")


def cmd_serve(args) -> int:
    from django.conf import settings

    from wiredesk import server

    if settings.WIREDESK_DEMO_MAILBOX:
        # The mailbox shows every message the site sent to anyone who asks: a demo's.
        raise CommandError("WIREDESK_DEMO_MAILBOX is for `wiredesk demo` only: unset it "
                           "(and set EMAIL_URL) to serve")
    if settings.DEBUG and not _is_loopback(args.host):
        # Debug pages show settings, SQL and tracebacks to whoever causes an error.
        raise CommandError(f"WIREDESK_DEBUG is on: serve it on 127.0.0.1 only, never on "
                           f"{args.host} (unset WIREDESK_DEBUG in production)")
    return server.serve(host=args.host, port=args.port, workers=args.workers,
                        scheduler=not args.no_scheduler, pid_file=args.pid_file)


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host.strip("[]") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def demo_prepare(args) -> None:
    """Before Django reads its settings: take the port (a busy one is one line, before
    any building), and give the demo and every process it starts its own address and
    mailbox (``demo.environment``)."""
    import os

    from wiredesk import demo
    from wiredesk.core.ports import PortBusy, bind, demo_busy_message

    if not args.no_serve:
        try:
            args.listener = bind(args.host, args.port)
        except PortBusy as exc:
            raise CommandError(demo_busy_message(exc)) from None
        except OSError as exc:
            raise CommandError(f"cannot listen on {args.host}:{args.port}: "
                               f"{exc.strerror or exc}") from None
    os.environ.update(demo.environment(host=args.host, port=args.port,
                                       allowed_hosts=os.environ.get("WIREDESK_ALLOWED_HOSTS",
                                                                    "")))


def cmd_demo(args) -> int:
    import logging

    from wiredesk import demo, server

    # Building prints one progress line per feed; per-article log lines would bury them.
    item_log = logging.getLogger("wiredesk.newsroom.services")
    level = item_log.level
    item_log.setLevel(logging.WARNING)
    try:
        urls = demo.build(port=args.port, host=args.host)
    finally:
        item_log.setLevel(level)
    site = demo.base_url(args.host, args.port)
    banner = ("wiredesk demo is ready. Open:\n" + "\n".join(f"  {u}" for u in urls) + "\n"
              f"Mail is not sent out: the demo keeps it, read it at {site}/_mail/")
    if args.no_serve:
        print(banner.replace("read it at", "read it (while the demo serves) at"))
        return 0
    return server.serve(host=args.host, port=args.port, workers=2, scheduler=True,
                        banner=banner + "\nPress Ctrl+C to stop.", listener=args.listener)


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

    path = backup.backup(Path(args.output) if args.output else None)
    print(f"backup written: {path} ({path.stat().st_size} bytes)")
    return 0


def cmd_restore(args) -> int:
    from wiredesk import backup

    if not Path(args.file).is_file():
        raise CommandError(f"no such file: {args.file}")
    if backup.holds_data() and not args.yes:
        raise CommandError("this database already holds data and restore replaces all of "
                           "it: add --yes (take a `wiredesk backup` first)")
    backup.restore(Path(args.file))  # checks, replaces, migrates, bumps the page cache
    print(f"restored from {args.file}")
    return 0


def cmd_publish(args) -> int:
    from wiredesk import publish

    reports = publish.publish(Path(args.static), edition_slug=args.edition, full=args.full,
                              progress=lambda text: print(text, file=sys.stderr))
    for report in reports:
        print(report.summary())
    return 1 if any(r.errors for r in reports) else 0


def cmd_otp(args) -> int:
    from base64 import b32encode

    from django.conf import settings

    from wiredesk.core import signin

    if args.otp_command == "add":
        device = signin.device_add(username=args.username, name=args.name)
        print(f"Authenticator {device.name!r} enrolled for {args.username}. Add it to the "
              "app with this address (or as a QR code of it):")
        print(device.config_url)
        print(f"or type the secret: {b32encode(device.bin_key).decode()}")
        print("It is shown only now. From the next sign-in the admin asks for the app's "
              f"six-digit code (WIREDESK_STAFF_2FA={settings.WIREDESK_STAFF_2FA}).")
        return 0
    if args.otp_command == "remove":
        count = signin.device_remove(username=args.username, name=args.name)
        print(f"removed {count} device(s) of {args.username}")
        return 0
    devices = signin.devices_list()
    if not devices:
        print("no authenticator enrolled yet: `wiredesk otp add USERNAME`")
    for device in devices:
        used = device.last_used_at.strftime("%Y-%m-%d %H:%M") if device.last_used_at \
            else "never"
        print(f"{device.user.get_username():<24} {device.name:<20} last used {used}")
    return 0
