"""The intelligence stage alone (``WIREDESK_INTELLIGENCE=deferred``), this tree against a
reference commit, on the same stored burst, measured alternately in one run.

    .venv/bin/python benchmarks/enrich_stage.py --ref eec40c1~1 [--total 600] [--rounds 2]
        [--pg postgres://postgres@127.0.0.1:5432/postgres]

A burst of distinct real items (``_corpus``: bbc_news, ag_news and ecb_plus texts, 10%
re-sent by another agency, as ``benchmarks/ingest.py --corpus real``) is stored once by
this tree with the stage deferred; then each round copies that database (SQLite: the data
directory; PostgreSQL: a database made from it as a template) and runs ``enrich_due`` over
the whole burst, first with this tree, then with the reference commit (checked out into a
temporary git worktree, imported through PYTHONPATH, same virtualenv). Figures per run:
items per CPU second of the process (on SQLite the database works in it too), queries per
item, lag p50/p99. Each run's copy is first migrated to its tree's schema (the reference's
last migrations, undone by this tree where it has newer ones: a trigger the reference never
had is not its cost). Every run's decisions (each article's story, copy, section and flags,
the SEE ALSO rows, tags, story terms, stories) must be identical to the first run's: the
benchmark stops otherwise.

The tail of a large burst, where the window is full and an item costs the most:

    .venv/bin/python benchmarks/enrich_stage.py --total 10000 --warm 8000 --measure 500 \
        [--ref COMMIT] [--rounds 3] [--steps]

``--warm N``: the stored burst's first N items are enriched once, into the base copy every
run starts from; ``--measure M``: each run then enriches 25 items untimed (the process's
own caches warm, as a stage that has been running) and times the next M. ``--ref`` is
optional: without it only this tree is measured. ``--steps``: CPU seconds per item of each
step of the story intelligence (the outermost step counts, so none is counted twice), and
of the statements (reads and writes apart), on this tree's runs and the reference's alike.

Instructions instead of seconds, where CPU time is too noisy to tell a few percent apart
(a shared 2-core machine: the same tree measured 50 to 66 items per CPU second):

    .venv/bin/python benchmarks/enrich_stage.py --total 10000 --warm 8000 --measure 150 \
        --instructions 100 [--ref COMMIT] --rounds 1

``--instructions N``: each tree's stage runs twice under valgrind's callgrind (the Python
interpreter's instructions, counted exactly, whatever else the machine runs), once over
``measure - N`` items and once over ``measure``; the difference over N is the instructions
per item of the last N items, the process's start, warm-up and closing reads cancelled out.
PYTHONHASHSEED=0 in both, so that set and dict orders are the same run to run. Slow (about
fifty times the plain run): keep N around a hundred.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from _common import child_json, server_cpu

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
BASE_DB, RUN_DB = "wd_bench_stage_base", "wd_bench_stage_run"


def _env(src: Path, data_dir: str, database_url: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({"PYTHONPATH": str(src), "WIREDESK_DATA_DIR": data_dir,
                "WIREDESK_INTELLIGENCE": "deferred", "WIREDESK_LOG_LEVEL": "WARNING",
                "DJANGO_SETTINGS_MODULE": "wiredesk.settings",
                "WIREDESK_SECRET_KEY": "benchmark-secret-key-0123456789-0123456789"})
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def child_store(data: Path, total: int, warm: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    sys.path.insert(0, str(HERE))
    import ingest as bench
    from wiredesk.editions.services import edition_save
    from wiredesk.newsroom import services
    from wiredesk.newsroom.services import enrichment

    for slug in ("world", "politics", "business", "sport", "technology", "entertainment"):
        services.section_ensure(slug=slug, name=slug.title())
    edition_save(name="Chile Sun", time_zone="Australia/Sydney")
    edition_save(name="Euro Ledger", time_zone="Europe/Paris", sections=["world", "business"])
    documents = bench.documents_for("real", data, total, 50, 0.10)
    agencies = {code: services.agency_ensure(code=code, time_zone="UTC")
                for code in dict(documents)}
    enrichment.after_document = lambda: None  # the stage runs later, measured on its own
    for number, (code, body) in enumerate(documents):
        services.ingest_bytes(body, agency=agencies[code], source=f"bench-{number}")
    if warm:
        enrichment.enrich_due(limit=warm)
    return {"due": enrichment.backlog()}


# The steps of story intelligence ``--steps`` times, by module and name: each call's CPU is
# counted to its step unless a step is already running (a merge inside a join counts to
# the join), so the figures add up to no more than the whole.
STEPS = (("wiredesk.newsroom.intelligence.enrich", "_rank_related", "SEE ALSO rankings"),
         ("wiredesk.newsroom.intelligence.enrich", "assign_story", "joining a story"),
         ("wiredesk.newsroom.intelligence.enrich", "split_if_blended", "blend check"),
         ("wiredesk.newsroom.intelligence.enrich", "merge_fragment", "merging fragments"),
         ("wiredesk.newsroom.intelligence.enrich", "_find_duplicate", "copy check"),
         ("wiredesk.newsroom.intelligence.enrich", "_store_tags", "tags"),
         ("wiredesk.newsroom.intelligence.enrich", "_store_signature", "signature"),
         ("wiredesk.newsroom.intelligence.enrich", "predict_section", "section"))


def _time_steps() -> dict[str, float]:
    import importlib
    import time

    spent: dict[str, float] = {}
    running = [False]

    def timed(label, func):
        def call(*args, **kwargs):
            if running[0]:
                return func(*args, **kwargs)
            running[0], began = True, time.process_time()
            try:
                return func(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.process_time() - began
                running[0] = False
        return call

    for module_name, name, label in STEPS:
        module = importlib.import_module(module_name)
        if hasattr(module, name):  # a reference commit may not have every step
            setattr(module, name, timed(label, getattr(module, name)))
    return spent


def child_stage(measure: int | None, steps: bool) -> dict:
    import resource
    import time

    import django

    django.setup()
    from django.db import connection

    from wiredesk.newsroom.models import Article, ArticleTag, RelatedStory, Story, StoryTerm
    from wiredesk.newsroom.services import enrichment

    if measure:
        enrichment.enrich_due(limit=25)  # untimed: the process's caches warm
    spent = _time_steps() if steps else {}
    queries, statements = [0], {"reads": 0.0, "writes": 0.0}

    def count(execute, sql, params, many, context):
        queries[0] += 1
        if not steps:
            return execute(sql, params, many, context)
        began = time.process_time()
        try:
            return execute(sql, params, many, context)
        finally:
            # Reads: SELECTs; the rest writes (savepoints and the lock's statements with them).
            kind = "reads" if sql.lstrip()[:6].upper() == "SELECT" else "writes"
            statements[kind] += time.process_time() - began

    server = server_cpu(connection)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu, wall = time.process_time(), time.perf_counter()
    with connection.execute_wrapper(count):
        run = enrichment.enrich_due(limit=measure)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_SELF)
    # The kernel's share apart: SQLite's reads of pages its own cache does not hold are
    # system time (the page cache's copies), which instructions counted in the process
    # (``--instructions``) leave out.
    user, system = after.ru_utime - usage.ru_utime, after.ru_stime - usage.ru_stime
    server = server_cpu(connection) - server
    decisions = {
        "articles": list(Article.objects.order_by("id").values_list(
            "id", "story_id", "duplicate_of_id", "section_id", "flags")),
        "related": sorted(RelatedStory.objects.values_list("article_id", "story_id", "score")),
        "tags": sorted(ArticleTag.objects.values_list("article_id", "tag__key", "position")),
        "terms": sorted((t, s, w.isoformat()) for t, s, w in
                        StoryTerm.objects.values_list("term", "story_id", "last_published_at")),
        "stories": sorted((i, h, n, r) for i, h, n, r in Story.objects.values_list(
            "id", "headline", "size", "representative_id")),
    }
    lags = sorted(run.lags)
    return {"enriched": run.enriched, "cpu_seconds": cpu, "wall_seconds": wall,
            "user_seconds": user, "system_seconds": system,
            # PostgreSQL on this machine: the CPU of the stage's server process too, and
            # the items per CPU second of both (on SQLite the database works in the stage).
            "server_cpu_seconds": server,
            "items_per_cpu_s_with_server": run.enriched / (cpu + server),
            "items_per_cpu_s": run.enriched / cpu, "queries_per_item":
            queries[0] / max(run.enriched, 1),
            # With ``--measure`` the items were stored long before the run: no lag to tell.
            "lag_p50_s": 0.0 if measure else lags[len(lags) // 2],
            "lag_p99_s": 0.0 if measure else lags[int(len(lags) * 0.99)],
            "copies": sum(1 for row in decisions["articles"] if row[2] is not None),
            "stories": len(decisions["stories"]),
            **({"cpu_ms_per_item": {"all": 1000 * cpu / max(run.enriched, 1),
                                    "statements": 1000 * sum(statements.values())
                                    / max(run.enriched, 1),
                                    **{f"statements: {kind}": 1000 * seconds
                                       / max(run.enriched, 1)
                                       for kind, seconds in statements.items()},
                                    **{label: 1000 * seconds / max(run.enriched, 1)
                                       for label, seconds in spent.items()}}}
               if steps else {}),
            "decisions": json.dumps(decisions, sort_keys=True, default=str)}


def _child(src: Path, data_dir: str, database_url: str | None, *args: str,
           under: Sequence[str] = (), extra_env: dict | None = None) -> dict:
    env = {**_env(src, data_dir, database_url), **(extra_env or {})}
    return child_json([*under, sys.executable, __file__, *args], env)


def _instructions(src: Path, data_dir: str, database_url: str | None, work: Path,
                  *args: str) -> tuple[int, dict]:
    """The child run under callgrind: (instructions it executed, its result)."""
    out = work / "callgrind.out"
    result = _child(src, data_dir, database_url, *args,
                    under=["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"],
                    extra_env={"PYTHONHASHSEED": "0"})
    totals = [line for line in out.read_text().splitlines()
              if line.startswith(("totals:", "summary:"))]
    out.unlink()
    return int(totals[0].split()[1]), result


def child_schema(targets: list[str]) -> dict:
    """Migrate the copy to a tree's schema: forward for this tree, back to the reference's
    last migration of each app given as ``app:name`` (run by this tree, which knows how to
    undo its own migrations), so that each tree runs on the schema it was written for (a
    trigger of a newer migration is not a cost of the reference)."""
    import django

    django.setup()
    from django.core.management import call_command

    if not targets:
        call_command("migrate", interactive=False, verbosity=0)
    for target in targets:  # never forward first: undoing a migration may rebuild a table
        app, name = target.split(":", 1)
        call_command("migrate", app, name, interactive=False, verbosity=0)
    return {"migrated": targets}


def _last_migrations(src: Path) -> dict[str, str]:
    """Each app's last migration in a tree (by its file name)."""
    last = {}
    for folder in sorted((src / "wiredesk").glob("*/migrations")):
        names = sorted(p.stem for p in folder.glob("[0-9]*.py"))
        if names:
            last[folder.parent.name] = names[-1]
    return last


def _schema_targets(src: Path) -> list[str]:
    """``app:name`` for each app whose last migration in ``src`` is older than this
    tree's (empty for this tree)."""
    mine, theirs = _last_migrations(ROOT / "src"), _last_migrations(src)
    return [f"{app}:{name}" for app, name in theirs.items() if mine.get(app) != name]


def _to_schema(src: Path, copy: Path, run_url: str | None) -> None:
    _child(ROOT / "src", str(copy), run_url, "--child", "schema",
           "--targets", *_schema_targets(src))


def _pg(url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def _pg_exists(url: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                            [name]).fetchone() is not None


def _counted(args, src: Path, copy: Path, base: Path, run_url: str | None, work: Path,
             steps: list[str]) -> dict:
    """One tree's instructions per item (``--instructions``): the stage over ``measure - N``
    items, then, on a fresh copy, over ``measure``; the result is the longer run's."""
    shorter = work / "shorter"
    shutil.copytree(base, shorter)
    if args.pg:
        _pg(args.pg, f"DROP DATABASE IF EXISTS {RUN_DB}",
            f"CREATE DATABASE {RUN_DB} TEMPLATE {BASE_DB}")
    _to_schema(src, shorter, run_url)
    fewer, _ = _instructions(src, str(shorter), run_url, work, "--child", "stage", "--measure",
                             str(args.measure - args.instructions), *steps)
    shutil.rmtree(shorter, ignore_errors=True)
    if args.pg:
        _pg(args.pg, f"DROP DATABASE IF EXISTS {RUN_DB}",
            f"CREATE DATABASE {RUN_DB} TEMPLATE {BASE_DB}")
    _to_schema(src, copy, run_url)
    more, result = _instructions(src, str(copy), run_url, work, "--child", "stage",
                                 "--measure", str(args.measure), *steps)
    result["instructions_per_item"] = (more - fewer) / args.instructions
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ref", help="a reference commit, measured alternately (optional)")
    parser.add_argument("--total", type=int, default=600)
    parser.add_argument("--warm", type=int, default=0,
                        help="enrich the burst's first N items into the base copy, untimed")
    parser.add_argument("--measure", type=int, default=None,
                        help="time only the next M items (after 25 untimed)")
    parser.add_argument("--steps", action="store_true",
                        help="CPU per item of each step and of the statements (both trees)")
    parser.add_argument("--instructions", type=int, default=None,
                        help="count instructions per item of the measured run's last N"
                             " items under callgrind (needs --measure)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--pg", help="PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--base", type=Path,
                        help="SQLite: keep the stored burst in this directory and start from"
                             " it when it is there (--total, --warm and --data then unused)")
    parser.add_argument("--keep-base", action="store_true",
                        help=f"PostgreSQL: keep the stored burst in"
                             f" database {BASE_DB} and start from it when it is there")
    parser.add_argument("--output", default="enrich_stage.json")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--targets", nargs="*", default=[], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.base and args.pg:
        parser.error("--base keeps a SQLite burst only (--keep-base: PostgreSQL's)")
    if args.instructions and not (args.measure and args.instructions < args.measure):
        parser.error("--instructions N needs --measure M with N < M")
    if args.child == "store":
        print(json.dumps(child_store(args.data, args.total, args.warm)))
        return 0
    if args.child == "stage":
        print(json.dumps(child_stage(args.measure, args.steps)))
        return 0
    if args.child == "schema":
        print(json.dumps(child_schema(args.targets)))
        return 0

    work = Path(tempfile.mkdtemp(prefix="wd-bench-stage-"))
    trees = [("this tree", ROOT / "src")]
    ref = None
    if args.ref:
        ref = subprocess.run(["git", "rev-parse", "--short", args.ref], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.strip()
        subprocess.run(["git", "worktree", "add", "--detach", str(work / "ref"), ref],
                       cwd=ROOT, check=True, capture_output=True)
        trees.append((f"ref {ref}", work / "ref" / "src"))
    base_url = run_url = None
    kept_pg_base = bool(args.pg and args.keep_base and _pg_exists(args.pg, BASE_DB))
    if args.pg:
        server = args.pg.rsplit("/", 1)[0]
        base_url, run_url = f"{server}/{BASE_DB}", f"{server}/{RUN_DB}"
        if kept_pg_base:
            print(f"the stored burst in database {BASE_DB}, as an earlier run left it",
                  file=sys.stderr)
        else:
            _pg(args.pg, f"DROP DATABASE IF EXISTS {BASE_DB}", f"CREATE DATABASE {BASE_DB}")
    stage_args = ["--child", "stage"]
    if args.measure:
        stage_args += ["--measure", str(args.measure)]
    try:
        base = args.base or work / "base"
        if args.base and (base / "wiredesk.sqlite3").exists():
            print(f"the stored burst in {base}, as an earlier run left it", file=sys.stderr)
        elif kept_pg_base:
            base.mkdir(parents=True, exist_ok=True)
        else:
            base.mkdir(parents=True, exist_ok=True)
            stored = _child(ROOT / "src", str(base), base_url, "--child", "store",
                            "--total", str(args.total), "--warm", str(args.warm),
                            "--data", str(args.data))
            print(f"stored {stored['due']} articles due for the stage", file=sys.stderr)
            if args.pg:
                # As autovacuum leaves a live database (the test server here runs with it
                # off): without statistics the planner read SEE ALSO's rows by a sequential
                # scan, and the server's CPU an item was half as much again.
                _pg(base_url, "VACUUM ANALYZE")
        runs: dict[str, list[dict]] = {label: [] for label, _src in trees}
        first_decisions = None
        for round_no in range(args.rounds):
            for label, src in trees:
                copy = work / f"run-{round_no}-{len(runs[label])}-{label[:4]}"
                shutil.copytree(base, copy)
                if args.pg:
                    _pg(args.pg, f"DROP DATABASE IF EXISTS {RUN_DB}",
                        f"CREATE DATABASE {RUN_DB} TEMPLATE {BASE_DB}")
                # Both trees timed by step alike (the same wrappers' cost in each run).
                steps = ["--steps"] if args.steps else []
                if args.instructions:
                    result = _counted(args, src, copy, base, run_url, work, steps)
                else:
                    _to_schema(src, copy, run_url)
                    result = _child(src, str(copy), run_url, *stage_args, *steps)
                shutil.rmtree(copy, ignore_errors=True)
                decisions = result.pop("decisions")
                first_decisions = first_decisions or decisions
                if decisions != first_decisions:
                    raise SystemExit(f"{label}: decisions differ from the first run's")
                runs[label].append(result)
                counted = (f", {result['instructions_per_item'] / 1e6:.2f} M instructions"
                           " per item" if args.instructions else "")
                with_server = (f" ({result['items_per_cpu_s_with_server']:.1f} with the"
                               " server's)" if args.pg else "")
                print(f"  round {round_no + 1} {label}: "
                      f"{result['items_per_cpu_s']:.1f} items per CPU s{with_server}{counted}",
                      file=sys.stderr)
    finally:
        if ref:
            subprocess.run(["git", "worktree", "remove", "--force", str(work / "ref")],
                           cwd=ROOT, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
        if args.pg:
            _pg(args.pg, f"DROP DATABASE IF EXISTS {RUN_DB}",
                *([] if args.keep_base else [f"DROP DATABASE IF EXISTS {BASE_DB}"]))

    summary = {label: {key: statistics.median(r[key] for r in rows) for key in rows[0]
                       if isinstance(rows[0][key], (int, float))}
               for label, rows in runs.items()}
    report = {"database": "postgresql" if args.pg else "sqlite", "total": args.total,
              "warm": args.warm, "measure": args.measure, "rounds": args.rounds, "ref": ref,
              "runs": runs, "median": summary, "decisions_identical": True,
              "load_average": os.getloadavg()}
    print("| tree | items per CPU s | CPU ms per item | queries per item | lag p50 (s) |"
          " lag p99 (s) | copies | stories |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, row in summary.items():
        print(f"| {label} | {row['items_per_cpu_s']:.1f} |"
              f" {1000 * row['cpu_seconds'] / max(row['enriched'], 1):.1f} |"
              f" {row['queries_per_item']:.1f} | {row['lag_p50_s']:.1f} |"
              f" {row['lag_p99_s']:.1f} | {row['copies']:.0f} | {row['stories']:.0f} |")
    if args.instructions:
        report["instructions_per_item"] = {label: row["instructions_per_item"]
                                           for label, row in summary.items()}
        for label, row in summary.items():
            print(f"{label}: {row['instructions_per_item'] / 1e6:.2f} M instructions per item"
                  f" (last {args.instructions} of {args.measure})")
    if ref:
        mine, theirs = summary["this tree"], summary[f"ref {ref}"]
        report["speedup_items_per_cpu_s"] = mine["items_per_cpu_s"] / theirs["items_per_cpu_s"]
        if args.instructions:
            report["instructions_ratio"] = (mine["instructions_per_item"]
                                            / theirs["instructions_per_item"])
            print(f"this tree / ref: {report['instructions_ratio']:.3f}x instructions per item")
        if args.pg:
            report["speedup_with_server"] = (mine["items_per_cpu_s_with_server"]
                                             / theirs["items_per_cpu_s_with_server"])
            print(f"this tree / ref, the server's CPU counted: "
                  f"{report['speedup_with_server']:.2f}x items per CPU second")
        print(f"this tree / ref: {report['speedup_items_per_cpu_s']:.2f}x items per CPU"
              " second; decisions identical in every run")
    if args.steps:
        for label, rows in runs.items():
            parts = [r["cpu_ms_per_item"] for r in rows]
            steps = {key: statistics.median(p[key] for p in parts) for key in parts[0]}
            if label == "this tree":
                report["cpu_ms_per_item"] = steps
            else:
                report["ref_cpu_ms_per_item"] = steps
            print(f"CPU ms per item ({label}, median of its runs): " + ", ".join(
                f"{key} {value:.2f}" for key, value in steps.items()))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / args.output).write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
