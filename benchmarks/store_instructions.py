"""Storing counted in instructions, against feedparser counted the same way.

CPU seconds on a shared virtual machine drift by 10-20% between runs of the same tree, more
than most cuts to storing. This counts instead: each run is a child under valgrind's
callgrind (instructions executed, exact whatever else the machine runs; PYTHONHASHSEED=0).

For each tree (this one, and ``--ref`` another tree's ``src``) on a copy of one SQLite
instance made ready beforehand (migrated, sections, two editions, the agencies, a warm-up
document stored), the child stores the real corpus's first ``--skip`` documents, then
``--measure`` more; it runs twice, once stopping after the first part. The difference of
the two counts over the items of the measured documents is storing's instructions per item,
with the process's start, Django's set-up and the first documents cancelled out. feedparser
is counted the same way over the same documents (``feedparser.parse`` of each, two runs),
so the figure is a ratio to the issue's reference: storing's instructions per item over
feedparser's. Intelligence deferred (storing alone, as ``ingest.py --intelligence
deferred`` times it).

    PYTHONPATH=src .venv/bin/python benchmarks/store_instructions.py --data ../shared/data \\
        [--ref /tmp/ref/src] [--skip 4] [--measure 6] [--output store_instructions]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from _common import child_json

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PER_FEED, COPY_RATE, TOTAL = 50, 0.10, 2000


def _documents(data: Path) -> list[tuple[str, bytes]]:
    sys.path.insert(0, str(HERE))
    from ingest import documents_for

    return documents_for("real", data, TOTAL, PER_FEED, COPY_RATE)


def _setup(documents: list[tuple[str, bytes]]) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "wiredesk.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from ingest import set_up_instance

    call_command("migrate", interactive=False, verbosity=0)
    set_up_instance(documents)


def _store(documents: list[tuple[str, bytes]], count: int) -> dict:
    os.environ["DJANGO_SETTINGS_MODULE"] = "wiredesk.settings"
    import django

    django.setup()
    from wiredesk.newsroom import services
    from wiredesk.newsroom.models import Agency
    from wiredesk.newsroom.services import enrichment

    enrichment.after_document = lambda: None  # storing alone: the stage runs elsewhere
    agencies = {agency.code: agency for agency in Agency.objects.all()}
    words = " ".join(f"warmup{n}" for n in range(60))
    warm = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>w</title><item>'
            f"<title>Warm-up</title><guid>warm-up</guid><description>&lt;p&gt;{words}&lt;/p&gt;"
            "</description></item></channel></rss>").encode()
    services.ingest_bytes(warm, agency=services.agency_ensure(code="WARM"), source="warm-up")
    created = 0
    for number, (code, data_bytes) in enumerate(documents[:count]):
        report = services.ingest_bytes(data_bytes, agency=agencies[code],
                                       source=f"bench-{number}")
        assert not report.errors, report.errors[:3]
        created += report.created
    return {"created": created}


def _parse(documents: list[tuple[str, bytes]], count: int) -> dict:
    import feedparser

    feedparser.parse(documents[0][1])  # its modules loaded in both runs alike
    return {"entries": sum(len(feedparser.parse(d).entries) for _c, d in documents[:count])}


def _child(src: str, data_dir: str, under: list[str], *args: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "WIREDESK_BROKER_URL")}
    env.update(PYTHONPATH=src, WIREDESK_DATA_DIR=data_dir, PYTHONHASHSEED="0",
               WIREDESK_INTELLIGENCE="deferred",
               WIREDESK_SECRET_KEY="benchmark-secret-key-0123456789-abcdefghijklmnop")
    return child_json([*under, sys.executable, __file__, *args], env)


def _counted(src: str, template: Path, work: Path, *args: str) -> tuple[int, dict]:
    data_dir = work / "data"
    shutil.rmtree(data_dir, ignore_errors=True)
    shutil.copytree(template, data_dir)
    out = work / "callgrind.out"
    result = _child(src, str(data_dir), ["valgrind", "--tool=callgrind",
                                         f"--callgrind-out-file={out}"], *args)
    totals = [line for line in out.read_text().splitlines()
              if line.startswith(("totals:", "summary:"))]
    out.unlink()
    return int(totals[0].split()[1]), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--ref", default="", help="another tree's src/ to count beside this one")
    parser.add_argument("--skip", type=int, default=4, help="documents stored before")
    parser.add_argument("--measure", type=int, default=6, help="documents counted")
    parser.add_argument("--output", default="store_instructions")
    parser.add_argument("--child", default="")
    args = parser.parse_args(argv)
    documents = _documents(args.data.resolve())
    if args.child:
        kind, count = args.child.split(":")
        work = {"setup": lambda: _setup(documents),
                "store": lambda: _store(documents, int(count)),
                "parse": lambda: _parse(documents, int(count))}[kind]
        print(json.dumps(work() or {}))
        return 0
    this_src = str(ROOT / "src")
    trees = [("this tree", this_src)] + ([("reference", args.ref)] if args.ref else [])
    before, after = args.skip, args.skip + args.measure
    rows = []
    with tempfile.TemporaryDirectory(prefix="wd-store-instr-") as tmp:
        work = Path(tmp)
        (work / "empty").mkdir()
        feed_runs = [_counted(this_src, work / "empty", work, "--data", str(args.data),
                              "--child", f"parse:{n}") for n in (before, after)]
        items = feed_runs[1][1]["entries"] - feed_runs[0][1]["entries"]
        feedparser_per_item = (feed_runs[1][0] - feed_runs[0][0]) / items
        for label, src in trees:
            template = work / f"template-{len(rows)}"
            template.mkdir()
            _child(src, str(template), [], "--data", str(args.data), "--child", "setup:0")
            counts = [_counted(src, template, work, "--data", str(args.data), "--child",
                               f"store:{n}") for n in (before, after)]
            created = counts[1][1]["created"] - counts[0][1]["created"]
            per_item = (counts[1][0] - counts[0][0]) / created
            rows.append({"tree": label, "src": src, "items": created,
                         "instructions_per_item": round(per_item),
                         "feedparser_instructions_per_item": round(feedparser_per_item),
                         "vs_feedparser": feedparser_per_item / per_item})
    for row in rows:
        print(f"{row['tree']:<12} {row['items']:>5} items  {row['instructions_per_item']:>12,}"
              f" instructions per item  feedparser {row['feedparser_instructions_per_item']:,}"
              f"  ratio {row['vs_feedparser']:.4f}")
    if len(rows) == 2:
        print(f"this tree / reference: "
              f"{rows[0]['instructions_per_item'] / rows[1]['instructions_per_item']:.4f}")
    out = ROOT / "benchmarks" / "results" / f"{args.output}.json"
    out.write_text(json.dumps({"skip": before, "measure": args.measure, "items": items,
                               "rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
