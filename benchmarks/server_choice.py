"""Which WSGI server `wiredesk serve` uses: gunicorn (gthread) vs granian, measured.

Same machine, same loopback load generator (wrk), same worker count (2 processes x 4
threads), three targets: a trivial WSGI app (the server's own floor), the demo
edition's home page and one of its article pages (the real app on SQLite).
The figure is each server's requests/s as a ratio to gunicorn's on the same target.

    .venv/bin/python benchmarks/server_choice.py [--seconds 8] [--connections 16]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import tempfile
import urllib.request
from pathlib import Path

from _common import BIN, ROOT, env_for, free_port, stop, wait_http, write_result

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def wrk(url: str, seconds: int, connections: int) -> dict:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {}
    for q in ("50", "99"):
        m = re.search(rf"\s{q}%\s+([\d.]+)(us|ms|s)\b", out)
        latency[q] = float(m.group(1)) * UNITS[m.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       out)
    return {"rps": rps, "p50_ms": latency["50"], "p99_ms": latency["99"],
            "non_2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": sum(int(g) for g in errors.groups()) if errors else 0}


def command(server: str, app: str, port: int) -> list[str]:
    if server == "gunicorn":
        return [str(BIN / "gunicorn"), "-w", "2", "-k", "gthread", "--threads", "4",
                "-b", f"127.0.0.1:{port}", "--chdir", str(ROOT / "benchmarks"), app]
    return [str(BIN / "granian"), "--interface", "wsgi", "--workers", "2",
            "--blocking-threads", "4", "--host", "127.0.0.1", "--port", str(port),
            "--working-dir", str(ROOT / "benchmarks"), "--log-level", "warning", app]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="wd-bench-server-"))
    env = env_for(data)
    subprocess.run([str(BIN / "wiredesk"), "demo", "--no-serve"], env=env, check=True,
                   capture_output=True)
    subprocess.run([str(BIN / "wiredesk"), "collectstatic", "--noinput"], env=env, check=True,
                   capture_output=True)
    targets = {"trivial": ("trivial_wsgi:application", "/")}
    rows = []
    for target in ("trivial", "home", "article"):
        for server in ("gunicorn", "granian"):
            app = targets.get(target, ("wiredesk.wsgi:application", ""))[0]
            port = free_port()
            process = subprocess.Popen(command(server, app, port), env=env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                base = f"http://127.0.0.1:{port}"
                wait_http(base + "/healthz" if target != "trivial" else base + "/")
                if target == "trivial":
                    path = "/"
                elif target == "home":
                    path = "/chile-sun/"
                else:
                    page = urllib.request.urlopen(base + "/chile-sun/").read().decode()
                    path = re.search(r'href="(/chile-sun/news/\d+/[^"]+)"', page).group(1)
                urllib.request.urlopen(base + path).read()  # warm
                result = wrk(base + path, args.seconds, args.connections)
            finally:
                stop(process)
            rows.append({"target": target, "server": server, "path": path, **result})
    by_key = {(r["target"], r["server"]): r for r in rows}
    for row in rows:
        row["rps_ratio_to_gunicorn"] = round(row["rps"] / by_key[(row["target"],
                                                                   "gunicorn")]["rps"], 2)
    print(f"{'target':<8} {'server':<9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'errors':>6} {'vs gunicorn':>11}")
    for r in rows:
        print(f"{r['target']:<8} {r['server']:<9} {r['rps']:>8.0f} {r['p50_ms']:>8.2f} "
              f"{r['p99_ms']:>8.2f} {r['non_2xx'] + r['socket_errors']:>6} "
              f"{r['rps_ratio_to_gunicorn']:>10.2f}x")
    write_result("server_choice", {"seconds": args.seconds, "connections": args.connections,
                                   "workers": 2, "threads": 4, "rows": rows})


if __name__ == "__main__":
    main()
