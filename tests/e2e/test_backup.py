"""`wiredesk backup` / `wiredesk restore` round trips, as an operator runs them."""

import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from tests.conftest import rss, rss_item
from tests.e2e.processes import WIREDESK
from tests.e2e.test_database import PG_URL, pg_up

pytestmark = pytest.mark.e2e  # runs the real command in processes


def wd(env, *args, check=True):
    result = subprocess.run([WIREDESK, *args], env=env, capture_output=True, text=True,
                            timeout=120)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def article_count(env) -> int:
    code = ("from wiredesk.cli import _setup_django; _setup_django();"
            "from wiredesk.newsroom.models import Article; print(Article.objects.count())")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout
    return int(out.strip())


def feed_file(tmp_path, name, count, prefix):
    path = tmp_path / name
    path.write_bytes(rss("".join(rss_item(f"{prefix}{i}", f"{prefix} story {i}")
                                 for i in range(count))))
    return str(path)


def round_trip(tmp_path, env, suffix):
    wd(env, "ingest", feed_file(tmp_path, "a.rss", 3, "a"), "--agency", "RFE")
    target = tmp_path / f"copy.{suffix}"
    out = wd(env, "backup", "--output", str(target))
    assert "backup written" in out.stdout and target.is_file()
    wd(env, "ingest", feed_file(tmp_path, "b.rss", 2, "b"), "--agency", "RFE")
    assert article_count(env) == 5
    refused = wd(env, "restore", str(target), check=False)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    wd(env, "restore", str(target), "--yes")
    assert article_count(env) == 3
    # The restored instance works: the same feed again stores nothing twice.
    again = wd(env, "ingest", feed_file(tmp_path, "a.rss", 3, "a"), "--agency", "RFE")
    assert "0 new" in again.stdout
    return target


def test_sqlite_backup_and_restore_round_trip(tmp_path, data_dir):
    env = data_dir.env
    target = round_trip(tmp_path, env, "sqlite3")
    assert target.read_bytes()[:16] == b"SQLite format 3\x00"
    wrong = tmp_path / "not-a-backup"
    wrong.write_bytes(b"PGDMP something")
    result = wd(env, "restore", str(wrong), "--yes", check=False)
    assert result.returncode == 2 and "not a SQLite backup" in result.stderr


def test_sqlite_backup_is_consistent_while_another_process_writes(tmp_path, data_dir):
    env = data_dir.env
    wd(env, "ingest", feed_file(tmp_path, "seed.rss", 1, "seed"), "--agency", "RFE")
    stop = threading.Event()

    def writer():
        n = 0
        while not stop.is_set():
            wd(env, "ingest", feed_file(tmp_path, f"w{n}.rss", 20, f"w{n}-"), "--agency", "RFE")
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        time.sleep(1)
        copies = [tmp_path / f"live{i}.sqlite3" for i in range(2)]
        for copy in copies:
            wd(env, "backup", "--output", str(copy))
    finally:
        stop.set()
        thread.join()
    for copy in copies:
        db = sqlite3.connect(copy)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # Every article in the copy has its placements' article: no half-written item.
        orphans = db.execute("SELECT COUNT(*) FROM editions_placement p LEFT JOIN "
                             "newsroom_article a ON a.id = p.article_id "
                             "WHERE a.id IS NULL").fetchone()[0]
        assert orphans == 0
        db.close()


@pytest.mark.skipif(not pg_up(), reason=f"no PostgreSQL at {PG_URL}")
@pytest.mark.skipif(not __import__("shutil").which("pg_dump"), reason="no pg_dump")
def test_postgresql_backup_and_restore_round_trip(tmp_path, data_dir):
    import psycopg

    name = "test_wd_8_backup"
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = PG_URL.rsplit("/", 1)[0] + "/" + name
        env = data_dir.env_with(DATABASE_URL=url)
        wd(env, "migrate")
        target = round_trip(tmp_path, env, "pgdump")
        assert target.read_bytes()[:5] == b"PGDMP"
        # The restored tables come back with planner statistics.
        with psycopg.connect(url) as db:
            analysed = db.execute("SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables "
                                  "WHERE relname = 'newsroom_article'").fetchone()[0]
        assert analysed
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
