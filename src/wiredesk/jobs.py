"""The embedded job scheduler: what Celery beat and workers do at scale, in one process.

``wiredesk serve`` starts it as a child process (so the web workers never share
threads or connections with it). It runs the periodic jobs of
``core.taskqueue.PERIODIC``, the list Celery beat is made from, by calling each job's
task here and now.

Each job runs in its own thread, on its own schedule and with its own database
connection, so a long job (a feed that drips one byte a second) never delays another
(the digest never waits for a poll), and a job is never run twice at once: its next run
starts ``every`` seconds after the last one started, or as soon as it ends if it ran
longer. One failing job is logged and never stops the others or itself.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections, connections

from wiredesk.core.taskqueue import PERIODIC, Idle, task_named

log = logging.getLogger("wiredesk.jobs")


@dataclass
class PeriodicJob:
    name: str
    every: float  # seconds
    run: Callable[[], object]
    last_run: float = 0.0


def default_jobs() -> list[PeriodicJob]:
    """The periodic work of an instance, one job per entry of ``PERIODIC`` whose
    setting, if it needs one, is set."""
    return [PeriodicJob(p.name, p.every, task_named(p.task).run) for p in PERIODIC
            if p.enabled()]


def run_job(job: PeriodicJob) -> bool:
    """Run one job now, in this thread; log what it did (a turn with nothing done, at
    debug level) or how it failed. True if it ran without raising. Database connections
    are checked before and after, as a request's."""
    close_old_connections()
    try:
        outcome = job.run()
        if isinstance(outcome, Idle):
            log.debug("%s: %s", job.name, outcome)
        elif outcome:
            log.info("%s: %s", job.name, outcome)
        return True
    except Exception:
        log.exception("job %s failed", job.name)
        return False
    finally:
        close_old_connections()


def due(job: PeriodicJob, now: float) -> bool:
    return not job.last_run or now - job.last_run >= job.every


def run_once(jobs: list[PeriodicJob], *, now: float | None = None) -> list[str]:
    """Run every due job once, one after the other, in this thread (for a one-off sweep;
    the scheduler itself runs each job in its own thread)."""
    now = time.monotonic() if now is None else now
    ran = []
    for job in jobs:
        if not due(job, now):
            continue
        job.last_run = now
        if run_job(job):
            ran.append(job.name)
    return ran


def _job_loop(job: PeriodicJob, stop: threading.Event, interval: float) -> None:
    try:
        while not stop.is_set():
            now = time.monotonic()
            if due(job, now):
                job.last_run = now
                run_job(job)
                continue  # an overrun job starts again at once, never twice in parallel
            stop.wait(min(interval, job.every - (now - job.last_run)))
    finally:
        connections.close_all()  # this thread's connections


def start(jobs: list[PeriodicJob], stop: threading.Event, *,
          interval: float = 30.0) -> list[threading.Thread]:
    """One daemon thread per job, each looping until ``stop`` is set."""
    threads = [threading.Thread(target=_job_loop, args=(job, stop, interval),
                                name=f"job-{job.name}", daemon=True) for job in jobs]
    for thread in threads:
        thread.start()
    return threads


def run_forever(*, interval: float = 30.0, jobs: list[PeriodicJob] | None = None,
                stop: threading.Event | None = None, grace: float = 10.0) -> None:
    """Run the jobs until SIGTERM/SIGINT (or ``stop`` is set). ``interval`` caps how long a
    job's thread sleeps between looks at the clock. On stop, jobs that are running get
    ``grace`` seconds to finish; the process then exits without them (daemon threads)."""
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    jobs = jobs or default_jobs()
    log.info("scheduler started: %s", ", ".join(j.name for j in jobs))
    threads = start(jobs, stop, interval=interval)
    while not stop.wait(1.0):
        pass
    deadline = time.monotonic() + grace
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    busy = [t.name for t in threads if t.is_alive()]
    if busy:
        log.warning("scheduler stopped with jobs still running: %s", ", ".join(busy))
    log.info("scheduler stopped")
