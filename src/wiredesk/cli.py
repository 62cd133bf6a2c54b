"""The ``wiredesk`` command: our own subcommands, and every Django command besides.

Each module in ``COMMAND_MODULES`` registers its own subcommands (``register(sub)``);
this root only finds them, sets Django up and runs the chosen one. Errors an operator
can fix (any ``WiredeskError``) are one line on stderr and exit status 2, never a
traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from wiredesk.core.cli import Parser
from wiredesk.errors import WiredeskError

# Whose subcommands ``wiredesk --help`` lists, in this order.
COMMAND_MODULES = (
    "wiredesk.commands",
    "wiredesk.newsroom.cli",
    "wiredesk.editions.cli",
    "wiredesk.search.cli",
    "wiredesk.api.cli",
    "wiredesk.desk.cli",
    "wiredesk.releases.cli",
    "wiredesk.digest.cli",
    "wiredesk.digest.mail_cli",
    "wiredesk.syndication.cli",
)


def _setup_django(data_dir: str | None = None) -> None:
    if data_dir:
        os.environ["WIREDESK_DATA_DIR"] = str(Path(data_dir).expanduser().resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiredesk.settings")
    import django

    django.setup()


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="wiredesk", description="Wire desk and syndication for news publishers.")
    parser.add_argument("--data-dir", help="data directory (default: $WIREDESK_DATA_DIR "
                                           "or ./wiredesk-data)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    parser.commands = frozenset(sub.choices)  # anything else is Django's
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    data_dir = None
    if len(argv) >= 2 and argv[0] == "--data-dir":
        data_dir, argv = argv[1], argv[2:]
    command = argv[0] if argv else ""
    parser = build_parser()
    if command not in parser.commands and command not in ("-h", "--help", ""):
        _setup_django(data_dir)
        from django.core.management import execute_from_command_line

        execute_from_command_line(["wiredesk", *argv])
        return 0
    args = parser.parse_args(argv)
    data_dir = getattr(args, "sub_data_dir", None) or data_dir or args.data_dir
    if args.command == "demo" and not data_dir:
        data_dir = os.environ.get("WIREDESK_DATA_DIR", "./wiredesk-data")
    try:
        prepare = getattr(args, "before_setup", None)
        if prepare is not None:  # a command that sets its own environment (demo)
            prepare(args)
        _setup_django(data_dir)
        if not args.long_running:
            _quiet_item_logs()
        if args.database:
            _ensure_migrated()
        return args.handler(args)
    except WiredeskError as exc:
        print(f"wiredesk: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _quiet_item_logs() -> None:
    """A command run by hand prints its own summary: one log line per article would bury
    it. Long-running processes (serve, jobs, worker) keep them; so does an explicit
    WIREDESK_LOG_LEVEL."""
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
