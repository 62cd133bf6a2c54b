"""End-to-end ingest throughput (parse -> normalize -> identify -> store -> story
intelligence) on SQLite and PostgreSQL, as a ratio to feedparser parsing the same bytes
alone in the same process just before.

Two corpora, each a row:

* real (``_corpus``): distinct items from ../shared/data (bbc_news, ag_news, ecb_plus, read
  in place) dealt to six agencies' RSS feeds, ``--copy-rate`` of them (10%) re-sent by
  another agency as a lightly edited copy. Seeded: the same bytes every run.
* copies: the generated near-copies this script used to measure alone (each item the
  same template, so nearly all become copies of one story): the copy path.

Per new item: CPU ms and queries, and how much of each the intelligence step takes
(``enrich_article``) and the receivers told after storing (placement, search index,
stamps, change stream). On PostgreSQL running on this machine, the CPU of the server
process serving the run too (from /proc), and the ratio to feedparser counting both.

    WIREDESK_SHARED_DATA=../shared/data .venv/bin/python benchmarks/ingest.py \
        [--total 10000] [--items 50] [--copy-rate 0.10] [--corpus both|real|copies]
        [--pg postgres://postgres@127.0.0.1:5432/test_wd_3_bench | --no-pg] [--no-sqlite]
        [--output ingest]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import server_cpu

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/test_wd_3_bench"
PLACES = [("New Delhi [India], July 12 (ANI):", "World"), ("WASHINGTON (AP) —", "Politics"),
          ("LONDON, July 12 (Reuters) -", "Business"), ("PARIS (AFP) -", "Sport"),
          ("MOSCOW, July 11 (RFE/RL) --", "World")]


def make_feed(feed_no: int, items: int) -> bytes:
    parts = []
    for i in range(items):
        dateline, category = PLACES[(feed_no + i) % len(PLACES)]
        n = feed_no * items + i
        body = (f"<p>{dateline} Officials said on Friday that the country’s “plan {n}” would "
                f'go ahead after a <a href="https://example.org/r/{n}">classified report</a> '
                "was published, ending weeks of talks between the parties.</p>"
                + "".join(f"<p>Paragraph {k} of story {n}, with enough words to look like "
                          "agency copy and to give the sanitizer real work to do.</p>"
                          for k in range(2, 7)))
        parts.append(
            f"<item><title>Story {n}: plan goes ahead after report’s release</title>"
            f"<guid isPermaLink=\"false\">bench-{n}</guid>"
            f"<link>https://wire.example.org/{feed_no}/{n}?utm_source=rss</link>"
            f"<category>{category}</category>"
            f"<pubDate>Fri, 11 Jul 2025 {i % 24:02d}:{n % 60:02d}:00 GMT</pubDate>"
            f'<media:content url="https://img.example.org/{n}.jpg" medium="image">'
            f"<media:credit>Photographer {n % 17}/Wire</media:credit></media:content>"
            f"<content:encoded><![CDATA[{body}]]></content:encoded></item>")
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
            f'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            f'xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Bench {feed_no}'
            f"</title><link>https://wire.example.org/</link><description>d</description>"
            f"{''.join(parts)}</channel></rss>").encode()


def documents_for(corpus_name: str, data: Path, total: int, per_feed: int,
                  copy_rate: float) -> list[tuple[str, bytes]]:
    """(agency code, RSS bytes) in polling order for the chosen corpus."""
    if corpus_name == "copies":
        return [("BENCH", make_feed(f, per_feed)) for f in range(max(1, total // per_feed))]
    import _corpus

    return _corpus.feeds(_corpus.items(data, total, copy_rate), per_feed)


class Meter:
    """Queries and CPU of ingest, and how much of each the intelligence step and the
    receivers told after storing (placement, search index, stamps, change stream) take."""

    def __init__(self) -> None:
        self.queries = {"all": 0, "intelligence": 0, "told": 0}
        self.cpu = {"intelligence": 0.0, "told": 0.0}
        self.inside: str | None = None

    def __call__(self, execute, sql, params, many, context):
        self.queries["all"] += 1
        if self.inside:
            self.queries[self.inside] += 1
        return execute(sql, params, many, context)

    def wrap(self, name: str, func):
        def timed(*args, **kwargs):
            outer, began = self.inside, time.process_time()
            self.inside = self.inside or name
            try:
                return func(*args, **kwargs)
            finally:
                self.inside = outer
                if outer is None:
                    self.cpu[name] += time.process_time() - began
        return timed


def set_up_instance(documents: list[tuple[str, bytes]]) -> dict:
    """The sections, two editions and the documents' agencies (by code) an ingest run
    stores into, on a migrated database."""
    from wiredesk.editions.services import edition_save
    from wiredesk.newsroom import services

    for slug in ("world", "politics", "business", "sport", "technology", "entertainment"):
        services.section_ensure(slug=slug, name=slug.title())
    edition_save(name="Chile Sun", time_zone="Australia/Sydney")
    edition_save(name="Euro Ledger", time_zone="Europe/Paris", sections=["world", "business"])
    return {code: services.agency_ensure(code=code, time_zone="UTC")
            for code in dict(documents)}


def run_store(database: str, corpus_name: str, data: Path, total: int, per_feed: int,
              copy_rate: float) -> dict:
    """In a child process: set up Django on ``database`` and ingest the corpus."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "wiredesk.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from django.db import connection

    from wiredesk.newsroom import intelligence, services
    from wiredesk.newsroom.models import Article, Story
    from wiredesk.newsroom.services import ingest

    documents = documents_for(corpus_name, data, total, per_feed, copy_rate)
    agencies = set_up_instance(documents)
    import feedparser

    # The reference again, in this process and just before: the machine is shared and
    # its speed drifts, so each ratio compares runs made moments apart.
    # Models and tables loaded once, not timed; a text of its own, a copy of nothing here.
    words = " ".join(f"warmup{n}" for n in range(60))
    warm = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>w</title><item>'
            f"<title>Warm-up</title><guid>warm-up</guid><description>&lt;p&gt;{words}&lt;/p&gt;"
            "</description></item></channel></rss>").encode()
    services.ingest_bytes(warm, agency=services.agency_ensure(code="WARM"), source="warm-up")
    start, start_cpu = time.perf_counter(), time.process_time()
    for _code, data_bytes in documents:
        feedparser.parse(data_bytes)
    reference = time.perf_counter() - start
    reference_cpu = time.process_time() - start_cpu
    meter = Meter()
    intelligence.enrich_article = meter.wrap("intelligence", intelligence.enrich_article)
    ingest._told = meter.wrap("told", ingest._told)
    from wiredesk.newsroom.services import enrichment

    stage = {}
    if enrichment.deferred():
        # Storing alone: the stage runs after the burst, as another process would.
        enrichment.after_document = lambda: None
    start, start_cpu = time.perf_counter(), time.process_time()
    server_start = server_cpu(connection)
    created = 0
    with connection.execute_wrapper(meter):
        for number, (code, data_bytes) in enumerate(documents):
            report = services.ingest_bytes(data_bytes, agency=agencies[code],
                                           source=f"bench-{number}")
            created += report.created
            assert not report.errors, report.errors[:3]
    first = time.perf_counter() - start
    first_cpu = time.process_time() - start_cpu
    server_seconds = server_cpu(connection) - server_start
    if enrichment.deferred():
        stage_meter = Meter()
        began, began_cpu = time.perf_counter(), time.process_time()
        began_server = server_cpu(connection)
        with connection.execute_wrapper(stage_meter):
            run = enrichment.enrich_due()
        wall, cpu = time.perf_counter() - began, time.process_time() - began_cpu
        server = server_cpu(connection) - began_server
        lags = sorted(run.lags)
        stage = {"stage_enriched": run.enriched, "stage_seconds": round(wall, 2),
                 "stage_cpu_seconds": round(cpu, 2),
                 "stage_items_per_s": round(run.enriched / wall, 1) if wall else None,
                 "stage_items_per_cpu_s": round(run.enriched / cpu, 1) if cpu else None,
                 "stage_cpu_ms_per_item": round(1000 * cpu / max(run.enriched, 1), 1),
                 "stage_server_cpu_ms_per_item":
                     round(1000 * server / max(run.enriched, 1), 1),
                 "stage_items_per_cpu_s_with_server":
                     round(run.enriched / (cpu + server), 1) if cpu + server else None,
                 "stage_queries_per_item":
                     round(stage_meter.queries["all"] / max(run.enriched, 1), 1),
                 "lag_p50_s": round(lags[len(lags) // 2], 2) if lags else None,
                 "lag_p99_s": round(lags[min(len(lags) - 1, int(len(lags) * 0.99))], 2)
                 if lags else None}
    start = time.perf_counter()
    unchanged = 0
    for number, (code, data_bytes) in enumerate(documents):
        unchanged += services.ingest_bytes(data_bytes, agency=agencies[code],
                                           source=f"bench-{number}").unchanged
    again = time.perf_counter() - start
    measured = Article.objects.exclude(agency__code="WARM")
    assert measured.count() == created
    per_item = max(created, 1)
    return {"created": created, "bytes": sum(len(d) for _c, d in documents),
            "documents": len(documents), "agencies": len(agencies),
            "seconds_reference": round(reference, 3), "seconds_first": round(first, 2),
            "cpu_seconds_reference": round(reference_cpu, 3),
            "cpu_seconds_first": round(first_cpu, 2),
            # On SQLite the database works in this process, so this is the whole cost.
            "cpu_ratio_to_feedparser": round(reference_cpu / first_cpu, 4),
            "cpu_ms_per_new_item": round(1000 * first_cpu / per_item, 2),
            # PostgreSQL on this machine: its server process's CPU for the same work (the
            # ratio above counts this process alone).
            "server_cpu_ms_per_new_item": round(1000 * server_seconds / per_item, 2),
            "cpu_ratio_to_feedparser_with_server":
                round(reference_cpu / (first_cpu + server_seconds), 4),
            "intelligence_cpu_ms_per_new_item":
                round(1000 * meter.cpu["intelligence"] / per_item, 2),
            "told_cpu_ms_per_new_item": round(1000 * meter.cpu["told"] / per_item, 2),
            "queries_per_new_item": round(meter.queries["all"] / per_item, 1),
            "intelligence_queries_per_new_item":
                round(meter.queries["intelligence"] / per_item, 1),
            "told_queries_per_new_item": round(meter.queries["told"] / per_item, 1),
            "copies_found": measured.filter(duplicate_of__isnull=False).count(),
            "stories": Story.objects.filter(articles__in=measured).distinct().count(),
            "unchanged_second": unchanged, "seconds_second": round(again, 2),
            "intelligence": "deferred" if enrichment.deferred() else "inline", **stage}


def child(database: str, args: argparse.Namespace, corpus_name: str) -> dict | None:
    env = dict(os.environ)
    tmp = tempfile.mkdtemp(prefix="wiredesk-bench-")
    env["WIREDESK_DATA_DIR"] = tmp
    if database == "sqlite":
        env.pop("DATABASE_URL", None)
    else:
        env["DATABASE_URL"] = database
    env["WIREDESK_INTELLIGENCE"] = args.intelligence
    proc = subprocess.run([sys.executable, __file__, "--child", database, "--corpus",
                           corpus_name, "--data", str(args.data), "--total", str(args.total),
                           "--items", str(args.items), "--copy-rate", str(args.copy_rate)],
                          env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        print(proc.stderr[-2000:], file=sys.stderr)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def fresh_pg(url: str) -> bool:
    import psycopg

    base, _, name = url.rpartition("/")
    try:
        with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        print(f"PostgreSQL not available ({exc}); skipping it", file=sys.stderr)
        return False
    return True


def drop_pg(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


CORPORA = [("real", "distinct items, {rate:.0%} re-sent by another agency"),
           ("copies", "generated near-copies (copy-heavy)")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="end-to-end ingest throughput")
    parser.add_argument("--data", type=Path,
                        default=Path(os.environ.get("WIREDESK_SHARED_DATA", "../shared/data")))
    parser.add_argument("--total", type=int, default=10_000, help="items in each corpus")
    parser.add_argument("--items", type=int, default=50, help="items per feed document")
    parser.add_argument("--feeds", type=int, default=0,
                        help="copies corpus only (the older interface): --feeds x --items")
    parser.add_argument("--copy-rate", type=float, default=0.10)
    parser.add_argument("--corpus", choices=["real", "copies", "both"], default="both")
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--output", default="ingest")
    parser.add_argument("--intelligence", choices=["inline", "deferred"], default="inline",
                        help="deferred: storing timed alone, then the intelligence stage")
    parser.add_argument("--child", default="")
    args = parser.parse_args(argv)
    args.data = args.data.resolve()
    if args.feeds:
        args.total = args.feeds * args.items
    if args.child:
        print(json.dumps(run_store(args.child, "real" if args.corpus == "both" else args.corpus,
                                   args.data, args.total, args.items, args.copy_rate)))
        return 0

    import feedparser

    from wiredesk.wire.pipeline import process

    rows = []
    for corpus_name, label in CORPORA:
        if args.corpus not in ("both", corpus_name):
            continue
        label = label.format(rate=args.copy_rate)
        documents = [d for _c, d in documents_for(corpus_name, args.data, args.total,
                                                   args.items, args.copy_rate)]
        process(make_feed(999, 2))  # language and sanitizer models loaded, not timed
        start = time.perf_counter()
        parsed = sum(len(feedparser.parse(d).entries) for d in documents)
        reference = time.perf_counter() - start
        start = time.perf_counter()
        assert sum(len(process(d).items) for d in documents) == parsed
        pipeline = time.perf_counter() - start
        rows.append({"corpus": label, "stage": "feedparser.parse alone (reference)",
                     "items": parsed, "seconds": round(reference, 3),
                     "reference_seconds": reference})
        rows.append({"corpus": label, "stage": "wire pipeline: parse+normalize+identify",
                     "items": parsed, "seconds": round(pipeline, 2),
                     "reference_seconds": reference})
        databases = [] if args.no_sqlite else [("SQLite (WAL)", "sqlite")]
        if not args.no_pg and fresh_pg(args.pg):
            databases.append(("PostgreSQL", args.pg))
        for db_label, database in databases:
            measured = child(database, args, corpus_name)
            if database != "sqlite":
                drop_pg(args.pg)
            if measured is None:
                continue
            local = measured["seconds_reference"]
            rows.append({"corpus": label, "stage": f"end-to-end ingest, {db_label}, first run",
                         "items": measured["created"], "seconds": measured["seconds_first"],
                         "reference_seconds": local, "measured": measured})
            rows.append({"corpus": label, "stage": f"re-ingest unchanged, {db_label}",
                         "items": measured["created"], "seconds": measured["seconds_second"],
                         "reference_seconds": local})
    print(f"{'corpus / stage':<70} {'s':>7} {'items/s':>8} {'vs feedparser':>13} "
          f"{'CPU ms/new':>10} {'intel ms':>8} {'queries':>7} {'intel q':>7} {'CPU ratio':>9}")
    for row in rows:
        row["items_per_s"] = round(row["items"] / row["seconds"], 1) if row["seconds"] else None
        row["throughput_ratio_to_feedparser"] = round(row.pop("reference_seconds")
                                                      / row["seconds"], 4)
        m = row.get("measured", {})
        print(f"{row['corpus'][:28] + ': ' + row['stage']:<70} {row['seconds']:>7.2f} "
              f"{row['items_per_s']:>8.0f} {row['throughput_ratio_to_feedparser']:>13.4f} "
              f"{m.get('cpu_ms_per_new_item', ''):>10} "
              f"{m.get('intelligence_cpu_ms_per_new_item', ''):>8} "
              f"{m.get('queries_per_new_item', ''):>7} "
              f"{m.get('intelligence_queries_per_new_item', ''):>7} "
              f"{m.get('cpu_ratio_to_feedparser', ''):>9}")
        if m.get("server_cpu_ms_per_new_item"):
            print(f"{'  the PostgreSQL server process for the same items':<70} "
                  f"{'':>7} {'':>8} {'':>13} {m['server_cpu_ms_per_new_item']:>10} "
                  f"{'':>8} {'':>7} {'':>7} {m['cpu_ratio_to_feedparser_with_server']:>9}"
                  "  (CPU ratio: both processes)")
        if m.get("stage_enriched"):
            print(f"{'  then the intelligence stage over the burst':<70} "
                  f"{m['stage_seconds']:>7.2f} {m['stage_items_per_s']:>8.0f} "
                  f"  {m['stage_items_per_cpu_s']:.0f} items per CPU second; lag p50 "
                  f"{m['lag_p50_s']} s, p99 {m['lag_p99_s']} s")
            if m.get("stage_server_cpu_ms_per_item"):
                print(f"{'    with its PostgreSQL server process':<70} {'':>7} {'':>8} "
                      f"  {m['stage_items_per_cpu_s_with_server']:.0f} items per CPU second "
                      f"(the server {m['stage_server_cpu_ms_per_item']} ms an item)")
    out = ROOT / "benchmarks" / "results" / f"{args.output}.json"
    out.write_text(json.dumps({"total": args.total, "per_feed": args.items,
                               "copy_rate": args.copy_rate, "rows": rows,
                               "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()]},
                              indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
