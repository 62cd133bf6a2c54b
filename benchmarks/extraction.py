"""Body-text F1 and pages/s of the web-page adapter on article-extraction-benchmark/dev.

Scoring follows the benchmark's README (its evaluate.py, re-implemented): 4-token
shingles over ``\\w+`` tokens, per-page tp/fp/fn normalised, P and R averaged over
pages, F1 from the averages. The references are trafilatura's own settings (default,
favor_precision, favor_recall, fast), measured in the same run on the same pages.

The adapter's two tuned thresholds (``wire.formats.agreement``) are checked by 5-fold
cross-validation: the pages' ids sorted, fold i = every fifth id from the i-th; on each
fold the thresholds are chosen on the other four and scored on it, next to trafilatura's
best setting on that fold (the best of the four, chosen on the fold itself: the hardest
comparison). The adapter's own row is the in-product path, ``html_page.parse``. Its
pages/s and trafilatura default's are timed page by page, alternately first (the machine
is shared); the other settings' pages/s are timed in runs of their own, less comparable.

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

from _common import write_result
from wiredesk.wire.decode import decode_bytes
from wiredesk.wire.formats import agreement, html_page
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


def run_interleaved(pages: dict[str, bytes]) -> tuple[dict[str, str], float,
                                                     dict[str, str], float]:
    """trafilatura's default and the adapter page by page, alternately first, so that a
    shared machine's load swings fall on both: (reference texts, seconds, ours, seconds)."""
    reference, ours = {}, {}
    seconds = [0.0, 0.0]
    for i, (key, data) in enumerate(pages.items()):
        runs = [(0, lambda d=data: trafilatura.extract(d.decode("utf-8", errors="replace"))),
                (1, lambda d=data: _wiredesk_text(d))]
        for slot, run in (runs if i % 2 == 0 else runs[::-1]):
            start = time.perf_counter()
            text = run() or ""
            seconds[slot] += time.perf_counter() - start
            (reference if slot == 0 else ours)[key] = text
    return reference, seconds[0], ours, seconds[1]


def _wiredesk_text(data: bytes) -> str:
    try:
        return html_to_text(html_page.parse(data).items[0].body)
    except WireError:
        return ""


def run_trafilatura(pages: dict[str, bytes], **settings) -> tuple[dict[str, str], float]:
    out = {}
    start = time.perf_counter()
    for key, data in pages.items():
        out[key] = trafilatura.extract(data.decode("utf-8", errors="replace"), **settings) or ""
    return out, time.perf_counter() - start


TRAFILATURA_SETTINGS = {
    "default": {},
    "favor_precision": {"favor_precision": True},
    "favor_recall": {"favor_recall": True},
    "fast": {"fast": True},
}
FOLDS = 5
# The grid the thresholds are chosen from; "off" values switch the trimming off.
AGREEMENT_GRID = [(a, lead) for a in (0.5, 0.6, 0.7, 0.8, 0.9, 1.01)
                  for lead in (0, 80, 150, 300, 10**6)]


def folds_of(keys: list[str]) -> list[list[str]]:
    ordered = sorted(keys)
    return [ordered[i::FOLDS] for i in range(FOLDS)]


def readings(pages: dict[str, bytes]) -> dict[str, tuple[str, str, str]]:
    """Each page's two readings before trimming, by the adapter's own functions."""
    out = {}
    for key, data in pages.items():
        markup = decode_bytes(data).text
        document, other = html_page.read_page(markup)
        out[key] = ((document.text or "", document.title or "", other) if document is not None
                    else ("", "", ""))
    return out


def body_for(reading: tuple[str, str, str], min_agreement: float, lead: int) -> str:
    """What ``html_page.parse`` makes the body with these thresholds, as text."""
    text, title, other = reading
    if other:
        text = agreement.trim_to_agreement(text, other, min_agreement=min_agreement,
                                           max_dropped_lead=lead)
    return html_to_text(html_page.text_to_html(html_page.without_title(text, title)))


def cross_validate(truth: dict[str, str], pages: dict[str, bytes],
                   references: dict[str, dict[str, str]],
                   product: dict[str, str]) -> tuple[list[dict], int]:
    """The folds, and how many pages' shipped-threshold body differs from the product's
    (0: the grid scores exactly what ``html_page.parse`` makes)."""
    read = readings(pages)
    bodies = {point: {k: body_for(read[k], *point) for k in truth} for point in AGREEMENT_GRID}
    default = (agreement.MIN_AGREEMENT, agreement.MAX_DROPPED_LEAD_CHARS)
    differing = sum(bodies[default][k] != product[k] for k in truth)
    rows = []
    for i, test in enumerate(folds_of(list(truth))):
        train = [k for k in truth if k not in set(test)]

        def f1(predicted, keys):
            return score({k: truth[k] for k in keys}, {k: predicted[k] for k in keys})["f1"]

        chosen = max(AGREEMENT_GRID, key=lambda p: (f1(bodies[p], train), p == default))
        trafilatura_f1 = {name: f1(predicted, test) for name, predicted in references.items()}
        best_name = max(trafilatura_f1, key=trafilatura_f1.get)
        row = {"fold": i, "pages": len(test),
               "chosen_on_other_folds": {"min_agreement": chosen[0],
                                         "max_dropped_lead": chosen[1]},
               "wiredesk_f1_cv": f1(bodies[chosen], test),
               "wiredesk_f1_shipped_thresholds": f1(bodies[default], test),
               "trafilatura_f1": trafilatura_f1,
               "trafilatura_best_setting": best_name,
               "trafilatura_best_f1": trafilatura_f1[best_name]}
        row["cv_not_below_best"] = row["wiredesk_f1_cv"] >= row["trafilatura_best_f1"]
        rows.append(row)
        print(f"fold {i}: wiredesk F1 {row['wiredesk_f1_cv']:.4f} (thresholds {chosen} chosen "
              f"on the other folds; shipped {row['wiredesk_f1_shipped_thresholds']:.4f}) vs "
              f"trafilatura best {best_name} {row['trafilatura_best_f1']:.4f}", flush=True)
    return rows, differing


def _row(name: str, truth: dict[str, str], predicted: dict[str, str], seconds: float,
         pages: int) -> dict:
    row = {"extractor": name, **score(truth, predicted), "seconds": round(seconds, 2),
           "pages_per_s": round(pages / seconds, 1)}
    print(f"{name:<40} P={row['precision']:.4f} R={row['recall']:.4f} "
          f"F1={row['f1']:.4f} acc={row['accuracy']:.3f} {row['pages_per_s']:.1f} pages/s",
          flush=True)
    return row


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
    rows, references = [], {}
    # The reference and ours, interleaved: their pages/s are the speed comparison.
    default_texts, default_seconds, predicted, seconds = run_interleaved(pages)
    for name, settings in TRAFILATURA_SETTINGS.items():
        if name == "default":
            texts, took = default_texts, default_seconds
        else:
            texts, took = run_trafilatura(pages, **settings)
        references[name] = texts
        rows.append(_row(f"trafilatura {trafilatura.__version__} {name}", truth, texts,
                         took, len(pages)))
    rows.append(_row("wiredesk html_page adapter", truth, predicted, seconds, len(pages)))
    ref, ours = rows[0], rows[-1]
    best_overall = max(rows[:-1], key=lambda r: r["f1"])
    folds, differing = cross_validate(truth, pages, references, predicted)
    cv_f1 = [f["wiredesk_f1_cv"] for f in folds]
    result = {
        "pages": len(pages), "rows": rows,
        "reference": ref["extractor"],
        "f1_ratio_to_reference": round(ours["f1"] / ref["f1"], 4) if ref["f1"] else None,
        "f1_ratio_to_best_trafilatura_setting": round(ours["f1"] / best_overall["f1"], 4),
        "speed_ratio_to_reference": round(ours["pages_per_s"] / ref["pages_per_s"], 3),
        "cross_validation": {
            "folds": folds,
            "wiredesk_f1_mean": round(sum(cv_f1) / len(cv_f1), 4),
            "wiredesk_f1_min": min(cv_f1),
            "not_below_trafilatura_best_on_every_fold": all(
                f["cv_not_below_best"] for f in folds),
            "pages_where_grid_differs_from_product": differing,
        },
    }
    print(f"F1 ratio to reference {result['f1_ratio_to_reference']}, to the best "
          f"trafilatura setting {result['f1_ratio_to_best_trafilatura_setting']}, "
          f"speed ratio {result['speed_ratio_to_reference']}; CV mean F1 "
          f"{result['cross_validation']['wiredesk_f1_mean']}, never below trafilatura's "
          f"best: {result['cross_validation']['not_below_trafilatura_best_on_every_fold']}")
    write_result("extraction", result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
