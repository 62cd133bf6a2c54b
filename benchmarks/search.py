"""Search latency (median, p95) at growing archive sizes on SQLite FTS5 and PostgreSQL.

    .venv/bin/python benchmarks/search.py [--engines sqlite,postgres] [--sizes 10000,100000]
        [--postgres-url postgres://postgres@127.0.0.1:5432/postgres] [--runs 5]
        [--output search.json] [--reference-jit] [--keep DIR]

Each engine runs in its own process on a fresh database (SQLite in a temporary directory;
PostgreSQL in a throw-away database `wd7_bench_search`). The archive grows in place from
one size to the next, as a real one does: article ids grow with publication time, the
one 3 minutes after the one before. With --keep DIR each size's archive is kept (SQLite:
DIR/sqlite-SIZE; PostgreSQL: database `wd7_bench_search_SIZE`) and reused, or grown from the
next smaller one, by later runs, so two versions of the code (PYTHONPATH) are measured on
the same archive. At each size the
same queries run through the real service (`search_edition`: count, rank, highlight, load
the page of articles), with the clock (`django.utils.timezone.now`) set three minutes after
the newest article: each size is searched as at the moment it had that size. The reference
is the smallest size measured in the same run: the table gives each size's latency as a
ratio to it. Each size built is left as its server's maintenance leaves a table after a run of
inserts (PostgreSQL: VACUUM ANALYZE, what autovacuum does; SQLite: the FTS5 index optimized,
ANALYZE); an archive kept from before that was done needs a VACUUM ANALYZE by hand.
With --live N each size is first tidied as its maintenance would leave it (PostgreSQL:
VACUUM ANALYZE; SQLite: the FTS5 index optimized) and then its newest N articles are
indexed again through the service, in documents of 50, as a live site's stores and updates
do between two vacuums: the state searches meet in production, not right after a vacuum.
With --reference-jit, PostgreSQL also runs the queries with JIT on (the server's default;
wiredesk's sessions run with jit=off), on the same archive, as a second reference.
Synthetic articles: headline 8 words, body 80 words, drawn from a 6,000-word Zipf vocabulary.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import set_jit

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
BENCH_DB = "wd7_bench_search"

QUERIES = [
    ("rare word", "zorblat"),
    ("common word", "w3"),
    ("two words", "w10 w250"),
    ("phrase", '"w1 w2"'),
    ("mid-frequency word", "w800"),
    ("no match", "nothingmatchesthis"),
]


def vocabulary(size: int = 6000) -> tuple[list[str], list[float]]:
    words = [f"w{i}" for i in range(1, size + 1)]
    weights = [1.0 / (i ** 1.07) for i in range(1, size + 1)]
    return words, weights


def build(start: int, stop: int, first_published: datetime, edition_id: int, agency_id: int,
          section_id: int) -> None:
    from django.db import connection, transaction

    from wiredesk.editions.models import Placement
    from wiredesk.newsroom.models import Article
    from wiredesk.search.backends import IndexRow, backend_for

    words, weights = vocabulary()
    backend = backend_for(connection)
    batch = 5000
    for first in range(start, stop, batch):
        last = min(stop, first + batch)
        articles, placements, index_rows = [], [], []
        rng = random.Random(f"7-{first}")  # the same archive whatever the order of building
        for n in range(first, last):
            headline_words = rng.choices(words, weights, k=8)
            body_words = rng.choices(words, weights, k=80)
            if n % 5000 == 17:
                body_words[5] = "zorblat"
            headline = " ".join(headline_words).capitalize()
            body = " ".join(body_words)
            published = first_published + timedelta(minutes=n * 3)
            # Through the models (every column's default filled), never their signals:
            # the index rows are written below in one batch.
            articles.append(Article(
                id=n + 1, agency_id=agency_id, identity=f"id{n}", fingerprint="x",
                headline=headline, slug=f"a-{n}", lead=body[:140], teaser=body[:140],
                body_html=f"<p>{body}</p>", language="en", published_at=published,
                first_seen_at=published, modified_at=published, section_id=section_id))
            placements.append(Placement(edition_id=edition_id, article_id=n + 1,
                                        placed_at=published, published_at=published))
            index_rows.append(IndexRow(n + 1, headline, body, "en"))
        with transaction.atomic(), connection.cursor() as cursor:
            Article.objects.bulk_create(articles)
            Placement.objects.bulk_create(placements)
            backend.index(cursor, index_rows)
        print(f"\r  built {last:,}/{stop:,}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    if connection.vendor == "postgresql":
        # As autovacuum leaves a table after a run of inserts (on by default; inserts
        # trigger it since PostgreSQL 13): its visibility map set, so a count or a bitmap
        # scan need not visit every heap page. A server running with autovacuum off (this
        # project's benchmark machines do) would otherwise be measured in a state no
        # production server stays in; ``--live`` measures the state between two vacuums.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
            cursor.execute("ANALYZE")


def live_writes(count: int) -> None:
    """The archive tidied, then its newest ``count`` articles indexed again (see --live)."""
    from django.db import connection, transaction

    from wiredesk.newsroom.models import Article
    from wiredesk.search.services import index_articles

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE search_document")
            cursor.execute("VACUUM ANALYZE newsroom_article")
        else:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
    newest = list(Article.objects.order_by("-id")[:count])
    for start in range(0, len(newest), 50):
        with transaction.atomic():
            index_articles(newest[start:start + 50])


def measure(runs: int) -> dict:
    from django.utils import timezone

    from wiredesk.editions.models import Edition
    from wiredesk.newsroom.models import Article
    from wiredesk.search.services import search_edition

    edition = Edition.objects.get(slug="bench")
    # Each size is searched as at the moment it had that size: its newest article three
    # minutes old (the smaller archives are the oldest part of the largest one).
    moment = Article.objects.order_by("-published_at").values_list(
        "published_at", flat=True)[0] + timedelta(minutes=3)
    timezone.now = lambda: moment
    for _label, query in QUERIES:  # warm the caches once
        search_edition(edition, query)
    out = {}
    every = []
    for label, query in QUERIES:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            results = search_edition(edition, query)
            times.append((time.perf_counter() - started) * 1000)
        every += times
        out[label] = {"query": query, "median_ms": statistics.median(times),
                      "total": results.total}
    every.sort()
    out["all"] = {"median_ms": statistics.median(every),
                  "p95_ms": every[max(0, int(len(every) * 0.95) - 1)]}
    return out


def run_engine(engine: str, sizes: list[int], runs: int, postgres_url: str,
               reference_jit: bool = False, largest: int = 0, live: int = 0) -> dict:
    """Runs in a child process with the engine's settings; grows the archive it finds."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "wiredesk.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from wiredesk.editions.models import Edition
    from wiredesk.newsroom.models import Agency, Article, Section

    agency, _ = Agency.objects.get_or_create(code="BEN", defaults={"name": "Bench"})
    section, _ = Section.objects.get_or_create(slug="world", defaults={"name": "World"})
    edition, _ = Edition.objects.get_or_create(
        slug="bench", defaults={"name": "Bench", "time_zone": "UTC"})
    results = {}
    built = Article.objects.count()
    # Article n is published 3n minutes after the first, which a kept archive already has.
    first_published = Article.objects.filter(pk=1).values_list("published_at", flat=True) \
        .first() or datetime.now(UTC) - timedelta(minutes=3 * (largest or max(sizes)))
    for size in sizes:
        started = time.perf_counter()
        if built < size:
            build(built, size, first_published, edition.pk, agency.pk, section.pk)
        build_seconds = time.perf_counter() - started
        built = max(built, size)
        print(f"{engine} {size:,}: built in {build_seconds:.0f}s, measuring", file=sys.stderr)
        if live:
            live_writes(live)
        results[str(size)] = {"build_seconds": build_seconds, "live": live,
                              "load_average": os.getloadavg(), **measure(runs)}
        if reference_jit and engine == "postgres":
            set_jit(True)
            results[str(size)]["reference_jit_on"] = measure(runs)
            set_jit(False)
    return results


def child_env(engine: str, data_dir: str, postgres_url: str, database: str = BENCH_DB) -> dict:
    env = dict(os.environ)
    env["WIREDESK_DATA_DIR"] = data_dir
    env.setdefault("WIREDESK_SECRET_KEY", "benchmark-secret-key-0123456789-0123456789")
    env.pop("DATABASE_URL", None)
    if engine == "postgres":
        base = postgres_url.rsplit("/", 1)[0]
        env["DATABASE_URL"] = f"{base}/{database}"
    return env


def recreate_postgres_db(postgres_url: str) -> None:
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--output", default="search.json", help="file name in results/")
    parser.add_argument("--reference-jit", action="store_true",
                        help="PostgreSQL: also measure with JIT on, on the same archive")
    parser.add_argument("--keep", help="keep each size's archive here and reuse it")
    parser.add_argument("--live", type=int, default=0,
                        help="tidy each archive, then index its newest N articles again")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--largest", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.child:
        print(json.dumps(run_engine(args.child, sizes, args.runs, args.postgres_url,
                                    args.reference_jit, args.largest, args.live)))
        return 0
    report = {"sizes": sizes, "runs": args.runs, "live": args.live, "queries": QUERIES,
              "engines": {},
              "code": os.environ.get("PYTHONPATH", "")}
    for engine in args.engines.split(","):
        if args.keep:
            measured = {}
            for size in sizes:
                out = run_kept(engine, size, sizes, args)
                if out is None:
                    break
                measured.update(out)
            if measured:
                report["engines"][engine] = measured
            continue
        if engine == "postgres":
            recreate_postgres_db(args.postgres_url)
        with tempfile.TemporaryDirectory(prefix="wd-bench-") as data_dir:
            out = run_child(engine, args.sizes, data_dir, args)
        if out is not None:
            report["engines"][engine] = out
    print_table(report)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / args.output).write_text(json.dumps(report, indent=1))
    return 0


def run_child(engine: str, sizes: str, data_dir: str, args, database: str = BENCH_DB):
    done = subprocess.run(
        [sys.executable, __file__, "--child", engine, "--sizes", sizes,
         "--runs", str(args.runs), "--postgres-url", args.postgres_url,
         "--largest", str(max(int(s) for s in args.sizes.split(","))),
         "--live", str(args.live), *(["--reference-jit"] if args.reference_jit else [])],
        env=child_env(engine, data_dir, args.postgres_url, database), capture_output=True,
        text=True)
    sys.stderr.write(done.stderr[-3000:])
    if done.returncode != 0:
        print(f"{engine} failed", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_kept(engine: str, size: int, sizes: list[int], args):
    """One size on its kept archive, made from the next smaller kept one if missing."""
    smaller = [s for s in sizes if s < size]
    keep = Path(args.keep).resolve()
    keep.mkdir(parents=True, exist_ok=True)
    if engine == "postgres":
        database = f"{BENCH_DB}_{size}"
        if not postgres_db_exists(args.postgres_url, database):
            template = f"{BENCH_DB}_{smaller[-1]}" if smaller else None
            create_postgres_db(args.postgres_url, database, template)
        return run_child(engine, str(size), str(keep / "pg-data"), args, database)
    data_dir = keep / f"sqlite-{size}"
    if not data_dir.exists() and smaller and (keep / f"sqlite-{smaller[-1]}").exists():
        shutil.copytree(keep / f"sqlite-{smaller[-1]}", data_dir)
    return run_child(engine, str(size), str(data_dir), args)


def postgres_db_exists(postgres_url: str, database: str) -> bool:
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                            (database,)).fetchone() is not None


def create_postgres_db(postgres_url: str, database: str, template: str | None) -> None:
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {database}"
                     + (f" TEMPLATE {template}" if template else ""))


def print_table(report: dict) -> None:
    print("| engine | articles | build (s) | median (ms) | p95 (ms) | median vs smallest |"
          " rare | common | two words | phrase |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for engine, by_size in report["engines"].items():
        smallest = by_size[str(report["sizes"][0])]["all"]["median_ms"]
        for size in report["sizes"]:
            row = by_size.get(str(size))
            if not row:
                continue
            print(f"| {engine} | {size:,} | {row['build_seconds']:.0f} | "
                  f"{row['all']['median_ms']:.2f} | {row['all']['p95_ms']:.2f} | "
                  f"{row['all']['median_ms'] / smallest:.1f}x | "
                  f"{row['rare word']['median_ms']:.1f} | {row['common word']['median_ms']:.1f} | "
                  f"{row['two words']['median_ms']:.1f} | {row['phrase']['median_ms']:.1f} |")


if __name__ == "__main__":
    raise SystemExit(main())
