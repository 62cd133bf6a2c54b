"""Search latency (median, p95) of Tantivy at 10k and 1M articles, for issue 16 item 6.

    PYTHONPATH=src .venv/bin/python benchmarks/search_tantivy.py [--sizes 10000,1000000]
        [--runs 5] [--cap 1000] [--keep DIR] [--verify] [--output search_tantivy.json]

Needs the ``tantivy`` wheel (the ``bench`` extra; not a dependency of the product). Builds
the archive of ``benchmarks/search.py`` (same vocabulary, Zipf weights, seeds, headline 8
words, body 80 words, one article every 3 minutes, ids growing with time, "zorblat" in one
article of 5,000) into a Tantivy index on disk, grown in place from one size to the next,
and runs search.py's QUERIES at each size with the clock three minutes after the newest
article, as search.py does.

What one search does here, as close to ``search.services.search_edition`` as Tantivy's
Python binding allows:

- the query: each word (stemmed by Tantivy's English Snowball stemmer, ``en_stem``) must be
  in the headline or the body, each phrase in one of them; the headline's match weighs 10
  times the body's (FTS5's column weights 10/1); AND the edition's id as an indexed term
  (the scope, which the product checks by a join on placements and public state);
- the count: each window's matches counted (Tantivy's Count collector) as the walk below
  reads it, newest first, and the walk goes on past the page, in windows sized from the
  match rate seen so far, only until ``--cap`` matches or the archive's end;
- the page: the exact top 10 by ``BM25 / (1 + age_days / 30)``, the product's recency
  weight. The binding has no custom scorer (``tweak_by_score``), and ``weight_by_field``
  multiplies by a fixed ``log2(2 + value)``, which cannot follow a clock, so it is a walk
  like the product's ``search.backends.windows``: windows of publication time, newest
  first (the first a day, each next 8 times wider, never wider than down to the cut-off
  once the page is full), each window's top 40 by BM25 (4 times more when one not fetched
  could still enter the page), stopped when the bound of any match's BM25 (Tantivy's
  ceiling, IDF * (k1 + 1) per word and field, times the field's boost), at the window's
  oldest time, scores below the page's last result: exact, checked by ``--verify``
  against ranking every match. Filters (scope, window) score 0: a boolean query adds its
  clauses' scores, and a constant added to the BM25 would change the weighted order;
- highlights: Tantivy's SnippetGenerator on the headline (whole) and the body (a 150-char
  fragment), from the stored texts of the page's ten documents.

Not done here (the product does them): loading the page's Article rows from the database,
the public-state check (holds, embargoes), the per-language stemming of each article and the
time budget. Wall and CPU time (``time.process_time``: the search runs on the calling
thread) are both recorded; reading in BENCHMARKS.md ("Search on Tantivy").
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path

import tantivy

from search import QUERIES, vocabulary
from wiredesk.search.query import parse_query

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
FIRST_PUBLISHED = datetime(2020, 1, 1, tzinfo=UTC)
EDITION = 1
HEADLINE_BOOST = 10.0
RECENCY_DAYS = 30.0
FIRST_WINDOW_DAYS = 1.0
GROWTH = 8
DAY = 86400
K1 = 1.2  # Tantivy's BM25


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, fast=True)
    builder.add_integer_field("edition", indexed=True)
    builder.add_integer_field("published", indexed=True, fast=True)
    builder.add_text_field("headline", stored=True, tokenizer_name="en_stem")
    builder.add_text_field("body", stored=True, tokenizer_name="en_stem")
    return builder.build()


def articles(start: int, stop: int):
    """search.py's articles start..stop: (id, headline, body, published seconds)."""
    words, weights = vocabulary()
    cumulative = list(accumulate(weights))  # what choices() makes of weights: same draws
    for first in range(start - start % 5000, stop, 5000):
        rng = random.Random(f"7-{first}")
        for n in range(first, min(stop, first + 5000)):
            headline_words = rng.choices(words, cum_weights=cumulative, k=8)
            body_words = rng.choices(words, cum_weights=cumulative, k=80)
            if n % 5000 == 17:
                body_words[5] = "zorblat"
            if n < start:
                continue
            published = FIRST_PUBLISHED + timedelta(minutes=n * 3)
            yield (n + 1, " ".join(headline_words).capitalize(), " ".join(body_words),
                   int(published.timestamp()))


def build(index: tantivy.Index, start: int, stop: int) -> None:
    writer = index.writer(heap_size=100_000_000, num_threads=1)
    for done, (pk, headline, body, published) in enumerate(articles(start, stop), start + 1):
        writer.add_document(tantivy.Document(id=pk, edition=EDITION, published=published,
                                             headline=headline, body=body))
        if done % 50_000 == 0:
            print(f"\r  built {done:,}/{stop:,}", end="", file=sys.stderr, flush=True)
    writer.commit()
    writer.wait_merging_threads()
    print(file=sys.stderr)
    index.reload()


class Search:
    """One search over ``index``: count, exact top ``need`` by recency-weighted BM25,
    highlights."""

    def __init__(self, index: tantivy.Index, cap: int):
        self.index = index
        self.schema = index.schema
        self.cap = cap
        self.stemmer = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()) \
            .filter(tantivy.Filter.remove_long(40)).filter(tantivy.Filter.lowercase()) \
            .filter(tantivy.Filter.stemmer("english")).build()
        # Filters score nothing: a boolean query adds its clauses' scores, and a term or
        # range clause would add a constant to the BM25 that the recency weight divides.
        self.scope = tantivy.Query.const_score_query(
            tantivy.Query.term_query(self.schema, "edition", EDITION), 0.0)

    def terms(self, words) -> list[str]:
        return [term for word in words for term in self.stemmer.analyze(word)]

    def text_query(self, parsed) -> tantivy.Query:
        parts = []
        for words in [(term,) for term in parsed.terms] + list(parsed.phrases):
            terms = self.terms(words)
            per_field = []
            for field, boost in (("headline", HEADLINE_BOOST), ("body", 1.0)):
                one = (tantivy.Query.term_query(self.schema, field, terms[0])
                       if len(terms) == 1 else
                       tantivy.Query.phrase_query(self.schema, field, terms))
                per_field.append((tantivy.Occur.Should,
                                  tantivy.Query.boost_query(one, boost) if boost != 1 else one))
            parts.append((tantivy.Occur.Must, tantivy.Query.boolean_query(per_field)))
        return tantivy.Query.boolean_query(parts)

    def weight(self, published: int, now: int) -> float:
        return 1.0 / (1.0 + max(0, now - published) / DAY / RECENCY_DAYS)

    def scored(self, searcher, hits, now: int) -> list[tuple]:
        """(score, published, id, address) of each hit, best first as the product
        orders them (score, then the most recent, then the highest id)."""
        addresses = [address for _bm25, address in hits]
        published = searcher.fast_field_values("published", addresses)
        ids = searcher.fast_field_values("id", addresses)
        return [(bm25 * self.weight(p, now), p, pk, address)
                for (bm25, address), p, pk in zip(hits, published, ids, strict=True)]

    def window(self, searcher, query, low: int | None, high: int | None):
        if low is None and high is None:
            return query
        window = tantivy.Query.range_query(
            self.schema, "published", tantivy.FieldType.Integer, low, high,
            include_upper=high is None)
        window = tantivy.Query.const_score_query(window, 0.0)
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, query),
                                            (tantivy.Occur.Must, window)])

    def bound(self, searcher, parsed) -> float:
        """Above any match's BM25: Tantivy's BM25 of a word (a phrase: the sum of its
        words' IDF) is IDF * (k1 + 1) * tf / (tf + norm), below IDF * (k1 + 1) whatever
        the tf, times the field's boost, summed over the parts and fields."""
        total_docs = searcher.num_docs
        bound = 0.0
        for words in [(term,) for term in parsed.terms] + list(parsed.phrases):
            for field, boost in (("headline", HEADLINE_BOOST), ("body", 1.0)):
                idf = sum(math.log(1 + (total_docs - holding + 0.5) / (holding + 0.5))
                          for holding in (searcher.doc_freq(field, term)
                                          for term in self.terms(words)))
                bound += boost * idf * (K1 + 1)
        return bound * (1 + 1e-5)  # float32 scores: a little room

    def rank(self, searcher, query, bound: float, now: int, need: int
             ) -> tuple[int, list[tuple]]:
        """The count (newest first, stopped at the cap) and the page, from windows of
        publication time walked newest first."""
        best: list[tuple] = []
        counted = 0
        width = FIRST_WINDOW_DAYS * DAY
        high, low = None, now - int(width)
        oldest = int(FIRST_PUBLISHED.timestamp())
        while True:
            best, found = self.rank_window(searcher, query, low, high, now, need, best)
            counted += found
            if low is None:
                break
            if len(best) >= need and best[-1][0] > bound * self.weight(low, now):
                break  # nothing older can enter the page
            width *= GROWTH
            high, low = low, low - int(width)
            if len(best) >= need:  # no wider than down to where nothing older can enter
                age = RECENCY_DAYS * (bound / best[-1][0] - 1) * DAY
                low = max(low, now - int(age) - 1)
            if low <= oldest:
                low = None
        while counted < self.cap and low is not None:  # the count goes on to the cap
            # As far again as the matches seen so far say the rest of the cap needs.
            walked = now - low
            width = max(DAY, 1.5 * walked * (self.cap - counted) / max(counted, 1))
            high, low = low, low - int(width)
            if low <= oldest:
                low = None
            counted += searcher.search(self.window(searcher, query, low, high), limit=1,
                                       count=True).count
        return min(counted, self.cap), best

    def rank_window(self, searcher, query, low, high, now, need, best):
        """The page with this window's matches ranked in, and how many there are."""
        key = self.order
        limit = 4 * need  # room for the recency weight to reorder them
        found = None
        while True:
            result = searcher.search(self.window(searcher, query, low, high), limit=limit,
                                     count=found is None)
            if found is None:
                found = result.count
            hits = result.hits
            merged = sorted(best + self.scored(searcher, hits, now), key=key)[:need]
            if len(hits) < limit:
                return merged, found
            # One not fetched has at most the last one's BM25, at the window's newest time.
            unfetched = hits[-1][0] * self.weight(high if high is not None else now, now)
            if len(merged) >= need and merged[-1][0] > unfetched:
                return merged, found
            limit *= 4

    @staticmethod
    def order(hit: tuple):
        return (-hit[0], -hit[1], -hit[2])

    def __call__(self, raw: str, now: int, need: int = 10) -> dict:
        searcher = self.index.searcher()
        parsed = parse_query(raw)
        text = self.text_query(parsed)
        query = tantivy.Query.boolean_query([(tantivy.Occur.Must, text),
                                             (tantivy.Occur.Must, self.scope)])
        total, page = self.rank(searcher, query, self.bound(searcher, parsed), now, need)
        highlights = []
        if page:
            headline = tantivy.SnippetGenerator.create(searcher, text, self.schema, "headline")
            headline.set_max_num_chars(1000)
            body = tantivy.SnippetGenerator.create(searcher, text, self.schema, "body")
            for _score, _published, _pk, address in page:
                doc = searcher.doc(address)
                highlights.append((headline.snippet_from_doc(doc).to_html(),
                                   body.snippet_from_doc(doc).to_html()))
        return {"total": total, "ids": [hit[2] for hit in page],
                "scores": [hit[0] for hit in page], "highlights": highlights}

    def rank_every_match(self, raw: str, now: int, need: int = 10) -> list[int]:
        """The page by ranking every match (for --verify)."""
        searcher = self.index.searcher()
        text = self.text_query(parse_query(raw))
        query = tantivy.Query.boolean_query([(tantivy.Occur.Must, text),
                                             (tantivy.Occur.Must, self.scope)])
        count = searcher.search(query, limit=1, count=True).count
        if not count:
            return []
        hits = searcher.search(query, limit=count, count=False).hits
        return [hit[2] for hit in sorted(self.scored(searcher, hits, now),
                                         key=self.order)[:need]]


def measure(search: Search, now: int, runs: int, verify: bool) -> dict:
    for _label, query in QUERIES:  # warm the caches once
        search(query, now)
    out: dict = {}
    every: list[float] = []
    every_cpu: list[float] = []
    for label, query in QUERIES:
        times, cpu = [], []
        for _ in range(runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            result = search(query, now)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        every += times
        every_cpu += cpu
        out[label] = {"query": query, "median_ms": statistics.median(times),
                      "max_ms": max(times), "cpu_median_ms": statistics.median(cpu),
                      "total": result["total"]}
        if verify:
            exact = search.rank_every_match(query, now)
            out[label]["exact"] = exact == result["ids"]
            if not out[label]["exact"]:
                print(f"  NOT EXACT {label}: {result['ids']} != {exact}", file=sys.stderr)
    every.sort()
    every_cpu.sort()
    # CPU time of this process (the search runs on the calling thread): the wall time
    # less the waits for a core on a shared machine.
    out["all"] = {"median_ms": statistics.median(every),
                  "p95_ms": every[max(0, int(len(every) * 0.95) - 1)],
                  "cpu_median_ms": statistics.median(every_cpu),
                  "cpu_p95_ms": every_cpu[max(0, int(len(every_cpu) * 0.95) - 1)]}
    return out


def disk_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cap", type=int, default=1000, help="the count shown is capped here")
    parser.add_argument("--keep", help="keep each size's index here (DIR/tantivy-SIZE), reuse it")
    parser.add_argument("--verify", action="store_true",
                        help="check each page against ranking every match")
    parser.add_argument("--output", default="search_tantivy.json", help="file name in results/")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    report = {"sizes": sizes, "runs": args.runs, "cap": args.cap, "queries": QUERIES,
              "tantivy": version(), "load": os.getloadavg(), "date": datetime.now(UTC)
              .isoformat(timespec="minutes"), "by_size": {}}
    with tempfile.TemporaryDirectory(prefix="wd-tantivy-") as scratch:
        base = Path(args.keep).resolve() if args.keep else Path(scratch)
        base.mkdir(parents=True, exist_ok=True)
        built, previous = 0, None
        for size in sizes:
            path = base / f"tantivy-{size}"
            started = time.perf_counter()
            if not path.exists():
                if previous is not None:
                    shutil.copytree(previous, path)
                    built = sizes[sizes.index(size) - 1]
                else:
                    path.mkdir()
                    built = 0
                index = tantivy.Index(schema(), path=str(path))
                build(index, built, size)
            index = tantivy.Index.open(str(path))
            build_seconds = time.perf_counter() - started
            newest = FIRST_PUBLISHED + timedelta(minutes=(size - 1) * 3)
            now = int((newest + timedelta(minutes=3)).timestamp())
            print(f"tantivy {size:,}: built in {build_seconds:.0f}s"
                  f" ({index.searcher().num_segments} segments), measuring", file=sys.stderr)
            report["by_size"][str(size)] = {
                "build_seconds": build_seconds, "index_bytes": disk_bytes(path),
                "segments": index.searcher().num_segments,
                **measure(Search(index, args.cap), now, args.runs, args.verify)}
            previous = path
    print_table(report)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / args.output).write_text(json.dumps(report, indent=1))
    return 0


def version() -> str:
    done = subprocess.run([sys.executable, "-m", "pip", "show", "tantivy"],
                          capture_output=True, text=True)
    return next((line.split()[-1] for line in done.stdout.splitlines()
                 if line.startswith("Version")), "?")


def print_table(report: dict) -> None:
    sizes = report["sizes"]
    smallest = report["by_size"][str(sizes[0])]["all"]
    labels = [label for label, _query in QUERIES]
    print("| articles | build (s) | index (MB) | median (ms) | p95 (ms) | median vs smallest |"
          " p95 vs smallest | CPU median / p95 (ms) | " + " / ".join(labels) + " (ms) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for size in sizes:
        row = report["by_size"][str(size)]
        per_query = " / ".join(f"{row[label]['median_ms']:.2f}" for label in labels)
        print(f"| {size:,} | {row['build_seconds']:.0f} | {row['index_bytes'] / 1e6:.0f} | "
              f"{row['all']['median_ms']:.2f} | {row['all']['p95_ms']:.2f} | "
              f"{row['all']['median_ms'] / smallest['median_ms']:.2f}x | "
              f"{row['all']['p95_ms'] / smallest['p95_ms']:.2f}x | "
              f"{row['all']['cpu_median_ms']:.2f} / {row['all']['cpu_p95_ms']:.2f} | "
              f"{per_query} |")
    print("counts: " + ", ".join(
        f"{label} {report['by_size'][str(sizes[-1])][label]['total']}" for label in labels))


if __name__ == "__main__":
    raise SystemExit(main())
