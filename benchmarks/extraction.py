"""Body-text F1 and pages/s of the web-page adapter on article-extraction-benchmark/dev.

Scoring follows the benchmark's README (its evaluate.py, re-implemented): 4-token
shingles over ``\\w+`` tokens, per-page tp/fp/fn normalised, P and R averaged over
pages, F1 from the averages. The reference is trafilatura with its default
settings, measured in the same run on the same decoded pages.

    .venv/bin/python benchmarks/extraction.py [--data DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

import trafilatura

from wiredesk.wire.formats import html_page
from wiredesk.wire.sanitize import html_to_text
from wiredesk.wire.types import WireError

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "article-extraction-benchmark" / "dev"
_TOKEN = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN.findall(text or "")
    if len(tokens) < n:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def page_scores(true: str, pred: str) -> tuple[float | None, float | None]:
    t, p = shingles(true), shingles(pred)
    tp = sum(min(t[k], p[k]) for k in t.keys() | p.keys())
    fp = sum(max(0, p[k] - t[k]) for k in p)
    fn = sum(max(0, t[k] - p[k]) for k in t)
    total = tp + fp + fn
    if total == 0:
        return None, None
    tp, fp, fn = tp / total, fp / total, fn / total
    precision = tp / (tp + fp) if tp + fp > 0 else None
    recall = tp / (tp + fn) if tp + fn > 0 else None
    return precision, recall


def score(truth: dict[str, str], predicted: dict[str, str]) -> dict:
    ps, rs, exact = [], [], 0
    for key, true in truth.items():
        pred = predicted.get(key, "")
        precision, recall = page_scores(true, pred)
        if precision is not None:
            ps.append(precision)
        if recall is not None:
            rs.append(recall)
        exact += _TOKEN.findall(true) == _TOKEN.findall(pred)
    p = sum(ps) / len(ps) if ps else 0.0
    r = sum(rs) / len(rs) if rs else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4),
            "accuracy": round(exact / len(truth), 4)}


def run_wiredesk(pages: dict[str, bytes]) -> tuple[dict[str, str], float]:
    out = {}
    start = time.perf_counter()
    for key, data in pages.items():
        try:
            result = html_page.parse(data)
            out[key] = html_to_text(result.items[0].body)
        except WireError:
            out[key] = ""
    return out, time.perf_counter() - start


def run_trafilatura_default(pages: dict[str, bytes]) -> tuple[dict[str, str], float]:
    out = {}
    start = time.perf_counter()
    for key, data in pages.items():
        out[key] = trafilatura.extract(data.decode("utf-8", errors="replace")) or ""
    return out, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    truth_file = args.data / "ground-truth.json"
    if not truth_file.exists():
        print(f"no benchmark data at {args.data}", file=sys.stderr)
        return 2
    truth = {k: v["articleBody"] for k, v in json.loads(truth_file.read_text()).items()}
    pages = {k: gzip.decompress((args.data / "html" / f"{k}.html.gz").read_bytes())
             for k in truth}
    rows = []
    for name, runner in (("trafilatura 2.x default (reference)", run_trafilatura_default),
                         ("wiredesk html_page adapter", run_wiredesk)):
        predicted, seconds = runner(pages)
        row = {"extractor": name, **score(truth, predicted), "seconds": round(seconds, 2),
               "pages_per_s": round(len(pages) / seconds, 1)}
        rows.append(row)
        print(f"{name:<40} P={row['precision']:.4f} R={row['recall']:.4f} "
              f"F1={row['f1']:.4f} acc={row['accuracy']:.3f} {row['pages_per_s']:.1f} pages/s",
              flush=True)
    ref, ours = rows
    result = {"pages": len(pages), "rows": rows,
              "f1_ratio_to_reference": round(ours["f1"] / ref["f1"], 4) if ref["f1"] else None,
              "speed_ratio_to_reference": round(ours["pages_per_s"] / ref["pages_per_s"], 3)}
    print(f"F1 ratio to reference {result['f1_ratio_to_reference']}, "
          f"speed ratio {result['speed_ratio_to_reference']}")
    out = ROOT / "benchmarks" / "results" / "extraction.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
