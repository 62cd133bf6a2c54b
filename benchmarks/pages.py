"""Requests per second and CPU per request for an article page, uncached and from the page
cache, as a ratio to the same gunicorn serving the same bytes from a trivial WSGI app.

    .venv/bin/python benchmarks/pages.py [--seconds 10] [--connections 16]

Builds an instance with 60 wire items in a temporary directory, then starts gunicorn
four times with identical options (2 workers, gthread, 4 threads, no access log) on
loopback: wiredesk with the page cache off, with it on (the WSGI application, whose
layer in front of Django answers cache hits, and Django's own application alone), and
benchmarks/_same_bytes_app.py returning the article page's bytes. Load comes from wrk
(apt-get install wrk) on loopback. CPU is the user+system time of the gunicorn master and
workers over the run, from /proc.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
RESULTS = HERE / "results"
GUNICORN_OPTIONS = ["--workers", "2", "--worker-class", "gthread", "--threads", "4",
                    "--log-level", "warning"]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def sample_feed(items: int) -> str:
    """An RSS feed of wire-like items: a headline, a dateline lead, eight paragraphs."""
    paragraph = ("Officials said on Friday that talks would continue next week, after a "
                 "day of meetings that ended without agreement on the main points. ")
    entries = []
    for n in range(items):
        body = "".join(f"<p>{paragraph * 2}Paragraph {i} of item {n}.</p>" for i in range(8))
        entries.append(
            f"<item><title>Ministers meet for talks on regional trade, round {n}</title>"
            f"<guid isPermaLink=\"false\">bench-{n}</guid>"
            f"<link>https://wire.example.org/bench-{n}</link><category>World</category>"
            f"<pubDate>Fri, 11 Jul 2025 {n % 24:02d}:{n % 60:02d}:00 GMT</pubDate>"
            f"<description><![CDATA[<p>BRUSSELS, July 11 (RFE) -- {paragraph}</p>{body}]]>"
            "</description></item>")
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            "<title>Bench wire</title><link>https://wire.example.org/</link>"
            "<description>bench</description>" + "".join(entries) + "</channel></rss>")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tree_cpu_seconds(pid: int) -> float:
    """user+system seconds of a process and its live children (gunicorn workers)."""
    total = 0.0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return total


def wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited early ({process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                response.read()
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("server did not start")


def run_wrk(url: str, seconds: int, connections: int,
            extra: list[str] | None = None) -> tuple[float, int]:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency",
                          *(extra or []), url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    if "Non-2xx" in out:
        raise SystemExit("non-2xx answers under load:\n" + out)
    return rps, total


def measure(name: str, command: list[str], env: dict, url_path: str, seconds: int,
            connections: int) -> dict:
    port = free_port()
    process = subprocess.Popen([*command, "--bind", f"127.0.0.1:{port}"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}{url_path}"
        wait_until_up(url, process)
        run_wrk(url, 2, connections)  # warm-up: imports, connections, caches
        cpu_before = tree_cpu_seconds(process.pid)
        rps, total = run_wrk(url, seconds, connections)
        cpu = tree_cpu_seconds(process.pid) - cpu_before
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    row = {"name": name, "requests_per_second": rps, "requests": total,
           "cpu_ms_per_request": 1000 * cpu / max(1, total)}
    print(f"  {name}: {rps:.0f} req/s, {row['cpu_ms_per_request']:.2f} ms CPU/request",
          file=sys.stderr)
    return row


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--output", default=str(RESULTS / "pages.json"))
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    with tempfile.TemporaryDirectory(prefix="wd-bench-pages-") as data_dir:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env.update({"WIREDESK_DATA_DIR": data_dir, "WIREDESK_SCHEDULER": "false",
                    "WIREDESK_SECRET_KEY": "benchmark-secret-key-0123456789-0123456789",
                    # Keep a PYTHONPATH the caller set (against_commit.py points it at
                    # another tree's src/), with this folder for the reference app.
                    "PYTHONPATH": os.pathsep.join(
                        p for p in (str(HERE), os.environ.get("PYTHONPATH", "")) if p)})
        feed = Path(data_dir) / "wire.rss"
        feed.write_text(sample_feed(60), encoding="utf-8")
        for command in (["ingest", str(feed), "--agency", "RFE"],
                        ["edition", "add", "--name", "Chile Sun", "--timezone",
                         "Australia/Sydney", "--host", "chilesun.localhost"]):
            subprocess.run([str(BIN / "wiredesk"), *command], env=env, check=True,
                           capture_output=True)
        subprocess.run([str(BIN / "wiredesk"), "collectstatic", "--noinput"], env=env,
                       check=True, capture_output=True)
        shell = subprocess.run(
            [str(BIN / "wiredesk"), "shell", "-c",
             "from wiredesk.newsroom.models import Article; "
             "a = Article.objects.filter(placements__edition__slug='chile-sun').first(); "
             "print('PATH', f'/chile-sun/news/{a.pk}/{a.slug}')"],
            env=env, check=True, capture_output=True, text=True).stdout
        url_path = re.search(r"PATH (\S+)", shell).group(1)
        body_file = Path(data_dir) / "page.html"
        gunicorn = str(BIN / "gunicorn")
        wiredesk_cmd = [gunicorn, *GUNICORN_OPTIONS, "wiredesk.wsgi:application"]
        # the reference serves exactly the bytes of the article page
        port = free_port()
        probe = subprocess.Popen([*wiredesk_cmd, "--bind", f"127.0.0.1:{port}"], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 start_new_session=True)
        try:
            wait_until_up(f"http://127.0.0.1:{port}{url_path}", probe)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{url_path}") as response:
                page_bytes = response.read()
            body_file.write_bytes(page_bytes)
        finally:
            os.killpg(probe.pid, signal.SIGTERM)
            probe.wait(timeout=30)
        rows = [
            measure("same bytes, trivial WSGI app (reference)",
                    [gunicorn, *GUNICORN_OPTIONS, "_same_bytes_app:app"],
                    {**env, "WD_BENCH_BODY": str(body_file)}, url_path, args.seconds,
                    args.connections),
            measure("article page, cached (answered before Django)", wiredesk_cmd,
                    {**env, "WIREDESK_PAGE_CACHE": "true"}, url_path, args.seconds,
                    args.connections),
            measure("article page, cached, through Django's middleware",
                    [gunicorn, *GUNICORN_OPTIONS, "wiredesk.wsgi:django_application"],
                    {**env, "WIREDESK_PAGE_CACHE": "true"}, url_path, args.seconds,
                    args.connections),
            measure("article page, uncached", wiredesk_cmd,
                    {**env, "WIREDESK_PAGE_CACHE": "false"}, url_path, args.seconds,
                    args.connections),
        ]
    reference = rows[0]
    for row in rows:
        row["rps_ratio_to_reference"] = row["requests_per_second"] / \
            reference["requests_per_second"]
        row["cpu_ratio_to_reference"] = row["cpu_ms_per_request"] / \
            reference["cpu_ms_per_request"]
    report = {"page": url_path, "bytes": len(page_bytes),
              "seconds": args.seconds, "connections": args.connections, "rows": rows}
    print("| server | req/s | CPU ms/request | req/s vs reference | CPU vs reference |")
    print("|---|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['name']} | {row['requests_per_second']:.0f} | "
              f"{row['cpu_ms_per_request']:.2f} | {row['rps_ratio_to_reference']:.2f} | "
              f"{row['cpu_ratio_to_reference']:.1f}x |")
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
