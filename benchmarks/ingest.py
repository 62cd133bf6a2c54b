"""End-to-end ingest throughput (parse -> normalize -> identify -> store) on SQLite and
PostgreSQL, as a ratio to feedparser parsing the same bytes alone in the same run.

The corpus is generated here (written for this project, not third-party copy): 100 RSS
2.0 feeds of 100 items each (10,000 items) with datelines, inline links, curly quotes,
media credits and categories, so normalization does its real work.

    .venv/bin/python benchmarks/ingest.py [--feeds 100] [--items 100]
        [--pg postgres://postgres@127.0.0.1:5432/test_wd_3_bench | --no-pg]
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


def corpus(feeds: int, items: int) -> list[bytes]:
    return [make_feed(f, items) for f in range(feeds)]


def run_store(database: str, feeds: int, items: int) -> dict:
    """In a child process: set up Django on ``database`` and ingest the corpus."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "wiredesk.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from wiredesk.editions.services import edition_save
    from wiredesk.newsroom import services
    from wiredesk.newsroom.models import Article

    for slug in ("world", "politics", "business", "sport"):
        services.section_ensure(slug=slug, name=slug.title())
    edition_save(name="Chile Sun", time_zone="Australia/Sydney")
    edition_save(name="Euro Ledger", time_zone="Europe/Paris", sections=["world", "business"])
    agency = services.agency_ensure(code="BENCH", time_zone="UTC")
    documents = corpus(feeds, items)
    import feedparser

    # The reference again, in this process and just before: the machine is shared and
    # its speed drifts, so each ratio compares runs made moments apart.
    start = time.perf_counter()
    for data in documents:
        feedparser.parse(data)
    reference = time.perf_counter() - start
    start = time.perf_counter()
    created = 0
    for number, data in enumerate(documents):
        report = services.ingest_bytes(data, agency=agency, source=f"bench-{number}")
        created += report.created
        assert not report.errors, report.errors[:3]
    first = time.perf_counter() - start
    start = time.perf_counter()
    unchanged = 0
    for number, data in enumerate(documents):
        unchanged += services.ingest_bytes(data, agency=agency, source=f"bench-{number}").unchanged
    again = time.perf_counter() - start
    assert Article.objects.count() == created == feeds * items
    return {"created": created, "seconds_reference": round(reference, 2),
            "seconds_first": round(first, 2),
            "unchanged_second": unchanged, "seconds_second": round(again, 2)}


def child(database: str, feeds: int, items: int) -> dict | None:
    env = dict(os.environ)
    tmp = tempfile.mkdtemp(prefix="wiredesk-bench-")
    env["WIREDESK_DATA_DIR"] = tmp
    if database == "sqlite":
        env.pop("DATABASE_URL", None)
    else:
        env["DATABASE_URL"] = database
    proc = subprocess.run([sys.executable, __file__, "--child", database, "--feeds", str(feeds),
                           "--items", str(items)], env=env, capture_output=True, text=True)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="end-to-end ingest throughput")
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--child", default="")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_store(args.child, args.feeds, args.items)))
        return 0

    import feedparser

    from wiredesk.wire.pipeline import process

    documents = corpus(args.feeds, args.items)
    total = args.feeds * args.items
    size = sum(len(d) for d in documents)
    start = time.perf_counter()
    for data in documents:
        assert len(feedparser.parse(data).entries) == args.items
    reference = time.perf_counter() - start
    start = time.perf_counter()
    for data in documents:
        assert len(process(data).items) == args.items
    pipeline = time.perf_counter() - start
    rows = [{"stage": "feedparser.parse alone (reference)", "seconds": round(reference, 2),
             "reference_seconds": reference},
            {"stage": "wire pipeline: parse+normalize+identify", "seconds": round(pipeline, 2),
             "reference_seconds": reference}]
    databases = [("SQLite (WAL)", "sqlite")]
    if not args.no_pg and fresh_pg(args.pg):
        databases.append(("PostgreSQL", args.pg))
    for label, database in databases:
        measured = child(database, args.feeds, args.items)
        if measured is None:
            continue
        local_reference = measured["seconds_reference"]
        rows.append({"stage": f"feedparser.parse alone, beside {label} (reference)",
                     "seconds": local_reference, "reference_seconds": local_reference})
        rows.append({"stage": f"end-to-end ingest, {label}, first run",
                     "seconds": measured["seconds_first"], "reference_seconds": local_reference})
        rows.append({"stage": f"re-ingest unchanged, {label}",
                     "seconds": measured["seconds_second"], "reference_seconds": local_reference})
    if len(databases) > 1:
        drop_pg(args.pg)
    print(f"{total} items in {args.feeds} feeds, {size / 1e6:.1f} MB")
    print(f"{'stage':<46} {'seconds':>8} {'items/s':>9} {'ratio to feedparser':>20}")
    for row in rows:
        row["items_per_s"] = round(total / row["seconds"], 1) if row["seconds"] else None
        row["throughput_ratio_to_feedparser"] = round(row.pop("reference_seconds")
                                                      / row["seconds"], 3)
        print(f"{row['stage']:<46} {row['seconds']:>8.2f} {row['items_per_s']:>9.0f} "
              f"{row['throughput_ratio_to_feedparser']:>20.3f}")
    out = ROOT / "benchmarks" / "results" / "ingest.json"
    out.write_text(json.dumps({"items": total, "feeds": args.feeds, "bytes": size,
                               "rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
