"""The data directory is for the instance's own user only.

It holds the SQLite database (with its -wal and -shm files), the generated secret key
and backups: any of them read by another local user opens ``/admin/`` (a session key
from the database, or a forged session signed with the secret key). So the directory is
0700 and those files 0600, whatever the umask.

Files are created with their mode rather than chmod'ed after the fact: SQLite gives the
-wal and -shm files the mode of the database file, so the database is created empty
(a 0-byte file is an empty SQLite database) with 0600 before SQLite first opens it, and a
backup is written into a file created 0600. Data directories from before are tightened
on start when this user owns them; nothing is ever loosened, and another user's files
are left alone.

A directory built by ``wiredesk demo`` also holds ``demo.json``, the demo's own address
(``demo_record``): settings.py reads it so that a command run by hand on the demo's data
(``wiredesk releases approve``, ``wiredesk digest send``) links to the port the demo
serves on and leaves its mail in the demo's mailbox.

Pure Python (no Django): settings.py calls ``secure`` and ``demo_record`` while it is
being read.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def tighten(path: Path, mode: int = FILE_MODE) -> None:
    """Take away the permission bits ``mode`` does not have, on a path this user owns."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    current = stat.S_IMODE(info.st_mode)
    if info.st_uid == os.getuid() and current & ~mode:
        os.chmod(path, current & mode)


def private_dir(path: Path) -> Path:
    """``path`` as a directory only its owner can enter (its parents are left as they are)."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    tighten(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """``path`` as a file only its owner can read: created empty if it is missing."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        tighten(path, FILE_MODE)
    return path


def secure(data_dir: Path, sqlite_path: Path | None) -> None:
    """Create or tighten the data directory, the database files, key and backups."""
    private_dir(data_dir)
    tighten(data_dir / "secret_key")
    if sqlite_path is not None and sqlite_path.parent.is_dir():
        private_file(sqlite_path)
        for suffix in ("-wal", "-shm", "-journal"):
            tighten(sqlite_path.with_name(sqlite_path.name + suffix))
    backups = data_dir / "backups"
    if backups.is_dir():
        tighten(backups, DIR_MODE)
        for entry in backups.iterdir():
            if entry.is_file():
                tighten(entry)


DEMO_RECORD = "demo.json"


def demo_record(data_dir: Path) -> dict:
    """What ``wiredesk demo`` recorded about the instance in ``data_dir``; {} if it did not
    build it (or the record cannot be read)."""
    try:
        record = json.loads((data_dir / DEMO_RECORD).read_text())
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def write_demo_record(data_dir: Path, record: dict) -> None:
    """Replace the demo record at once (readers never see half a file), 0600."""
    private_dir(data_dir)
    target = data_dir / DEMO_RECORD
    temporary = data_dir / f".{DEMO_RECORD}.{os.getpid()}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "w") as handle:
        json.dump(record, handle, indent=2, sort_keys=True)
    os.replace(temporary, target)
