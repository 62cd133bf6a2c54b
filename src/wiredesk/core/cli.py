"""What every app's ``cli`` module shares: how a subcommand is declared and fails.

An app's ``cli.register(sub)`` adds its subcommands to the ``wiredesk`` parser with
``command(...)``, which ties each to its handler. Modules are imported before Django is
set up, so handlers import Django and the app's models when they run.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from datetime import timedelta

from wiredesk.errors import WiredeskError


class CommandError(WiredeskError):
    """A command that cannot go on: printed as one line on stderr, exit status 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def command(sub, name: str, handler: Callable[[argparse.Namespace], int], *, help: str,
            database: bool = True, long_running: bool = False) -> Parser:
    """Add subcommand ``name``, run by ``handler(args)``.

    ``database=False``: the command never touches the database, so no migration runs
    first. ``long_running``: a server or worker, which keeps its per-article log lines
    (a command run by hand prints its own summary instead).
    """
    parser = sub.add_parser(name, help=help)
    parser.set_defaults(handler=handler, database=database, long_running=long_running)
    return parser


def subcommands(parser: Parser, dest: str):
    """The sub-subcommands of ``parser`` (``feed add``, ``feed list``), one required.

    Kept on the parser as ``parser.subcommands``: an app above may add its own
    (``wiredesk article show`` is the API's article shape, under the newsroom's
    ``article``)."""
    action = parser.add_subparsers(dest=dest, required=True, parser_class=Parser)
    parser.subcommands = action
    return action


def parse_interval(text: str) -> timedelta:
    """``90s``, ``10m``, ``2h``, ``1d`` or a bare number of minutes."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhd]?)\s*", text or "")
    if not match:
        raise argparse.ArgumentTypeError(f"not an interval: {text!r} (use e.g. 10m, 2h)")
    value, unit = int(match.group(1)), match.group(2) or "m"
    return timedelta(**{{"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[unit]: value})


def split_list(value: str | None) -> list[str] | None:
    """``"a, b"`` -> ``["a", "b"]``; None (not given) stays None."""
    if value is None:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]
