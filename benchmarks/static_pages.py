"""Static mode against nginx itself: CPU per request of nginx serving the article page
from `publish --static` as docs/static-mode.md configures it, as a ratio to the same nginx
serving the same bytes as a plain file with a bare configuration; and the product path
(gunicorn, the page answered before Django) beside them.

    .venv/bin/python benchmarks/static_pages.py [--rounds 8] [--seconds 5] [--connections 16]

Needs wrk and nginx (Debian: apt-get install -y wrk nginx-light
libnginx-mod-http-brotli-static); without them it says so and exits 0. Never part of
`make test`. The nginx configuration is read from docs/static-mode.md (the block between
the nginx-static-mode markers), with only its paths and ports changed.

The machine is shared, so the nginx rows are measured in rounds where every case runs
between two runs of the reference (reference, case, reference, next case, reference...;
the cases' order turned by one every round), and each figure is the median of its ratios
to the mean of the two reference runs around it, with the lowest and highest. (Until
2026-12-01 each case was compared with one reference run per round, the order reversed
every other round: the last case, the gzip answer, always ran twice in a row at the
rounds' boundary, three runs from its reference.) CPU is the time the nginx worker (one worker)
spent on a CPU over each wrk run, from /proc/PID/schedstat (nanoseconds, user+system); for
gunicorn, the user+system time of its master and workers.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pages import (
    BIN,
    GUNICORN_OPTIONS,
    HERE,
    RESULTS,
    free_port,
    run_wrk,
    sample_feed,
    tree_cpu_seconds,
    wait_until_up,
)

DOC = HERE.parent / "docs" / "static-mode.md"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
ENCODINGS = {"identity": None, "br": "br, gzip", "gzip": "gzip"}


def documented_server(root: Path, port: int, upstream: int) -> str:
    block = re.search(r"<!-- nginx-static-mode -->\s*```nginx\n(.*?)```", DOC.read_text(),
                      re.S).group(1)
    block = block.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};")
    block = block.replace("listen 80;", f"listen 127.0.0.1:{port};")
    block = block.replace("root /srv/wiredesk/www;", f"root {root};")
    if not BROTLI_MODULE.exists():
        block = block.replace("brotli_static on;", "")
    return block


def nginx_conf(prefix: Path, static_block: str, reference_root: Path, ref_port: int,
               static_root: Path, own_port: int, precompressed_port: int) -> str:
    load = f"load_module {BROTLI_MODULE};\n" if BROTLI_MODULE.exists() else ""
    return f"""{load}worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    # The reference: the same bytes as a plain file, nothing else.
    server {{
        listen 127.0.0.1:{ref_port};
        root {reference_root};
    }}
    # The same, serving the article's own file at its own depth (the static folder).
    server {{
        listen 127.0.0.1:{own_port};
        root {static_root};
    }}
    # The least nginx needs to answer gzip or Brotli from the prebuilt copies beside the
    # article: its file, at its depth, and the two modules that find the copies.
    server {{
        listen 127.0.0.1:{precompressed_port};
        root {static_root};
        gzip_static on;
        {"brotli_static on;" if BROTLI_MODULE.exists() else ""}
    }}
{static_block}
}}
"""


def worker_cpu_seconds(master: int) -> float:
    """Time nginx's workers spent on a CPU, in nanoseconds' resolution."""
    workers = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return sum(int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
               for pid in workers) / 1e9


def wrk_run(url: str, seconds: int, connections: int, encoding: str | None,
            cpu_seconds) -> tuple[float, int, float]:
    """(requests per second, requests, CPU microseconds per request) of one wrk run."""
    header = ["-H", f"Accept-Encoding: {encoding}"] if encoding else []
    before = cpu_seconds()
    rps, total = run_wrk(url, seconds, connections, header)
    return rps, total, 1e6 * (cpu_seconds() - before) / max(1, total)


def nginx_rounds(cases: list[tuple[str, str, str | None]], master: int, rounds: int,
                 seconds: int, connections: int) -> list[dict]:
    """Rounds over `cases` (the first is the reference). In each round every other case
    runs between two runs of the reference and is compared with their mean, so each
    figure is paired with the reference measured right before and right after it; the
    cases' order turns by one every round, so none always runs first or last."""
    cpu = lambda: worker_cpu_seconds(master)  # noqa: E731
    for _, url, encoding in cases:
        wrk_run(url, 2, connections, encoding, cpu)  # warm-up

    def run(case: int) -> tuple[float, int, float]:
        _, url, encoding = cases[case]
        return wrk_run(url, seconds, connections, encoding, cpu)

    runs: list[list[tuple[float, int, float]]] = [[] for _ in cases]
    ratios: list[list[float]] = [[] for _ in cases]
    others = list(range(1, len(cases)))
    for number in range(rounds):
        turn = number % len(others)
        before = run(0)
        runs[0].append(before)
        for case in others[turn:] + others[:turn]:
            measured = run(case)
            after = run(0)
            runs[0].append(after)
            runs[case].append(measured)
            ratios[case].append(measured[2] / ((before[2] + after[2]) / 2))
            before = after
    ratios[0] = [1.0] * rounds
    rows = []
    for (name, _, encoding), measured, case_ratios in zip(cases, runs, ratios, strict=True):
        row = {"name": name, "accept_encoding": encoding or "",
               "requests_per_second": statistics.median(r for r, _, _ in measured),
               "requests": sum(n for _, n, _ in measured),
               "cpu_us_per_request": statistics.median(us for _, _, us in measured),
               "cpu_ratio_to_reference": statistics.median(case_ratios),
               "cpu_ratio_lowest": min(case_ratios), "cpu_ratio_highest": max(case_ratios),
               "cpu_ratios_per_round": case_ratios}
        rows.append(row)
        print(f"  {name}, {encoding or '-'}: {row['cpu_us_per_request']:.1f} us CPU/request, "
              f"{row['cpu_ratio_to_reference']:.2f}x ({min(case_ratios):.2f}-"
              f"{max(case_ratios):.2f})", file=sys.stderr)
    return rows


def like_for_like(rows: list[dict], static: str, own: str, precompressed: str) -> None:
    """Each static-mode answer against the bare config answering the same request with
    the same bytes: the article's own file for a plain request, its prebuilt copy (found
    by gzip_static or brotli_static) for a compressed one. Per round, the two cases' ratios
    to the reference runs around them, divided; the median, lowest and highest."""
    by_key = {(row["name"], row["accept_encoding"]): row for row in rows}
    for row in rows:
        if row["name"] != static:
            continue
        coding = row["accept_encoding"]
        floor = by_key.get((precompressed if coding else own, coding))
        if floor is None:
            continue
        per_round = [a / b for a, b in zip(row["cpu_ratios_per_round"],
                                            floor["cpu_ratios_per_round"], strict=True)]
        row["like_for_like"] = {"reference": floor["name"],
                                "cpu_ratio": statistics.median(per_round),
                                "lowest": min(per_round), "highest": max(per_round),
                                "per_round": per_round}
        print(f"  {static}, {coding or '-'}, against {floor['name']}: "
              f"{row['like_for_like']['cpu_ratio']:.2f}x ({min(per_round):.2f}-"
              f"{max(per_round):.2f})", file=sys.stderr)


def gunicorn_row(name: str, pid: int, url: str, seconds: int, connections: int,
                 encoding: str | None, reference_us: float) -> dict:
    cpu = lambda: tree_cpu_seconds(pid)  # noqa: E731
    wrk_run(url, 2, connections, encoding, cpu)  # warm-up
    rps, total, us = wrk_run(url, seconds, connections, encoding, cpu)
    return {"name": name, "accept_encoding": encoding or "", "requests_per_second": rps,
            "requests": total, "cpu_us_per_request": us,
            "cpu_ratio_to_reference": us / reference_us}


def started(url: str, process, log: Path) -> None:
    """Up and answering, or the server's own log on stderr."""
    try:
        wait_until_up(url, process)
    except SystemExit:
        print(url, log.read_text()[-3000:] if log.exists() else "", file=sys.stderr)
        raise


def check_answer(url: str, encoding: str | None, expected: str | None,
                 product: bool = True) -> None:
    import urllib.request

    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding or "identity"})
    with urllib.request.urlopen(request) as response:
        got = response.headers.get("Content-Encoding")
        if got != expected:
            raise SystemExit(f"{url} with {encoding}: Content-Encoding {got}, not {expected}")
        if product and "Content-Security-Policy" not in response.headers:
            raise SystemExit(f"{url}: no Content-Security-Policy")


def build(data_dir: str, static_dir: Path, env: dict) -> str:
    feed = Path(data_dir) / "wire.rss"
    feed.write_text(sample_feed(60), encoding="utf-8")
    for command in (["ingest", str(feed), "--agency", "RFE"],
                    ["edition", "add", "--name", "Chile Sun", "--timezone",
                     "Australia/Sydney", "--host", "chilesun.localhost"],
                    ["collectstatic", "--noinput"],
                    ["publish", "--static", str(static_dir)]):
        subprocess.run([str(BIN / "wiredesk"), *command], env=env, check=True,
                       capture_output=True)
    pages = sorted(p for p in (static_dir / "chile-sun" / "news").glob("*/*") if not p.suffix)
    article = pages[0]  # the page at its address, no extension (publish.py)
    url_path = "/" + article.relative_to(static_dir).as_posix()
    return url_path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--output", default=str(RESULTS / "static_pages.json"))
    args = parser.parse_args()
    missing = [tool for tool, found in (("wrk", shutil.which("wrk")),
                                        ("nginx", Path(NGINX).exists())) if not found]
    if missing:
        print(f"SKIPPED: {' and '.join(missing)} not installed (Debian: apt-get install -y "
              "wrk nginx-light libnginx-mod-http-brotli-static); nothing was measured.")
        return 0
    with tempfile.TemporaryDirectory(prefix="wd-bench-static-") as top:
        # nginx's workers (www-data) read the pages: outside the private data directory.
        os.chmod(top, 0o755)
        data_dir = str(Path(top) / "data")
        Path(data_dir).mkdir()
        static_dir = Path(top) / "www"
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env.update({"WIREDESK_DATA_DIR": data_dir, "WIREDESK_SCHEDULER": "false",
                    "WIREDESK_SECRET_KEY": "benchmark-secret-key-0123456789-0123456789",
                    "WIREDESK_PAGE_CACHE": "true"})
        url_path = build(data_dir, static_dir, env)
        env["WIREDESK_STATIC_DIR"] = str(static_dir)
        page = static_dir / url_path.lstrip("/")
        page_bytes = page.stat().st_size
        reference_root = Path(top) / "reference"
        reference_root.mkdir()
        shutil.copyfile(page, reference_root / "ref.html")
        prefix = Path(top) / "nginx"
        for sub in ("", "body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (prefix / sub).mkdir(exist_ok=True)
        app_port, static_port, ref_port, own_port, bare_port = (free_port() for _ in range(5))
        conf = prefix / "nginx.conf"
        conf.write_text(nginx_conf(prefix, documented_server(static_dir, static_port, app_port),
                                   reference_root, ref_port, static_dir, own_port, bare_port))
        gunicorn = subprocess.Popen(
            [str(BIN / "gunicorn"), *GUNICORN_OPTIONS, "wiredesk.wsgi:application",
             "--bind", f"127.0.0.1:{app_port}"], env=env, stdout=subprocess.DEVNULL,
            stderr=(prefix / "gunicorn.log").open("w"), start_new_session=True)
        nginx = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(prefix), "-g",
                                  "daemon off;"], stdout=subprocess.DEVNULL,
                                 stderr=(prefix / "stderr.log").open("w"),
                                 start_new_session=True)
        rows = []
        try:
            app_url = f"http://127.0.0.1:{app_port}{url_path}"
            started(app_url, gunicorn, prefix / "gunicorn.log")
            ref_url = f"http://127.0.0.1:{ref_port}/ref.html"
            static_url = f"http://127.0.0.1:{static_port}{url_path}"
            started(ref_url, nginx, prefix / "error.log")
            check_answer(static_url, None, None)
            check_answer(static_url, "gzip", "gzip")
            if BROTLI_MODULE.exists():
                check_answer(static_url, "br, gzip", "br")
            time.sleep(0.5)
            static = "nginx, static mode as documented"
            own = "nginx, the article's own file, bare config"
            precompressed = ("nginx, the article's own file, bare config with "
                             "gzip_static and brotli_static")
            bare_url = f"http://127.0.0.1:{bare_port}{url_path}"
            compressed = [encoding for encoding in ENCODINGS.values() if encoding]
            if not BROTLI_MODULE.exists():
                compressed.remove("br, gzip")
            for encoding in compressed:
                check_answer(bare_url, encoding, encoding.split(",")[0], product=False)
            rows = nginx_rounds(
                [("nginx, the same bytes as a plain file, bare config (reference)", ref_url,
                  None),
                 (own, f"http://127.0.0.1:{own_port}{url_path}", None),
                 *((static, static_url, encoding) for encoding in ENCODINGS.values()),
                 *((precompressed, bare_url, encoding) for encoding in compressed)],
                nginx.pid, args.rounds, args.seconds, args.connections)
            like_for_like(rows, static, own, precompressed)
            for label, encoding in (("identity", None), ("br", "br, gzip")):
                rows.append(gunicorn_row(
                    f"gunicorn, page answered before Django, {label}", gunicorn.pid,
                    app_url, args.seconds * 2, args.connections, encoding,
                    rows[0]["cpu_us_per_request"]))
        finally:
            for process in (nginx, gunicorn):
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
    report = {"page": url_path, "bytes": page_bytes,
              "brotli_module": BROTLI_MODULE.exists(), "rounds": args.rounds,
              "seconds": args.seconds,
              "connections": args.connections, "rows": rows}
    print("| server | Accept-Encoding | req/s | CPU us/request | CPU vs reference (per-round "
          "median, lowest-highest) | CPU vs the bare config, same request and bytes |")
    print("|---|---|---:|---:|---:|---:|")
    for row in rows:
        spread = (f" ({row['cpu_ratio_lowest']:.2f}-{row['cpu_ratio_highest']:.2f})"
                  if "cpu_ratio_lowest" in row else "")
        same = row.get("like_for_like")
        same_text = (f"{same['cpu_ratio']:.2f}x ({same['lowest']:.2f}-{same['highest']:.2f})"
                     if same else "")
        print(f"| {row['name']} | {row['accept_encoding'] or '-'} | "
              f"{row['requests_per_second']:.0f} | {row['cpu_us_per_request']:.1f} | "
              f"{row['cpu_ratio_to_reference']:.2f}x{spread} | {same_text} |")
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
