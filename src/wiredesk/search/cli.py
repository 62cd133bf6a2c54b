"""``wiredesk search reindex``: rebuild the search index with a progress bar."""

from __future__ import annotations

import sys
import time

from wiredesk.core.cli import command, subcommands


def register(sub) -> None:
    search = command(sub, "search", cmd_search, help="search index maintenance")
    reindex = subcommands(search, "search_command").add_parser(
        "reindex", help="rebuild the search index from the articles")
    reindex.add_argument("--batch-size", type=int, default=500)


class ProgressBar:
    """One line on stderr, redrawn at most ten times a second."""

    def __init__(self, label: str, stream=None, width: int = 30):
        self.label = label
        self.stream = stream or sys.stderr
        self.width = width
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        filled = self.width if not total else int(self.width * done / total)
        percent = 100 if not total else int(100 * done / total)
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (self.width - filled)}] "
                          f"{done}/{total} {percent:3d}%")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def cmd_search(args) -> int:
    from wiredesk.search.services import reindex

    started = time.monotonic()
    bar = ProgressBar("reindex")
    indexed = reindex(batch_size=max(1, args.batch_size), progress=bar)
    if indexed == 0:
        bar(0, 0)
    print(f"search index rebuilt: {indexed} articles in {time.monotonic() - started:.1f}s")
    return 0
