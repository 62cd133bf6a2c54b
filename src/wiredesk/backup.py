"""``wiredesk backup`` / ``wiredesk restore``: a whole-database copy, taken while serving.

- SQLite (the embedded default): the sqlite3 online backup API copies the live database
  page by page; readers and writers go on, and the copy is one consistent moment
  (pages written during the copy make it start over on the changed pages, as SQLite
  documents). Restoring runs the same API the other way, into the live file, so
  processes that have it open see the restored data rather than a swapped-out inode.
- PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot; writes go on) and
  ``pg_restore --clean --if-exists --single-transaction``. The client tools must be
  installed (Debian: ``postgresql-client``) and of the server's major version or newer.

After a restore, migrations are applied, so a backup from an older release restores
into a newer one.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from wiredesk.errors import WiredeskError

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(WiredeskError):
    """A backup or restore that cannot be done; the message says why."""


def _database() -> dict:
    return settings.DATABASES["default"]


def is_sqlite() -> bool:
    return _database()["ENGINE"].endswith("sqlite3")


def default_output() -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix = "sqlite3" if is_sqlite() else "pgdump"
    return settings.DATA_DIR / "backups" / f"wiredesk-{stamp}.{suffix}"


def _progress(label: str):
    shown = {-1}

    def report(status, remaining, total):
        if not total:
            return
        percent = int(100 * (total - remaining) / total) // 10 * 10
        if percent not in shown:
            shown.add(percent)
            print(f"{label}: {percent}%", file=sys.stderr, flush=True)
    return report


def _sqlite_copy(source: str | Path, target: str | Path, label: str) -> None:
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target, timeout=30)
    try:
        with dst:
            src.backup(dst, pages=4096, progress=_progress(label))
    finally:
        dst.close()
        src.close()


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = _database()
    args = ["--host", str(db.get("HOST") or "localhost"), "--port", str(db.get("PORT") or 5432),
            "--username", str(db.get("USER") or "postgres"), "--no-password"]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])  # not on the command line, where ps shows it
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client tools "
                          "(Debian: apt-get install postgresql-client)")
    return path


def backup(output: Path | None = None) -> Path:
    output = Path(output or default_output()).expanduser().resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    if is_sqlite():
        _sqlite_copy(_database()["NAME"], partial, "backup")
        check = sqlite3.connect(partial)
        try:
            result = check.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            check.close()
        if result != "ok":
            partial.unlink(missing_ok=True)
            raise BackupError(f"the copy failed its integrity check: {result}")
    else:
        args, env = _pg_env()
        done = subprocess.run([_tool("pg_dump"), *args, "--format=custom", "--file",
                               str(partial), str(_database()["NAME"])],
                              env=env, capture_output=True, text=True)
        if done.returncode != 0:
            partial.unlink(missing_ok=True)
            raise BackupError(f"pg_dump failed: {done.stderr.strip()[:500]}")
    os.replace(partial, output)  # a backup file is complete or absent
    return output


def restore(source: Path) -> None:
    source = Path(source).expanduser().resolve()
    try:
        head = source.open("rb").read(16)
    except OSError as exc:
        raise BackupError(f"cannot read {source}: {exc.strerror}") from exc
    if is_sqlite():
        if head != SQLITE_MAGIC:
            raise BackupError(f"{source} is not a SQLite backup (this instance runs on SQLite)")
        from django.db import connections

        connections.close_all()
        _sqlite_copy(source, _database()["NAME"], "restore")
        return
    if not head.startswith(PGDUMP_MAGIC):
        raise BackupError(f"{source} is not a pg_dump custom-format backup "
                          "(this instance runs on PostgreSQL)")
    args, env = _pg_env()
    done = subprocess.run([_tool("pg_restore"), *args, "--clean", "--if-exists", "--no-owner",
                           "--single-transaction", "--dbname", str(_database()["NAME"]),
                           str(source)], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()[:500]}")
    # pg_restore brings rows, not planner statistics: until the tables are analysed the
    # planner guesses, and a lookup by story took 78 ms instead of 0.3 ms at 1M articles.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def holds_data() -> bool:
    from django.db import DatabaseError

    from wiredesk.newsroom.models import Article, Feed

    try:
        return Article.objects.exists() or Feed.objects.exists()
    except DatabaseError:  # not migrated yet: nothing to lose
        return False
