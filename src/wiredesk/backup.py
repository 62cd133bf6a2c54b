"""``wiredesk backup`` / ``wiredesk restore``: a whole-database copy, taken while serving.

- SQLite (the embedded default): the sqlite3 online backup API copies the live database
  page by page; readers and writers go on, and the copy is one consistent moment
  (pages written during the copy make it start over on the changed pages, as SQLite
  documents). Restoring runs the same API the other way, into the live file, so
  processes that have it open see the restored data rather than a swapped-out inode.
- PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot; writes go on) and
  ``pg_restore --clean --if-exists --single-transaction``. The client tools must be
  installed (Debian: ``postgresql-client``) and of the server's major version or newer.

A backup is checked before anything is replaced: ``PRAGMA integrity_check`` on a SQLite
file (a damaged copy restored "fine" before, then every page answered "database disk
image is malformed"), a full read of a pg_dump archive by ``pg_restore`` into
/dev/null. A file that fails is refused with the reason and the live database is left
as it was. Backups are written 0600 into a 0700 folder (see datadir.py).

After a restore, migrations are applied, so a backup from an older release restores
into a newer one, and every edition's stamp is bumped: the restored generations are
numbers cached pages were already stored under (see publishing/cache.py).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from wiredesk import datadir
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


def _read_only(path: Path) -> str:
    """A URI that opens a backup file as it is: no locks, no -wal or -shm made beside it,
    no journal rolled back into it. The check and the copy read the same bytes."""
    return f"{path.as_uri()}?mode=ro&immutable=1"


def _sqlite_copy(source: str | Path, target: str | Path, label: str) -> None:
    src = sqlite3.connect(source, timeout=30, uri=str(source).startswith("file:"))
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
    # A folder made here is private; one the operator chose is left as it is (the
    # file itself is 0600 either way).
    output.parent.mkdir(mode=datadir.DIR_MODE, parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    partial.unlink(missing_ok=True)  # left by a killed run
    datadir.private_file(partial)  # what SQLite or pg_dump write into it stays 0600
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
    """Check ``source``, replace the database with it, migrate, bump every edition."""
    source = Path(source).expanduser().resolve()
    try:
        with source.open("rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        raise BackupError(f"cannot read {source}: {exc.strerror}") from exc
    if is_sqlite():
        if head != SQLITE_MAGIC:
            raise BackupError(f"{source} is not a SQLite backup (this instance runs on SQLite)")
        check_sqlite_backup(source)
        from django.db import connections

        connections.close_all()
        _sqlite_copy(_read_only(source), _database()["NAME"], "restore")
    else:
        if not head.startswith(PGDUMP_MAGIC):
            raise BackupError(f"{source} is not a pg_dump custom-format backup "
                              "(this instance runs on PostgreSQL)")
        check_pg_backup(source)
        _pg_restore(source)
    _after_restore()


def check_sqlite_backup(source: Path) -> None:
    """Refuse a SQLite file that is damaged or not a wiredesk database.

    The file is read as it is (see _read_only), as the restore then reads it."""
    try:
        check = sqlite3.connect(_read_only(source), uri=True)
        try:
            problems = [row[0] for row in check.execute("PRAGMA integrity_check(10)")]
            ours = check.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                                 "name = 'django_migrations'").fetchone()
        finally:
            check.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source} is damaged ({exc}); nothing was restored") from exc
    if problems != ["ok"]:
        shown = "; ".join(problems[:3])
        raise BackupError(f"{source} failed its integrity check ({shown}); nothing was "
                          "restored")
    if ours is None:
        raise BackupError(f"{source} is a SQLite database but not a wiredesk backup; "
                          "nothing was restored")


def check_pg_backup(source: Path) -> None:
    """Refuse a pg_dump archive that is damaged or not a wiredesk database.

    ``--list`` reads only the table of contents, which a truncated file still has (and a
    garbage one parses as an empty list), so the list must name wiredesk's tables, and
    a restore into /dev/null (no database involved) then reads and decompresses every
    block. pg_restore has crashed on damaged blocks: a signal is a refusal too."""
    tool = _tool("pg_restore")
    listed = _pg_read(source, [tool, "--list", str(source)])
    if not re.search(r"^\d+; \d+ \d+ TABLE DATA \S+ django_migrations ", listed, re.M):
        raise BackupError(f"{source} is not a wiredesk backup (its table of contents has "
                          "no django_migrations data); nothing was restored")
    _pg_read(source, [tool, "--file", os.devnull, str(source)])


def _pg_read(source: Path, args: list[str]) -> str:
    done = subprocess.run(args, capture_output=True, text=True, errors="replace")
    if done.returncode != 0:
        why = done.stderr.strip()[:300] or (
            f"pg_restore was killed by signal {-done.returncode}" if done.returncode < 0
            else f"pg_restore exited with status {done.returncode}")
        raise BackupError(f"{source} is damaged ({why}); nothing was restored")
    return done.stdout


def _pg_restore(source: Path) -> None:
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


def _after_restore() -> None:
    from django.core.management import call_command

    from wiredesk.publishing.changes import restart_after_restore
    from wiredesk.publishing.stamps import bump_all_editions

    call_command("migrate", interactive=False, verbosity=0)  # an older backup catches up
    # New (generation, changed_at) pairs no cached page was stored under, and a
    # Last-Modified after anything a client or CDN holds.
    bump_all_editions()
    # Partners synced past the backup: their cursors are refused, they sync from scratch.
    restart_after_restore()


def holds_data() -> bool:
    from django.db import DatabaseError

    from wiredesk.newsroom.models import Article, Feed

    try:
        return Article.objects.exists() or Feed.objects.exists()
    except DatabaseError:  # not migrated yet: nothing to lose
        return False
