"""Ingest and page figures of this tree as a ratio to another commit's, measured in one run.

A refactor must not make ingest or pages slower. The machine is shared and its speed
drifts, so the two trees are measured alternately (A, B, A, B, ...) with the same
benchmark scripts (this tree's), and each figure is first divided by its own in-process
reference (feedparser parsing the same bytes; a trivial WSGI app serving the same page),
then the current tree's ratio is divided by the other commit's.

    .venv/bin/python benchmarks/against_commit.py --ref 7f68a7d [--rounds 2]
        [--feeds 10 --items 100] [--seconds 8] [--skip-pages]

The other commit is checked out into a temporary git worktree and imported through
PYTHONPATH (its ``src/`` first), so both trees run with the same virtualenv.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"


def _env(src: Path, data_dir: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({"PYTHONPATH": str(src), "WIREDESK_DATA_DIR": data_dir,
                "WIREDESK_SECRET_KEY": "benchmark-secret-key-0123456789-0123456789"})
    return env


def ingest_once(src: Path, feeds: int, items: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="wd-bench-ab-") as data_dir:
        proc = subprocess.run(
            [sys.executable, str(HERE / "ingest.py"), "--child", "sqlite", "--corpus",
             "copies", "--feeds", str(feeds), "--items", str(items)],
            env=_env(src, data_dir), capture_output=True, text=True, check=True)
    row = json.loads(proc.stdout.strip().splitlines()[-1])
    reference = row["seconds_reference"]
    return {"first_run_vs_feedparser": reference / row["seconds_first"],
            "unchanged_vs_feedparser": reference / row["seconds_second"],
            "seconds_first": row["seconds_first"], "seconds_reference": reference}


def pages_once(src: Path, seconds: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="wd-bench-ab-") as scratch:
        output = Path(scratch) / "pages.json"
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env["PYTHONPATH"] = str(src)
        subprocess.run([sys.executable, str(HERE / "pages.py"), "--seconds", str(seconds),
                        "--output", str(output)], env=env, check=True, capture_output=True)
        rows = {r["name"]: r for r in json.loads(output.read_text())["rows"]}
    return {"cached_cpu_vs_trivial": rows["article page, cached"]["cpu_ratio_to_reference"],
            "uncached_cpu_vs_trivial":
                rows["article page, uncached"]["cpu_ratio_to_reference"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", required=True, help="the commit to compare against")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--feeds", type=int, default=10)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--output", default=str(RESULTS / "against_commit.json"))
    args = parser.parse_args(argv)
    worktree = Path(tempfile.mkdtemp(prefix="wd-bench-ref-"))
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(worktree),
                    args.ref], check=True, capture_output=True)
    trees = {"reference commit": worktree / "src", "this tree": ROOT / "src"}
    samples: dict[str, list[dict]] = {name: [] for name in trees}
    try:
        for round_no in range(args.rounds):
            for name, src in trees.items():
                sample = ingest_once(src, args.feeds, args.items)
                if not args.skip_pages:
                    sample.update(pages_once(src, args.seconds))
                samples[name].append(sample)
                print(f"round {round_no + 1}, {name}: {sample}", flush=True)
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                        str(worktree)], check=False, capture_output=True)
    figures = {}
    for key in samples["this tree"][0]:
        if key.startswith("seconds"):
            continue
        old = statistics.median(s[key] for s in samples["reference commit"])
        new = statistics.median(s[key] for s in samples["this tree"])
        # Throughput ratios: higher is better; CPU ratios: lower is better.
        figures[key] = {"reference_commit": round(old, 4), "this_tree": round(new, 4),
                        "this_tree_over_reference": round(new / old, 3)}
    report = {"ref": args.ref, "rounds": args.rounds, "feeds": args.feeds,
              "items": args.items, "figures": figures, "samples": samples}
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(report, indent=1))
    print("| figure | reference commit | this tree | this tree / reference |")
    print("|---|---:|---:|---:|")
    for key, row in figures.items():
        print(f"| {key} | {row['reference_commit']} | {row['this_tree']} | "
              f"{row['this_tree_over_reference']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
