"""Faults during ingest, on PostgreSQL + Redis + Celery: afterwards every item is stored
exactly once and nothing stays stuck (queue empty, no lock left, every feed polled OK).

- kill9-worker: SIGKILL a worker (its whole process group) once a third of the feeds
  are polled, then start a fresh one.
- restart-redis: stop and restart the broker (a private redis-server with AOF
  persistence, so other users of the shared Redis are not disturbed) mid-ingest.
- restart-postgres: restart (fast shutdown: sessions cut) a private PostgreSQL
  cluster mid-ingest (the shared server is left alone). Needs root (initdb and pg_ctl
  run as the ``postgres`` user via runuser) and /usr/lib/postgresql/15/bin.
- burst-10000: 10,000 poll tasks queued at once for 60 feeds.

Celery beat runs throughout (`wiredesk scheduler`), as in production: with
WIREDESK_POLL_LEASE=20 a poll lost with its worker is due again 20 s later.
Reference for the recovery time: the same ingest with no fault, measured in this run.

    .venv/bin/python benchmarks/faults.py \
        [--cases none,kill9-worker,restart-redis,restart-postgres,burst-10000]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from _common import WIREDESK, Worker, django, env_for, free_port, fresh_postgres, write_result
from _feeds import FeedFarm
from ingest_scaling import CHECK, setup

# Polled, and with no item left unstored (a poll whose items could not be written keeps
# the error and polls again a minute later).
POLLED_SQL = ("SELECT count(*) FROM newsroom_feed "
              "WHERE last_status IN ('ok', 'not_modified') AND last_error = ''")


class PrivateRedis:
    def __init__(self, tmp: Path):
        self.port = free_port()
        self.dir = tmp / f"redis-{self.port}"
        self.dir.mkdir(parents=True)
        self.process = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.dir), "--appendonly", "yes", "--appendfsync", "everysec",
             "--save", ""], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(self.url).ping()
                return
            except Exception:
                time.sleep(0.1)
        raise RuntimeError("private redis did not start")

    def stop(self) -> None:
        subprocess.run([shutil.which("redis-cli"), "-p", str(self.port), "shutdown"],
                       capture_output=True)
        self.process.wait(timeout=30)


class PrivatePostgres:
    """A throw-away PostgreSQL cluster (run as the ``postgres`` user), to restart at will."""

    BIN = Path("/usr/lib/postgresql/15/bin")

    def __init__(self, tmp: Path):
        self.port = free_port()
        # Its own top-level directory: the postgres user cannot enter root's temp dirs.
        self.dir = Path(tempfile.mkdtemp(prefix=f"wd-pg-{self.port}-"))
        shutil.chown(self.dir, "postgres", "postgres")
        self._as_postgres([str(self.BIN / "initdb"), "-D", str(self.dir / "data"), "-A",
                           "trust", "-U", "postgres"])
        self.start()

    @property
    def admin_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, argv: list[str]) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *argv], check=True,
                       capture_output=True)

    def _ctl(self, *args: str) -> None:
        self._as_postgres([str(self.BIN / "pg_ctl"), "-D", str(self.dir / "data"), "-w",
                           "-l", str(self.dir / "log"), "-o",
                           f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1",
                           *args])

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        self._ctl("-m", "fast", "restart")

    def stop(self) -> None:
        self._ctl("-m", "fast", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


def polled(url: str) -> int:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(POLLED_SQL).fetchone()[0]


def wait_polled(url: str, count: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if polled(url) >= count:
            return True
        time.sleep(0.1)
    return False


def leftovers(redis_url: str) -> dict:
    import redis

    client = redis.Redis.from_url(redis_url)
    return {"queue_depth": client.llen("wiredesk"),
            "unacked": client.hlen("unacked"),
            "locks_held": len(client.keys("wiredesk:lock:*"))}


def run_case(case: str, tmp: Path, farm: FeedFarm) -> dict:
    redis_server = PrivateRedis(tmp)
    private_pg = PrivatePostgres(tmp) if case == "restart-postgres" else None
    if private_pg is not None:
        import psycopg

        with psycopg.connect(private_pg.admin_url, autocommit=True) as admin:
            admin.execute('CREATE DATABASE "wd_bench_8"')
        db = private_pg.admin_url.rsplit("/", 1)[0] + "/wd_bench_8"
    else:
        db = fresh_postgres("wd_bench_8")
    env = env_for(tmp / case, DATABASE_URL=db, REDIS_URL=redis_server.url,
                  WIREDESK_LOG_LEVEL="WARNING", WIREDESK_POLL_LEASE="20",
                  WIREDESK_TASK_VISIBILITY_TIMEOUT="30")
    setup(env, farm.urls())
    worker = Worker(env, 2, tmp / f"{case}-worker1.log")
    beat_log = (tmp / f"{case}-beat.log").open("w")
    beat = subprocess.Popen([WIREDESK, "scheduler"], env=env, stdout=beat_log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    events = []
    try:
        worker.wait_ready()
        started = time.monotonic()
        if case == "burst-10000":
            out = django("import time; from wiredesk.newsroom.tasks import poll_feed\n"
                         "from wiredesk.newsroom.models import Feed\n"
                         "ids = list(Feed.objects.values_list('pk', flat=True))\n"
                         "t = time.monotonic()\n"
                         "for n in range(10_000): poll_feed.delay(ids[n % len(ids)])\n"
                         "print(time.monotonic() - t)", env)
            events.append(f"queued 10,000 tasks in {float(out.split()[-1]):.1f}s")
        else:
            django("from wiredesk.newsroom.tasks import poll_due_feeds; poll_due_feeds.run()",
                   env)
        if case == "kill9-worker":
            wait_polled(db, farm.feeds // 3, 120)
            worker.kill9()
            events.append(f"worker killed (-9) with {polled(db)} of {farm.feeds} feeds polled")
            worker = Worker(env, 2, tmp / f"{case}-worker2.log")
            worker.wait_ready()
            events.append("fresh worker ready")
        if case == "restart-redis":
            wait_polled(db, farm.feeds // 3, 120)
            redis_server.stop()
            events.append(f"redis stopped with {polled(db)} of {farm.feeds} feeds polled")
            time.sleep(3)
            redis_server.start()
            events.append("redis restarted")
        if case == "restart-postgres":
            wait_polled(db, farm.feeds // 3, 120)
            private_pg.restart()
            events.append(f"postgresql restarted (fast) with {polled(db)} of {farm.feeds} "
                          "feeds polled")
        complete = wait_polled(db, farm.feeds, 240)
        elapsed = time.monotonic() - started
        # Let stray duplicates (redelivered or burst tasks) run out before judging.
        import redis

        client = redis.Redis.from_url(redis_server.url)
        drain_deadline = time.monotonic() + 600
        while time.monotonic() < drain_deadline and (client.llen("wiredesk")
                                                     or client.hlen("unacked")):
            time.sleep(0.5)
        drained = time.monotonic() - started
        time.sleep(2)
        left = leftovers(redis_server.url)
    finally:
        worker.stop()
        beat.terminate()
        beat.wait(timeout=30)
        beat_log.close()
        redis_server.stop()
    result = json.loads(django(CHECK, env).strip().splitlines()[-1])
    if private_pg is not None:
        private_pg.stop()
    exactly_once = (result["articles"] == farm.unique_items
                    and result["duplicate_guids"] == 0 and result["revisions"] == 0)
    nothing_stuck = (complete and left["queue_depth"] == 0 and left["unacked"] == 0
                     and left["locks_held"] == 0 and result["feeds_ok"] == result["feeds"])
    return {"case": case, "seconds_to_all_polled": round(elapsed, 1),
            "seconds_to_queue_empty": round(drained, 1), "events": events,
            "expected_items": farm.unique_items, **result, **left,
            "exactly_once": exactly_once, "nothing_stuck": nothing_stuck}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases",
                        default="none,kill9-worker,restart-redis,restart-postgres,burst-10000")
    parser.add_argument("--feeds", type=int, default=60)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="wd-bench-faults-"))
    farm = FeedFarm(hosts=4, feeds=args.feeds, per_feed=40, step=20)
    rows = [run_case(case, tmp, farm) for case in args.cases.split(",")]
    farm.close()
    reference = next((r for r in rows if r["case"] == "none"), rows[0])
    print(f"{'case':<14} {'items':>6} {'expected':>8} {'once':>5} {'stuck':>6} "
          f"{'all polled s':>12} {'vs none':>8} {'queue empty s':>13}")
    for r in rows:
        r["ratio_to_no_fault"] = round(r["seconds_to_all_polled"]
                                       / reference["seconds_to_all_polled"], 2)
        print(f"{r['case']:<14} {r['articles']:>6} {r['expected_items']:>8} "
              f"{'yes' if r['exactly_once'] else 'NO':>5} "
              f"{'no' if r['nothing_stuck'] else 'YES':>6} {r['seconds_to_all_polled']:>12.1f} "
              f"{r['ratio_to_no_fault']:>7.2f}x {r['seconds_to_queue_empty']:>13.1f}")
        for event in r["events"]:
            print(f"    {event}")
    write_result("faults", {"feeds": args.feeds, "per_feed": 40, "worker_processes": 2,
                            "poll_lease_s": 20, "visibility_timeout_s": 30, "rows": rows})


if __name__ == "__main__":
    main()
