"""CPU a digest message costs on PostgreSQL: the sender's own and its database backend's.

On a shared machine the wall-clock ratio to a bare ``smtplib`` loop (``digest.py``) moves
with whatever else runs; the CPU each side spends per message moves much less. This sends
N messages in rounds of 400 (each a fresh ``send_pending``), alternated with the bare loop
over the same pipelined sink as ``digest.py``, and reports per message: wall time of
both, the sender's CPU (``getrusage``) and its PostgreSQL backend's (``/proc``, so the
server must run on this machine), with ``--statements`` the backend's CPU by statement
(sampled at the kernel's tick: read it over thousands of messages).

    PYTHONPATH=src .venv/bin/python benchmarks/digest_cpu.py --subscribers 4000 \\
        --pg postgres://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import smtplib
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=4000)
    parser.add_argument("--pg", required=True, metavar="URL")
    parser.add_argument("--statements", action="store_true")
    parser.add_argument("--output", default=str(ROOT / "benchmarks/results/digest_cpu.json"))
    args = parser.parse_args()
    spec = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks/digest.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    sink, port, _counter = bench.start_sink(pipelining=True)
    os.environ.update(WIREDESK_DATA_DIR=tempfile.mkdtemp(prefix="wiredesk-bench-cpu-"),
                      EMAIL_URL=f"smtp://127.0.0.1:{port}", WIREDESK_DIGEST_RATE_PER_SECOND="0",
                      WIREDESK_DIGEST_RATE_PER_HOUR="0", WIREDESK_LOG_LEVEL="WARNING",
                      WIREDESK_BASE_URL="https://news.example",
                      WIREDESK_FROM_EMAIL="Desk <desk@news.example>",
                      WIREDESK_SECRET_KEY="benchmark-secret-key-0123456789-abcdefghij")
    import psycopg

    with psycopg.connect(args.pg, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS wd_bench_digest")
        conn.execute("CREATE DATABASE wd_bench_digest")
    os.environ["DATABASE_URL"] = args.pg.rsplit("/", 1)[0] + "/wd_bench_digest"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiredesk.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from wiredesk.digest.sending import send_pending
    from wiredesk.digest.services import digest_plan
    from wiredesk.digest.transport import SmtpTransport

    n = args.subscribers
    edition = bench.setup_instance(20)
    bench.add_subscribers(edition, n)
    digest_plan(force=True)
    connection.ensure_connection()

    def backend_cpu() -> float:
        pid = connection.connection.info.backend_pid
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def own_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    by_statement: dict[str, float] = defaultdict(float)

    def measured(execute, sql, params, many, context):
        before = backend_cpu()
        try:
            return execute(sql, params, many, context)
        finally:
            by_statement[" ".join(sql.split()[:6])[:80]] += backend_cpu() - before

    wall = {"bare": 0.0, "ours": 0.0}
    cpu = {"bare": 0.0, "ours": 0.0, "server": 0.0}
    done = 0
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        while done < n:
            size = min(400, n - done)
            messages = bench.prebuilt_messages(edition, size, first=done)
            cpu_before, started = own_cpu(), time.perf_counter()
            for recipient, data in messages:
                smtp.sendmail("desk@news.example", [recipient], data)
            wall["bare"] += time.perf_counter() - started
            cpu["bare"] += own_cpu() - cpu_before
            server_before, cpu_before, started = backend_cpu(), own_cpu(), time.perf_counter()
            transport = SmtpTransport(
                host="127.0.0.1", port=port,
                per_connection=settings.WIREDESK_DIGEST_MESSAGES_PER_CONNECTION)
            if args.statements:
                with connection.execute_wrapper(measured):
                    report = send_pending(max_messages=size, transport=transport)
            else:
                report = send_pending(max_messages=size, transport=transport)
            wall["ours"] += time.perf_counter() - started
            cpu["ours"] += own_cpu() - cpu_before
            cpu["server"] += backend_cpu() - server_before
            assert report.sent == size, report
            done += size
    sink.terminate()

    def us(seconds: float) -> int:
        return round(seconds / n * 1e6)

    result = {"subscribers": n, "ratio_send_to_bare": round(wall["bare"] / wall["ours"], 3),
              "bare_wall_us": us(wall["bare"]), "ours_wall_us": us(wall["ours"]),
              "bare_sender_cpu_us": us(cpu["bare"]), "ours_sender_cpu_us": us(cpu["ours"]),
              "ours_server_cpu_us": us(cpu["server"]),
              "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()]}
    if args.statements:
        result["server_cpu_us_by_statement"] = {
            sql: us(seconds) for sql, seconds in
            sorted(by_statement.items(), key=lambda item: -item[1]) if seconds}
    print(json.dumps(result, indent=2))
    Path(args.output).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
