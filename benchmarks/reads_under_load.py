"""Reads under write load: home and article pages while ingest runs at full speed.

For each engine setup, `wiredesk serve --workers 2` answers a loopback load generator
(4 keep-alive client threads alternating an edition home page and an article page):
first idle, then while ingest runs flat out (PostgreSQL: 2 Celery worker processes
with Redis; embedded: SQLite with the in-process poller). Reported: p50/p95 latency,
errors, and the loaded/idle latency ratio (target: zero errors, ratio <= 2).

    .venv/bin/python benchmarks/reads_under_load.py [--seconds 12] [--engines postgresql,sqlite]
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _common import (
    BENCH_REDIS,
    WIREDESK,
    Worker,
    django,
    env_for,
    flush_redis,
    free_port,
    fresh_postgres,
    percentile,
    stop,
    wait_http,
    write_result,
)
from _feeds import FeedFarm
from ingest_scaling import setup

POLL_LOOP = """
import time
from wiredesk.newsroom.services import poll_due_feeds
while True:
    if not poll_due_feeds():
        time.sleep(0.2)
"""


def load(port: int, paths: list[str], seconds: float, clients: int = 4) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + seconds

    def client(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n = offset
        while time.monotonic() < deadline:
            path = paths[n % len(paths)]
            n += 1
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors.append(f"{response.status} {path}")
            except Exception as exc:
                errors.append(f"{type(exc).__name__} {path}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            latencies.append((time.perf_counter() - started) * 1000)
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"requests": len(latencies) + len(errors), "errors": len(errors),
            "error_samples": errors[:5], "p50_ms": round(percentile(latencies, 50), 1),
            "p95_ms": round(percentile(latencies, 95), 1),
            "rps": round(len(latencies) / seconds, 1)}


def articles_ingested(env) -> int:
    return int(django("from wiredesk.newsroom.models import Article;"
                      "print(Article.objects.count())", env).strip())


def run(engine: str, seconds: float, tmp: Path) -> list[dict]:
    seed = FeedFarm(hosts=1, feeds=10, per_feed=40, step=40, prefix="seed")
    bulk = FeedFarm(hosts=4, feeds=240, per_feed=40, step=20, prefix="bulk")
    if engine == "postgresql":
        env = env_for(tmp / engine, DATABASE_URL=fresh_postgres("wd_bench_8"),
                      REDIS_URL=BENCH_REDIS, WIREDESK_LOG_LEVEL="WARNING")
        flush_redis()
    else:
        env = env_for(tmp / engine, WIREDESK_LOG_LEVEL="WARNING")
    setup(env, seed.urls())
    django("from wiredesk.newsroom.services import poll_due_feeds; poll_due_feeds()", env)
    port = free_port()
    server = subprocess.Popen([WIREDESK, "serve", "--port", str(port), "--workers", "2",
                               "--no-scheduler"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    writer = None
    rows = []
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz")
        conn = http.client.HTTPConnection("127.0.0.1", port)
        conn.request("GET", "/chile-sun/")
        page = conn.getresponse().read().decode()
        article = re.search(r'href="(/chile-sun/news/\d+/[^"]+)"', page).group(1)
        paths = ["/chile-sun/", article]
        load(port, paths, 2)  # warm-up
        idle = load(port, paths, seconds)
        rows.append({"engine": engine, "phase": "idle", **idle})
        django(f"from wiredesk.newsroom import services\n"
               f"agency = services.agency_ensure(code='WIRE')\n"
               f"for url in {json.dumps(bulk.urls())}:\n"
               f"    services.feed_add(source=url, agency=agency)\n", env)
        before = articles_ingested(env)
        if engine == "postgresql":
            writer = Worker(env, 2, tmp / "reads-worker.log")
            writer.wait_ready()
            django("from wiredesk.newsroom.tasks import poll_due_feeds; poll_due_feeds.run()",
                   env)
        else:
            writer = subprocess.Popen([sys.executable, "-c", "import django, os;"
                                       "os.environ.setdefault('DJANGO_SETTINGS_MODULE',"
                                       "'wiredesk.settings'); django.setup()\n" + POLL_LOOP],
                                      env=env)
        time.sleep(3)  # let ingest reach full speed
        started = time.monotonic()
        mid = articles_ingested(env)
        loaded = load(port, paths, seconds)
        ingested = articles_ingested(env) - mid
        rows.append({"engine": engine, "phase": "during ingest", **loaded,
                     "ingest_items_per_second": round(ingested / (time.monotonic() - started),
                                                      1),
                     "items_before_load": before})
    finally:
        if isinstance(writer, Worker):
            writer.stop()
        elif writer is not None:
            stop(writer)
        stop(server)
        seed.close()
        bulk.close()
    idle_row, loaded_row = rows
    loaded_row["p50_ratio"] = round(loaded_row["p50_ms"] / idle_row["p50_ms"], 2)
    loaded_row["p95_ratio"] = round(loaded_row["p95_ms"] / idle_row["p95_ms"], 2)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=12)
    parser.add_argument("--engines", default="postgresql,sqlite")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="wd-bench-reads-"))
    rows = []
    for engine in args.engines.split(","):
        rows.extend(run(engine, args.seconds, tmp))
    print(f"{'engine':<11} {'phase':<14} {'req':>5} {'err':>4} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'p50 x':>6} {'p95 x':>6} {'ingest/s':>8}")
    for r in rows:
        print(f"{r['engine']:<11} {r['phase']:<14} {r['requests']:>5} {r['errors']:>4} "
              f"{r['p50_ms']:>7.1f} {r['p95_ms']:>7.1f} {r.get('p50_ratio', 1.0):>6.2f} "
              f"{r.get('p95_ratio', 1.0):>6.2f} {r.get('ingest_items_per_second', 0):>8.1f}")
    write_result("reads_under_load", {"seconds": args.seconds, "clients": 4,
                                      "web_workers": 2, "rows": rows})


if __name__ == "__main__":
    main()
