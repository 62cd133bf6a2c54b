"""The embedded job scheduler: what Celery beat and workers do at scale, in one process.

``wiredesk serve`` starts it as a child process (so the web workers never share
threads or connections with it). Each tick runs every periodic job that is due;
one failing job is logged and never stops the others.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections

log = logging.getLogger("wiredesk.jobs")


@dataclass
class PeriodicJob:
    name: str
    every: float  # seconds
    run: Callable[[], object]
    last_run: float = 0.0


def _poll_feeds() -> None:
    from wiredesk.newsroom.services import poll_due_feeds

    for report in poll_due_feeds():
        log.info("poll %s", report.summary())


def _retrain_sections() -> None:
    from wiredesk.newsroom.intelligence import sections_train

    try:
        model = sections_train()
    except ValueError as exc:  # fewer than two labelled sections yet: nothing to learn
        log.info("sections: not retrained (%s)", exc)
        return
    log.info("sections: retrained on %s articles", model.trained_on)


def _prune_release_images() -> None:
    from wiredesk.releases.services import release_images_prune

    release_images_prune()


def _send_digests() -> None:
    from wiredesk.digest.tasks import send_due

    log.info("digest %s", send_due.run())


def default_jobs() -> list[PeriodicJob]:
    """The periodic work of an instance. Other apps add theirs here as they land."""
    return [PeriodicJob("poll-feeds", 30.0, _poll_feeds),
            PeriodicJob("retrain-sections", 24 * 3600.0, _retrain_sections),
            PeriodicJob("prune-release-images", 3600.0, _prune_release_images),
            PeriodicJob("send-digests", 60.0, _send_digests)]


def run_once(jobs: list[PeriodicJob], *, now: float | None = None) -> list[str]:
    now = time.monotonic() if now is None else now
    ran = []
    for job in jobs:
        if job.last_run and now - job.last_run < job.every:
            continue
        job.last_run = now
        close_old_connections()
        try:
            job.run()
            ran.append(job.name)
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
