"""`wiredesk restore` (issue 23, items 8 and 9).

8. A backup with every 4th page damaged was "restored" (exit 0), then every page
   answered "database disk image is malformed"; a truncated file gave a traceback. Now
   the backup is checked before anything is replaced: a clean one-line error, a
   non-zero exit, and the live database as it was. PostgreSQL: a damaged dump too.
9. Generations rolled back with the database and were reused, so the page cache
   served pre-restore pages, and an id reused by a new article answered with the old
   article's redirect.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from tests.conftest import make_data_dir, rss, rss_item
from tests.e2e.processes import WIREDESK, run_django
from tests.e2e.test_database import PG_URL, pg_up
from wiredesk import backup


def wd(env, *args, check=True):
    result = subprocess.run([WIREDESK, *args], env=env, capture_output=True, text=True,
                            timeout=180)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def feed(path: Path, prefix: str, count: int) -> str:
    path.write_bytes(rss("".join(rss_item(f"{prefix}{i}", f"{prefix} story {i}")
                                 for i in range(count))))
    return str(path)


def live_state(db_path: Path) -> tuple[str, int]:
    db = sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True)
    try:
        return (db.execute("PRAGMA integrity_check").fetchone()[0],
                db.execute("SELECT COUNT(*) FROM newsroom_article").fetchone()[0])
    finally:
        db.close()


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    """A data directory with 3 articles and a backup of it, then 2 more articles."""
    root = tmp_path_factory.mktemp("restore")
    env = make_data_dir(root / "data").env
    wd(env, "ingest", feed(root / "a.rss", "a", 3), "--agency", "RFE")
    copy = root / "good.sqlite3"
    wd(env, "backup", "--output", str(copy))
    wd(env, "ingest", feed(root / "b.rss", "b", 2), "--agency", "RFE")
    return env, root, copy


def damaged_copies(good: Path, folder: Path) -> dict[str, Path]:
    data = good.read_bytes()
    page = int.from_bytes(data[16:18], "big")
    pages = len(data) // page
    assert pages >= 8
    every_4th = bytearray(data)
    flipped = bytearray(data)
    for number in range(3, pages, 4):  # 0-based: pages 4, 8, 12, ... of the file
        start = number * page
        every_4th[start:start + page] = bytes((i * 7 + 13) & 0xFF for i in range(page))
        middle = start + page // 2  # cell content: opens fine, fails the check
        flipped[middle:middle + 64] = bytes(b ^ 0x5A for b in flipped[middle:middle + 64])
    other = folder / "other.sqlite3"
    other.unlink(missing_ok=True)
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE notes (body TEXT)")
    db.commit()
    db.close()
    files = {"every-4th-page": bytes(every_4th), "flipped-bytes": bytes(flipped),
             "truncated": data[: len(data) // 3], "magic-then-garbage":
             data[:16] + b"\x00garbage" * 4000}
    out = {}
    for name, content in files.items():
        out[name] = folder / f"{name}.sqlite3"
        out[name].write_bytes(content)
    out["not-wiredesk"] = other
    return out


def test_damaged_sqlite_backups_are_refused_by_the_check(instance, tmp_path):
    _env, _root, good = instance
    backup.check_sqlite_backup(good)  # the real backup passes
    for name, path in damaged_copies(good, tmp_path).items():
        before = path.read_bytes()
        with pytest.raises(backup.BackupError, match="nothing was restored"):
            backup.check_sqlite_backup(path)
        # Checking never writes to the backup or beside it.
        assert path.read_bytes() == before, name
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(path.name)) \
            == [path.name], name


REFUSE_SCRIPT = """
import contextlib, io, json
from wiredesk.cli import main
out = {{}}
for path in json.loads({paths!r}):
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["restore", path, "--yes"])  # an exception here fails the test
    out[path] = [code, err.getvalue()]
print("RESULT " + json.dumps(out))
"""


def test_restore_refuses_bad_backups_and_keeps_the_live_database(instance, tmp_path):
    env, root, good = instance
    live = root / "data" / "wiredesk.sqlite3"
    assert live_state(live) == ("ok", 5)
    bad = damaged_copies(good, tmp_path)
    bad["not-sqlite"] = tmp_path / "notes.txt"
    bad["not-sqlite"].write_text("not a database at all\n")
    # The command as an operator runs it: exit status and stderr.
    result = wd(env, "restore", str(bad["every-4th-page"]), "--yes", check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(
        f"wiredesk: error: {bad['every-4th-page']} is damaged")
    assert live_state(live) == ("ok", 5)
    # Every other kind, in one process (each command start costs seconds).
    paths = json.dumps([str(path) for path in bad.values()])
    output = run_django(REFUSE_SCRIPT.format(paths=paths), env, timeout=240)
    for path, (code, stderr) in json.loads(output.split("RESULT ", 1)[1]).items():
        errors = [line for line in stderr.splitlines() if line.startswith("wiredesk:")]
        assert code == 2 and len(errors) == 1 and path in errors[0], (path, stderr)
    assert live_state(live) == ("ok", 5)


def test_a_good_backup_still_restores(instance, tmp_path):
    env, root, good = instance
    data = tmp_path / "data"
    shutil.copytree(root / "data", data)
    env = make_data_dir(data).env
    wd(env, "restore", str(good), "--yes")
    assert live_state(data / "wiredesk.sqlite3") == ("ok", 3)


@pytest.mark.skipif(not pg_up(), reason=f"no PostgreSQL at {PG_URL}")
@pytest.mark.skipif(not shutil.which("pg_restore"), reason="no pg_restore")
def test_postgresql_damaged_dump_is_refused(tmp_path):
    import psycopg

    name = "test_wd_secops_restore"
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    url = PG_URL.rsplit("/", 1)[0] + "/" + name
    try:
        env = make_data_dir(tmp_path / "data").env_with(DATABASE_URL=url)
        wd(env, "migrate")
        wd(env, "ingest", feed(tmp_path / "a.rss", "a", 3), "--agency", "RFE")
        good = tmp_path / "good.pgdump"
        wd(env, "backup", "--output", str(good))
        wd(env, "ingest", feed(tmp_path / "b.rss", "b", 2), "--agency", "RFE")
        data = good.read_bytes()
        flipped = bytearray(data)
        for at in range(len(data) // 2, len(data) - 64, 4096):
            flipped[at:at + 64] = b"\x55" * 64
        bad = {"truncated": data[: len(data) * 2 // 3], "flipped": bytes(flipped),
               "garbage": b"PGDMP" + b"\x01" * 1000}
        for kind, content in bad.items():
            path = tmp_path / f"{kind}.pgdump"
            path.write_bytes(content)
            result = wd(env, "restore", str(path), "--yes", check=False)
            assert result.returncode == 2, (kind, result.stdout)
            assert "Traceback" not in result.stderr and "nothing was restored" in \
                result.stderr, (kind, result.stderr)
            with psycopg.connect(url) as db:
                count = db.execute("SELECT COUNT(*) FROM newsroom_article").fetchone()[0]
            assert count == 5, kind
        wd(env, "restore", str(good), "--yes")
        with psycopg.connect(url) as db:
            assert db.execute("SELECT COUNT(*) FROM newsroom_article").fetchone()[0] == 3
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- 9: the page cache after a restore ------------------------------------------------

STALE_SCRIPT = """
import json
from pathlib import Path
from django.test import Client
from wiredesk import backup
from wiredesk.cli import main
from wiredesk.newsroom.models import Article

def cli(*args):
    assert main(list(args)) == 0, args

folder = Path({folder!r})
cli("edition", "add", "--name", "Chile Sun")
cli("ingest", {feed_a!r}, "--agency", "RFE")
# One process and its page cache: a server that keeps running.
client = Client(HTTP_HOST="localhost")
out = {{}}
out["home_before"] = client.get("/chile-sun/")["X-Cache"]
copy = backup.backup(folder / "before.sqlite3")
cli("ingest", {feed_foo!r}, "--agency", "RFE")
foo = Article.objects.get(headline="Foo harbour story")
out["foo_redirect"] = client.get(f"/chile-sun/news/{{foo.pk}}/")["Location"]
home = client.get("/chile-sun/")
out["home_with_foo"] = "Foo harbour story" in home.content.decode()
out["last_modified_before"] = home["Last-Modified"]
backup.restore(copy)
home = client.get("/chile-sun/")
out["home_after_restore"] = [home["X-Cache"], "Foo harbour story" in home.content.decode()]
out["last_modified_after"] = home["Last-Modified"]
cli("ingest", {feed_bar!r}, "--agency", "RFE")
bar = Article.objects.get(headline="Bar market story")
out["same_id"] = bar.pk == foo.pk
out["bar_slug"] = bar.slug
out["bar_redirect"] = client.get(f"/chile-sun/news/{{bar.pk}}/")["Location"]
home = client.get("/chile-sun/").content.decode()
out["home_after_bar"] = ["Bar market story" in home, "Foo harbour story" in home]
print("RESULT " + json.dumps(out))
"""


def test_restore_never_serves_pre_restore_pages(tmp_path):
    feed_a = feed(tmp_path / "a.rss", "a", 3)
    (tmp_path / "foo.rss").write_bytes(rss(rss_item("foo1", "Foo harbour story")))
    (tmp_path / "bar.rss").write_bytes(rss(rss_item("bar1", "Bar market story")))
    script = STALE_SCRIPT.format(folder=str(tmp_path), feed_a=feed_a,
                                 feed_foo=str(tmp_path / "foo.rss"),
                                 feed_bar=str(tmp_path / "bar.rss"))
    env = make_data_dir(tmp_path / "data").env_with(WIREDESK_PAGE_CACHE="true")
    output = run_django(script, env, timeout=240)
    out = json.loads(output.split("RESULT ", 1)[1])
    assert out["home_before"] == "MISS" and out["home_with_foo"]
    assert out["foo_redirect"].endswith("/foo-harbour-story")
    # Restored: the home page is rendered again, without the article the backup lacks.
    assert out["home_after_restore"] == ["MISS", False]
    # Last-Modified moves forward (the restored stamps were older than what clients hold).
    assert parsedate_to_datetime(out["last_modified_after"]) >= \
        parsedate_to_datetime(out["last_modified_before"])
    # The new article took the old one's id (the restored sequence): its own redirect.
    assert out["same_id"], "the scenario needs the id to be reused"
    assert out["bar_redirect"].endswith("/" + out["bar_slug"])
    assert out["home_after_bar"] == [True, False]
