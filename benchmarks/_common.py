"""Shared helpers for the benchmark scripts: processes, ports, a demo instance, JSON out."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
BIN = Path(sys.executable).parent
WIREDESK = str(BIN / "wiredesk")


def server_cpu(connection) -> float:
    """CPU seconds so far of the PostgreSQL server process serving ``connection``, when the
    server runs on this machine (its /proc entry); 0.0 on SQLite."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def child_json(command: list[str], env: dict[str, str]) -> dict:
    """Run a benchmark's child process; its last line of output, as JSON. A failed child
    stops the benchmark with the end of what it wrote to stderr."""
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-3000:])
        raise SystemExit(f"child {command} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {timeout}s")


def env_for(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "WIREDESK_BROKER_URL")}
    env["WIREDESK_DATA_DIR"] = str(data_dir)
    env.setdefault("WIREDESK_SECRET_KEY", "benchmark-secret-key-0123456789-abcdefghijklmnop")
    env.update(extra)
    return env


def demo_instance(data_dir: Path, env: dict[str, str]) -> list[str]:
    """Build the demo instance; return its URLs (edition home, one article)."""
    subprocess.run([WIREDESK, "demo", "--no-serve"], env=env, check=True,
                   capture_output=True)
    return []


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def write_result(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    # The machine is shared: record how busy it was, to read the figures by.
    data = {**data, "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
            "cpus": os.cpu_count()}
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    return path


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def django(code: str, env: dict[str, str], timeout: float = 600) -> str:
    """Run Django code in a fresh process with ``env``; return its stdout."""
    prelude = ("import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE',"
               "'wiredesk.settings'); django.setup()\n")
    done = subprocess.run([sys.executable, "-c", prelude + code], env=env, capture_output=True,
                          text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return done.stdout


PG_ADMIN_URL = os.environ.get("WIREDESK_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
BENCH_REDIS = os.environ.get("WIREDESK_BENCH_REDIS", "redis://127.0.0.1:6379/8")


def fresh_postgres(name: str) -> str:
    """Drop and create database ``name``; return its URL."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def flush_redis(url: str = BENCH_REDIS) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


class Worker:
    """`wiredesk worker --concurrency N` in its own process group, log in a file."""

    def __init__(self, env: dict[str, str], concurrency: int, log_path: Path):
        self.log_path = log_path
        self.log = log_path.open("w")
        self.process = subprocess.Popen(
            [WIREDESK, "worker", "--concurrency", str(concurrency)], env=env,
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.log_path.read_text(errors="replace"):
                return
            if self.process.poll() is not None:
                raise RuntimeError(self.log_path.read_text()[-3000:])
            time.sleep(0.2)
        raise RuntimeError("worker not ready:\n" + self.log_path.read_text()[-3000:])

    def kill9(self) -> None:
        import signal

        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        import signal

        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def set_jit(on: bool) -> None:
    """PostgreSQL: JIT on or off for this session (a reference beside wiredesk's jit=off)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SET jit = {'on' if on else 'off'}")
