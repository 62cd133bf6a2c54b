"""Issue 23, item 3 (scheduler part): jobs that cannot block each other.

A feed dripping one byte a second kept a poll running for minutes, and because the
embedded scheduler ran every job in sequence, nothing else ran meanwhile: no further
polls, no digest planning. Each job now runs in its own thread on its own schedule.
"""

import threading
import time

from wiredesk import jobs


def run_scheduler(job_list, stop):
    thread = threading.Thread(target=jobs.run_forever,
                              kwargs={"jobs": job_list, "stop": stop, "interval": 0.02,
                                      "grace": 1.0}, daemon=True)
    thread.start()
    return thread


def wait_for(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def test_a_blocked_poll_never_delays_the_digest():
    release = threading.Event()
    polls_started, digests = [], []

    def slow_poll():  # a feed that drips one byte a second
        polls_started.append(time.monotonic())
        release.wait(10)

    job_list = [jobs.PeriodicJob("poll-feeds", 0.05, slow_poll),
                jobs.PeriodicJob("send-digests", 0.05, lambda: digests.append(1))]
    stop = threading.Event()
    scheduler = run_scheduler(job_list, stop)
    try:
        assert wait_for(lambda: polls_started)
        # The poll is stuck; the digest keeps its every-0.05 s schedule meanwhile.
        assert wait_for(lambda: len(digests) >= 10, timeout=3.0), len(digests)
        # And the stuck poll is never started a second time alongside itself.
        assert len(polls_started) == 1
        release.set()
        assert wait_for(lambda: len(polls_started) >= 2)
    finally:
        release.set()
        stop.set()
        scheduler.join(5)
    assert not scheduler.is_alive()


def test_a_job_that_raises_never_stops_the_others_or_itself(caplog):
    broken_runs, digests = [], []

    def broken():
        broken_runs.append(1)
        raise RuntimeError("database or disk is full")

    job_list = [jobs.PeriodicJob("retrain-sections", 0.02, broken),
                jobs.PeriodicJob("send-digests", 0.02, lambda: digests.append(1))]
    stop = threading.Event()
    scheduler = run_scheduler(job_list, stop)
    try:
        assert wait_for(lambda: len(broken_runs) >= 3 and len(digests) >= 3)
    finally:
        stop.set()
        scheduler.join(5)
    assert not scheduler.is_alive()
    assert "job retrain-sections failed" in caplog.text
