"""Per-item cost of the whole intelligence step as the archive grows.

    python benchmarks/scale.py --data ../shared/data --sizes 10000 100000 [--postgres URL]

For each size an archive of synthetic articles is built from bbc_news texts (each text
re-used with its own signature, 1,000 articles a day, stories of eight reports of one text,
so a new report joining one runs the blend check on its members) with every index row the
product keeps, then 100 new articles are stored and enriched one by one through
``enrich_article`` (duplicate check, story, blend check, related, tags, section). Reported:
mean ms per item, peak Python memory of the step (tracemalloc), and the ratio
largest/smallest archive.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.wire.similarity_indexes
from _common import set_jit  # the script's folder is on sys.path

RESULTS = Path(__file__).resolve().parent / "results"
PER_DAY = 1000
STORY_SIZE = 8


def setup(database_url: str | None) -> None:
    os.environ["WIREDESK_DATA_DIR"] = tempfile.mkdtemp(prefix="wiredesk-scale-")
    os.environ.setdefault("WIREDESK_SECRET_KEY", "bench-secret-key-0123456789-abcdefghij")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "wiredesk.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0) if database_url else None
    call_command("migrate", interactive=False, verbosity=0)


def texts(data: Path) -> list[tuple[str, str]]:
    out = []
    for path in sorted((data / "bbc_news").glob("*/*.txt")):
        raw = path.read_bytes().decode("utf-8", "replace")
        headline, _, body = raw.partition("\n")
        out.append((headline.strip(), body.strip()))
    return out


def build(n: int, base: list[tuple[str, str]], start: datetime) -> None:
    import numpy as np
    from django.db import connection, transaction
    from tests.wire.similarity_indexes import InMemoryDocumentFrequencies

    from wiredesk.newsroom import services
    from wiredesk.newsroom.intelligence import DbFrequencies
    from wiredesk.newsroom.models import (
        Article,
        ArticleSignature,
        LshBand,
        Story,
        StoryTerm,
        TermFrequency,
    )
    from wiredesk.wire import similarity as sim

    agency = services.agency_ensure(code="SYN")
    feats = [sim.features(h, b)[0] for h, b in base]
    frequencies = InMemoryDocumentFrequencies()
    for f in feats:
        frequencies.add(f.term_counts)
    vectors = [sim.tfidf_vector(f, frequencies) for f in feats]
    vector_json = [json.dumps(v) for v in vectors]
    query_terms = [sim.query_terms(v, 24) for v in vectors]
    made = Article.objects.count()
    chunk = 5000
    while made < n:
        with transaction.atomic():
            size = min(chunk, n - made)
            stories = []
            for j in range(0, size, STORY_SIZE):
                i = made + j
                when = start + timedelta(seconds=86400 * i / PER_DAY)
                b = (i // STORY_SIZE) % len(base)
                stories.append(Story(headline=f"story {i}", first_published_at=when,
                                     last_published_at=when, size=STORY_SIZE,
                                     centroid=vectors[b],
                                     anchors=dict.fromkeys(feats[b].anchors, 1)))
            stories = Story.objects.bulk_create(stories)
            articles = []
            for j in range(size):
                i = made + j
                when = start + timedelta(seconds=86400 * i / PER_DAY)
                headline, body = base[(i // STORY_SIZE) % len(base)]
                articles.append(Article(
                    agency=agency, identity=f"syn:{i}", fingerprint=str(i),
                    headline=f"{headline} {i}", slug=f"s{i}", body_html=f"<p>{body[:2000]}</p>",
                    published_at=when, story=stories[j // STORY_SIZE]))
            articles = Article.objects.bulk_create(articles)
            signatures, bands, terms = [], [], []
            for j, article in enumerate(articles):
                i = made + j
                b = (i // STORY_SIZE) % len(base)
                f = feats[b]
                # Each synthetic copy gets its own signature so it is not a copy of its base.
                signature = f.signature ^ np.uint64(i * 0x9E3779B97F4A7C15 % (1 << 63))
                signatures.append((article.pk, sim.signature_bytes(signature), f.word_set_size,
                                   vector_json[b], "[]", article.published_at))
                bands.extend((k, article.pk, article.published_at)
                             for k in sim.band_keys(signature, f.word_set_size))
                if j % STORY_SIZE == 0:
                    story_id = stories[j // STORY_SIZE].pk
                    terms.extend((t, story_id, article.published_at) for t in query_terms[b])
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {ArticleSignature._meta.db_table} (article_id, minhash, "
                    "word_set_size, vector, anchors, published_at) VALUES (%s,%s,%s,%s,%s,%s)",
                    signatures)
                cursor.executemany(
                    f"INSERT INTO {LshBand._meta.db_table} (key, article_id, published_at) "
                    "VALUES (%s,%s,%s)", bands)
                cursor.executemany(
                    f"INSERT INTO {StoryTerm._meta.db_table} (term, story_id, "
                    "last_published_at) VALUES (%s,%s,%s) ON CONFLICT DO NOTHING", terms)
        made += size
        if made % 50_000 == 0 or made == n:
            print(f"  built {made}/{n}", file=sys.stderr, flush=True)
    scale = n / max(1, frequencies.total())
    TermFrequency.objects.all().delete()
    TermFrequency.objects.bulk_create(
        [TermFrequency(term=t[:40], documents=int(c * scale)) for t, c in frequencies.df.items()]
        + [TermFrequency(term=DbFrequencies.TOTAL, documents=n)], batch_size=5000,
        ignore_conflicts=True)


class SlowestQuery:
    """Records, per item, the query that took longest (to explain outliers)."""

    def __init__(self) -> None:
        self.worst: tuple[float, str] = (0.0, "")

    def __call__(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - began
            if took > self.worst[0]:
                self.worst = (took, sql)


def measure(n: int, base: list[tuple[str, str]], start: datetime, items: int, *,
            offset: int = 0) -> dict:
    from django.db import connection, transaction

    from wiredesk.newsroom.intelligence import enrich as intelligence
    from wiredesk.newsroom.intelligence import enrich_article
    from wiredesk.newsroom.models import Agency, Article
    from wiredesk.wire import similarity as sim

    agency = Agency.objects.get(code="SYN")
    end = start + timedelta(seconds=86400 * n / PER_DAY)
    seconds, cpu, peaks, slowest = [], [], [], []
    checked = []
    real_check = intelligence.split_if_blended

    def counting_check(story, *args, **kwargs):
        if story.size >= sim.SPLIT_MIN_SIZE:
            checked.append(story.pk)
        return real_check(story, *args, **kwargs)

    real_related = intelligence._store_related
    related_seconds: list[tuple[float, float]] = []  # wall, CPU

    def timed_related(*args, **kwargs):  # the SEE ALSO step alone (issue 17's cost)
        began, began_cpu = time.perf_counter(), time.process_time()
        try:
            return real_related(*args, **kwargs)
        finally:
            related_seconds.append((time.perf_counter() - began,
                                    time.process_time() - began_cpu))

    intelligence.split_if_blended = counting_check
    intelligence._store_related = timed_related
    for k in range(offset, offset + items):
        headline, body = base[(k * 7919) % len(base)]
        body = body.replace(" the ", f" the{k} ", 3)
        tracemalloc.start()
        watch = SlowestQuery()
        began, began_cpu = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(watch), transaction.atomic():
            article = Article.objects.create(
                agency=agency, identity=f"new:{n}:{k}", fingerprint=f"n{k}",
                headline=headline, slug="x", body_html="".join(
                    f"<p>{p}</p>" for p in body.split("\n") if p.strip()),
                published_at=end + timedelta(minutes=k))
            enrich_article(article, created=True)
        seconds.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        slowest.append((seconds[-1], watch.worst[0], " ".join(watch.worst[1].split())[:300]))
    intelligence.split_if_blended = real_check
    intelligence._store_related = real_related
    seconds.sort()
    slowest.sort(reverse=True)
    related_calls = max(len(related_seconds), 1)
    return {"articles": n, "items": items, "items_blend_checked": len(checked),
            "mean_ms": 1000 * sum(seconds) / len(seconds),
            # This process's CPU: on SQLite (in-process) nearly the whole step, and far less
            # sensitive than wall time to other work on a shared machine.
            "mean_cpu_ms": 1000 * sum(cpu) / len(cpu),
            "related_mean_ms": 1000 * sum(w for w, _ in related_seconds) / related_calls,
            "related_mean_cpu_ms": 1000 * sum(c for _, c in related_seconds) / related_calls,
            "median_ms": 1000 * seconds[len(seconds) // 2],
            "p90_ms": 1000 * seconds[int(len(seconds) * 0.9)],
            "max_ms": 1000 * seconds[-1],
            "peak_python_mib": max(peaks) / 2**20,
            # The three slowest items, each with its slowest query: what an outlier waits on.
            "slowest_items": [{"ms": 1000 * total, "slowest_query_ms": 1000 * worst,
                               "slowest_query": sql} for total, worst, sql in slowest[:3]]}


def jit_setting() -> str | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        return cursor.fetchone()[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--postgres", help="postgres://... of a throw-away database")
    parser.add_argument("--reference-jit", action="store_true",
                        help="on PostgreSQL also measure each size with JIT on (the server's "
                             "default), as a reference for wiredesk's jit=off")
    args = parser.parse_args(argv)
    setup(args.postgres)
    from django.db import connection

    base = texts(args.data)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    rows = []
    for n in sorted(args.sizes):
        began = time.perf_counter()
        build(n, base, start)
        built = time.perf_counter() - began
        row = measure(n, base, start, args.items)
        row["build_seconds"] = built
        row["jit"] = jit_setting()
        if args.reference_jit and connection.vendor == "postgresql":
            # The same step with PostgreSQL's default (JIT on), on the same archive.
            set_jit(True)
            row["reference_jit_on"] = measure(n, base, start, args.items, offset=args.items)
            set_jit(False)
            print(f"{'':<10} {n:>9} with JIT on: "
                  f"{row['reference_jit_on']['mean_ms']:7.1f} ms/item mean, "
                  f"{row['reference_jit_on']['median_ms']:7.1f} median", flush=True)
        rows.append(row)
        print(f"{connection.vendor:<10} {n:>9} articles: {row['mean_ms']:7.1f} ms/item mean "
              f"({row['mean_cpu_ms']:.1f} CPU), "
              f"{row['median_ms']:7.1f} median, {row['max_ms']:7.1f} max, "
              f"{row['related_mean_ms']:.1f} ({row['related_mean_cpu_ms']:.1f} CPU) of it in "
              "SEE ALSO, "
              f"peak {row['peak_python_mib']:.1f} MiB, "
              f"{row['items_blend_checked']} of {row['items']} ran the blend check", flush=True)
    result = {"database": connection.vendor, "rows": rows,
              "ratio_mean_largest_over_smallest": rows[-1]["mean_ms"] / rows[0]["mean_ms"],
              "ratio_cpu_largest_over_smallest":
                  rows[-1]["mean_cpu_ms"] / rows[0]["mean_cpu_ms"]}
    print(f"ratio {rows[-1]['articles']}/{rows[0]['articles']}: "
          f"{result['ratio_mean_largest_over_smallest']:.2f}")
    if connection.vendor == "sqlite":
        import shutil

        connection.close()
        shutil.rmtree(os.environ["WIREDESK_DATA_DIR"], ignore_errors=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"scale_{connection.vendor}.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
