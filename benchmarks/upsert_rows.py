"""The stage's batch upsert of term counts on PostgreSQL: one multi-row VALUES against one
array per column unnested (``newsroom.intelligence.tables.insert_rows``), in one run.

A fresh database is migrated and its term-frequency table filled with the document counts
of the real corpus's first ``--stored`` items (their similarity features' terms, as the
stage counts them). Then, batch after batch of ``--batch`` further items (the stage's
batch), the batch's distinct terms are upserted as the stage does at a batch's end
(``store._write_frequencies``) — once each way, alternating, each in a transaction rolled
back so both meet the same table — inside ``prepared_statements()`` as the stage's
batches run. Measured: this process's CPU and the server process's (from /proc), per
upsert; the ratio is unnest over VALUES.

    PYTHONPATH=src .venv/bin/python benchmarks/upsert_rows.py --data ../shared/data \\
        [--pg postgres://postgres@127.0.0.1:5432/wd_upsert_bench] [--stored 8000] \\
        [--batch 25] [--batches 40] [--output upsert_rows]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import server_cpu  # noqa: E402

ROOT = HERE.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/wd_upsert_bench")
    parser.add_argument("--stored", type=int, default=8000)
    parser.add_argument("--batch", type=int, default=25)
    parser.add_argument("--batches", type=int, default=40)
    parser.add_argument("--output", default="upsert_rows")
    args = parser.parse_args(argv)
    from ingest import drop_pg, fresh_pg

    if not fresh_pg(args.pg):
        return 1
    os.environ["DATABASE_URL"] = args.pg
    os.environ["DJANGO_SETTINGS_MODULE"] = "wiredesk.settings"
    os.environ.setdefault("WIREDESK_DATA_DIR", str(Path("/tmp/wd-upsert-bench")))
    import django

    django.setup()
    try:
        return _run(args)
    finally:
        from django.db import connection

        connection.close()
        drop_pg(args.pg)


def _run(args) -> int:
    from django.core.management import call_command
    from django.db import connection, transaction

    import _corpus
    from wiredesk.core.prepared import prepared_statements
    from wiredesk.newsroom.intelligence import store, tables
    from wiredesk.newsroom.models import TermFrequency
    from wiredesk.wire.similarity.item_features import features

    call_command("migrate", interactive=False, verbosity=0)
    items = _corpus.items(args.data.resolve(), args.stored + args.batch * args.batches, 0.10)
    term_sets = [set(features(item.headline, "\n".join(item.paragraphs))[0].term_counts)
                 for item in items]
    documents = Counter(term[:40] for terms in term_sets[:args.stored] for term in terms)
    TermFrequency.objects.bulk_create([TermFrequency(term=t, documents=n)
                                       for t, n in documents.items()], batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE newsroom_termfrequency")
    plain = tables.insert_rows

    def values_only(cursor, head, rows, tail="", *, types=()):
        plain(cursor, head, rows, tail)

    ways = {"multi-row VALUES (reference)": values_only, "unnest arrays": plain}
    spent = {name: [0.0, 0.0] for name in ways}
    rows = 0
    for number in range(args.batches):
        start = args.stored + number * args.batch
        pending = Counter(t[:40] for terms in term_sets[start:start + args.batch]
                          for t in terms)
        pending[""] += args.batch
        rows += len(pending)
        order = list(ways) if number % 2 == 0 else list(reversed(ways))
        for name in order:
            tables.insert_rows = ways[name]
            try:
                with transaction.atomic(), prepared_statements():
                    server, cpu = server_cpu(connection), time.process_time()
                    store._write_frequencies(pending)
                    spent[name][0] += time.process_time() - cpu
                    spent[name][1] += server_cpu(connection) - server
                    transaction.set_rollback(True)
            finally:
                tables.insert_rows = plain
    result = {"stored_terms": len(documents), "batches": args.batches,
              "rows_per_upsert": rows / args.batches, "ways": {}}
    for name, (client, server) in spent.items():
        result["ways"][name] = {"client_ms_per_upsert": 1000 * client / args.batches,
                                "server_ms_per_upsert": 1000 * server / args.batches,
                                "both_ms_per_upsert": 1000 * (client + server) / args.batches}
    reference, arrays = (result["ways"][name]["both_ms_per_upsert"] for name in ways)
    result["unnest_vs_values"] = arrays / reference
    print(json.dumps(result, indent=2))
    out = Path(args.output if args.output.startswith("/") else
               ROOT / "benchmarks" / "results" / f"{args.output}.json")
    out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
