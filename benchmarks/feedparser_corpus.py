"""feedparser's test corpus through wiredesk's parse+normalize path: crashes, Expect lines met.

The reference is feedparser itself on the same files in the same run (its own
parse time, and its own pass count is in the corpus README: 1,939 of 1,949 that do not
need HTTP, on feedparser 6.0.14).

    .venv/bin/python benchmarks/feedparser_corpus.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import feedparser

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.wire.feedparser_oracle import run_corpus  # noqa: E402

CORPUS = ROOT.parent / "shared" / "data" / "feedparser-corpus"


def main() -> int:
    if not CORPUS.is_dir():
        print(f"no corpus at {CORPUS}", file=sys.stderr)
        return 2
    files = [p for p in sorted(CORPUS.rglob("*")) if p.suffix in (".xml", ".json")]
    start = time.perf_counter()
    for path in files:
        feedparser.parse(path.read_bytes())
    feedparser_seconds = time.perf_counter() - start
    start = time.perf_counter()
    report = run_corpus(CORPUS)
    ours = time.perf_counter() - start
    result = {
        "files": report.files, "unhandled_exceptions": len(report.crashes),
        "files_with_items": report.with_items, "recorded_errors": report.wire_errors,
        "expect_applicable": report.applicable, "expect_met": report.met,
        "expect_failed": report.failed,
        "seconds_wiredesk_parse_normalize": round(ours, 2),
        "seconds_feedparser_alone": round(feedparser_seconds, 2),
        "time_ratio_to_feedparser": round(ours / feedparser_seconds, 2),
    }
    print(f"{'files':<34}{report.files}")
    print(f"{'unhandled exceptions':<34}{len(report.crashes)}")
    print(f"{'files yielding items':<34}{report.with_items}")
    print(f"{'recorded, readable errors':<34}{report.wire_errors}")
    print(f"{'Expect lines that apply / met':<34}{report.applicable} / {report.met}")
    print(f"{'time, ours vs feedparser alone':<34}{ours:.2f}s vs {feedparser_seconds:.2f}s "
          f"(x{result['time_ratio_to_feedparser']})")
    out = ROOT / "benchmarks" / "results" / "feedparser_corpus.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
