"""Ingest scaling: items/s with 1, 2 and 4 Celery worker processes (PostgreSQL + Redis)
and through the embedded default (SQLite, the in-process poller), on the same feeds.

48 overlapping feeds of one agency (each shares half its items with the next) on 4
loopback "agency hosts"; every feed is queued at once, so neighbouring feeds race to
store the same item. After each run: articles == distinct items, no item stored twice,
no spurious updates (revisions), every feed polled OK.
Reference: the embedded default, measured in the same run.

    .venv/bin/python benchmarks/ingest_scaling.py [--feeds 48 --per-feed 40]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from _common import BENCH_REDIS, Worker, django, env_for, flush_redis, fresh_postgres, write_result
from _feeds import FeedFarm

ADD_FEEDS = """
import json, sys
from wiredesk.newsroom import services
agency = services.agency_ensure(code="WIRE")
services.section_ensure(slug="world", name="World")
from wiredesk.editions.services import edition_save
edition_save(name="Chile Sun", time_zone="Australia/Sydney")
for url in json.loads(sys.argv[1] if len(sys.argv) > 1 else {urls!r}):
    services.feed_add(source=url, agency=agency)
"""

CHECK = """
import json
from django.db.models import Count
from wiredesk.newsroom.models import Article, Feed, Revision
dupes = (Article.objects.values("agency_id", "guid").annotate(n=Count("id"))
         .filter(n__gt=1).count())
print(json.dumps({"articles": Article.objects.count(),
                  "distinct_guids": Article.objects.values("guid").distinct().count(),
                  "duplicate_guids": dupes, "revisions": Revision.objects.count(),
                  "feeds_ok": Feed.objects.filter(last_status__in=["ok", "not_modified"]).count(),
                  "feeds": Feed.objects.count()}))
"""

PROGRESS_SQL = "SELECT count(*) FROM newsroom_feed WHERE last_status <> 'new'"


def setup(env: dict[str, str], urls: list[str]) -> None:
    django("from django.core.management import call_command;"
           "call_command('migrate', verbosity=0)", env)
    django(ADD_FEEDS.format(urls=json.dumps(urls)), env)


def check(env, farm) -> dict:
    result = json.loads(django(CHECK, env).strip().splitlines()[-1])
    result["expected_items"] = farm.unique_items
    result["exactly_once"] = (result["articles"] == farm.unique_items
                              and result["distinct_guids"] == farm.unique_items
                              and result["duplicate_guids"] == 0 and result["revisions"] == 0)
    return result


def run_celery(workers: int, farm: FeedFarm, tmp: Path) -> dict:
    url = fresh_postgres("wd_bench_8")
    flush_redis()
    env = env_for(tmp / f"celery{workers}", DATABASE_URL=url, REDIS_URL=BENCH_REDIS,
                  WIREDESK_LOG_LEVEL="WARNING", WIREDESK_POLL_PER_HOST="2")
    setup(env, farm.urls())
    worker = Worker(env | {"WIREDESK_LOG_LEVEL": "INFO"}, workers, tmp / f"w{workers}.log")
    try:
        worker.wait_ready()
        # Warm-up: each worker process imports the pipeline on its first task.
        django(f"from wiredesk.newsroom.tasks import poll_feed\n"
               f"for _ in range({workers * 3}): poll_feed.delay(-1)", env)
        time.sleep(4)
        out = django("import time; from wiredesk.newsroom.tasks import poll_due_feeds;"
                     "print(time.time()); poll_due_feeds.run()", env)
        started = float(out.split()[0])
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            while conn.execute(PROGRESS_SQL).fetchone()[0] < farm.feeds:
                time.sleep(0.05)
        elapsed = time.time() - started
    finally:
        worker.stop()
    return {"config": f"celery, {workers} worker process{'es' if workers > 1 else ''}",
            "workers": workers, "database": "postgresql", "seconds": round(elapsed, 2),
            **check(env, farm)}


def run_embedded(farm: FeedFarm, tmp: Path) -> dict:
    env = env_for(tmp / "embedded", WIREDESK_LOG_LEVEL="WARNING")
    setup(env, farm.urls())
    out = django("import time; from wiredesk.newsroom.services import poll_due_feeds;"
                 "t = time.monotonic(); poll_due_feeds(); print(time.monotonic() - t)", env)
    return {"config": "embedded default (SQLite, in-process poller)", "workers": 1,
            "database": "sqlite", "seconds": round(float(out.strip().splitlines()[-1]), 2),
            **check(env, farm)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feeds", type=int, default=48)
    parser.add_argument("--per-feed", type=int, default=40)
    parser.add_argument("--workers", default="1,2,4")
    args = parser.parse_args()
    farm = FeedFarm(hosts=4, feeds=args.feeds, per_feed=args.per_feed,
                    step=args.per_feed // 2)
    tmp = Path(tempfile.mkdtemp(prefix="wd-bench-ingest-"))
    rows = [run_embedded(farm, tmp)]
    for workers in (int(w) for w in args.workers.split(",")):
        rows.append(run_celery(workers, farm, tmp))
    farm.close()
    reference = rows[0]["articles"] / rows[0]["seconds"]
    print(f"{'configuration':<48} {'items':>6} {'s':>7} {'items/s':>8} {'vs embedded':>11} "
          f"{'exactly once':>12}")
    for row in rows:
        row["items_per_second"] = round(row["articles"] / row["seconds"], 1)
        row["ratio_to_embedded"] = round(row["items_per_second"] / reference, 2)
        print(f"{row['config']:<48} {row['articles']:>6} {row['seconds']:>7.2f} "
              f"{row['items_per_second']:>8.1f} {row['ratio_to_embedded']:>10.2f}x "
              f"{'yes' if row['exactly_once'] else 'NO':>12}")
    write_result("ingest_scaling", {"feeds": args.feeds, "per_feed": args.per_feed,
                                    "feed_hosts": 4, "poll_per_host": 2, "rows": rows})


if __name__ == "__main__":
    main()
