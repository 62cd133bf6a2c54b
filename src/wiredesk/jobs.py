"""The embedded job scheduler: what Celery beat and workers do at scale, in one process.

``wiredesk serve`` starts it as a child process (so the web workers never share
threads or connections with it). It runs the periodic jobs of
``core.taskqueue.PERIODIC``, the list Celery beat is made from, by calling each job's
task here and now. One failing job is logged and never stops the others.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections

from wiredesk.core.taskqueue import PERIODIC, task_named

log = logging.getLogger("wiredesk.jobs")


@dataclass
class PeriodicJob:
    name: str
    every: float  # seconds
    run: Callable[[], object]
    last_run: float = 0.0


def default_jobs() -> list[PeriodicJob]:
    """The periodic work of an instance, one job per entry of ``PERIODIC``."""
    return [PeriodicJob(p.name, p.every, task_named(p.task).run) for p in PERIODIC]


def run_once(jobs: list[PeriodicJob], *, now: float | None = None) -> list[str]:
    now = time.monotonic() if now is None else now
    ran = []
    for job in jobs:
        if job.last_run and now - job.last_run < job.every:
            continue
        job.last_run = now
        close_old_connections()
        try:
            outcome = job.run()
            ran.append(job.name)
            if outcome:
                log.info("%s: %s", job.name, outcome)
        except Exception:
            log.exception("job %s failed", job.name)
        finally:
            close_old_connections()
    return ran


def run_forever(*, interval: float = 30.0, jobs: list[PeriodicJob] | None = None) -> None:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    jobs = jobs or default_jobs()
    log.info("scheduler started: %s", ", ".join(j.name for j in jobs))
    while not stop.is_set():
        run_once(jobs)
        stop.wait(min(interval, min(j.every for j in jobs)))
    log.info("scheduler stopped")
