"""What every drop folder shares: its errors, a listed file, and when a file is complete."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from wiredesk.wire.fetch.errors import FetchError
from wiredesk.wire.types import WireError

PARTIAL_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".filepart", ".crdownload",
                    ".download", ".upload", ".uploading", ".lock", "~")
CHUNK = 64 * 1024


class DropError(FetchError):
    """The folder cannot be reached, entered or listed: the whole poll failed."""


class FileRefused(WireError):
    """One file cannot be taken (over the size cap, not readable): it is recorded as
    failed, and the other files are taken."""


@dataclass(frozen=True, slots=True)
class DropFile:
    name: str
    size: int
    modified: str  # the folder's own time stamp for the file, compared as it is

    @property
    def key(self) -> str:
        """What the ledger knows the file by: the same name with another size or time
        is another file (an agency sending a corrected copy under the same name)."""
        digest = hashlib.sha256(f"{self.name}\x00{self.size}\x00{self.modified}".encode(
            "utf-8", "surrogateescape")).hexdigest()
        return f"file:{digest[:40]}"


def still_writing(name: str) -> bool:
    """The file's name says it is not finished (or is hidden)."""
    return name.startswith((".", "~")) or name.lower().endswith(PARTIAL_SUFFIXES)


def plain_name(name: str) -> bool:
    # A name from a listing is sent back in commands: it must be one plain name.
    return (bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name
            and not any(ord(c) < 32 or ord(c) == 127 for c in name))


def settled(listing: list[DropFile], seen: dict[str, list], *, now: float,
            settle: float) -> tuple[list[DropFile], dict[str, list], int]:
    """Which listed files are complete, what to remember for the next listing, and how
    many are still waiting.

    ``seen`` is the previous call's memory: name -> [size, time, first seen so]. A file is
    complete when it has kept its size and time since a listing at least ``settle``
    seconds ago; anything still being written changes one of them in between.
    """
    ready: list[DropFile] = []
    memory: dict[str, list] = {}
    waiting = 0
    for entry in listing:
        if still_writing(entry.name):
            waiting += 1
            continue
        before = seen.get(entry.name)
        if before and before[0] == entry.size and before[1] == entry.modified:
            memory[entry.name] = before
            if now - before[2] >= settle:
                ready.append(entry)
            else:
                waiting += 1
        else:
            memory[entry.name] = [entry.size, entry.modified, now]
            waiting += 1
    return ready, memory, waiting


def reply_text(exc: BaseException | None) -> str:
    text = " ".join(str(exc or "no answer").split())[:300]
    return text or type(exc).__name__
