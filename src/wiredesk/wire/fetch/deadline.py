"""A hard wall-clock limit on one fetch, and the connections that obey it."""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import socket
import threading
import time

from urllib3.connection import HTTPConnection, HTTPSConnection

from wiredesk.wire.fetch.errors import FetchError


class _Watchdog:
    """One thread for every deadline of the process: a heap of due times, each expired
    when it comes unless cancelled first. A thread per fetch costs its start (milliseconds
    on a busy machine) on every fetch and push; this one is started once."""

    def __init__(self):
        self._heap: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, deadline: Deadline) -> None:
        with self._wake:
            heapq.heappush(self._heap, (deadline.ends, next(self._order), deadline))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="wiredesk-deadlines",
                                                daemon=True)
                self._thread.start()
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._heap and self._heap[0][2].cancelled:
                    heapq.heappop(self._heap)  # closed before its time: forget it
                if not self._heap:
                    self._wake.wait()
                    continue
                ends, _, deadline = self._heap[0]
                wait = ends - time.monotonic()
                if wait > 0:
                    self._wake.wait(wait)
                    continue
                heapq.heappop(self._heap)
            deadline._expire()


_watchdog = _Watchdog()


def _new_watchdog() -> None:
    global _watchdog
    _watchdog = _Watchdog()  # a forked child has none of its parent's threads


os.register_at_fork(after_in_child=_new_watchdog)


class Deadline:
    """A hard wall-clock limit on one fetch, enforced on the socket itself.

    A socket timeout bounds one read, not their sum: a server sending a byte just
    before each timeout keeps a fetch alive for ever (and holds up every poll queued
    behind it). When the time is up a timer shuts the current socket down, so whatever
    is blocked on it (connect aside, which has its own timeout: TLS handshake, headers,
    body) returns at once, and the fetch fails with :attr:`message`. The timer is the
    process's one watchdog thread (``_Watchdog``).
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.expired = False
        self.cancelled = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        _watchdog.add(self)

    @property
    def message(self) -> str:
        return (f"gave up after {self.seconds:g}s, the time limit for one fetch "
                "(the server is too slow or keeps the connection dripping)")

    @property
    def passed(self) -> bool:
        # Also true just before the timer has run: a socket timeout set to the time
        # remaining can go off a moment earlier than the timer does.
        return self.expired or time.monotonic() >= self.ends

    def remaining(self) -> float:
        left = self.ends - time.monotonic()
        if left <= 0 or self.expired:
            self.expired = True
            raise FetchError(self.message)
        return left

    def watch(self, sock: socket.socket) -> None:
        # A duplicate of the descriptor, not the object: wrapping a socket in TLS detaches
        # the object urllib3 first made, and a descriptor number could be closed and
        # reused by anything; shutting down the duplicate shuts down the connection.
        try:
            copy = sock.dup()
        except NotImplementedError:  # a TLS socket (a kept-alive push connection)
            copy = socket.socket(sock.family, sock.type, sock.proto,
                                 fileno=os.dup(sock.fileno()))
        with self._lock:
            previous, self._sock = self._sock, copy
            if self.expired:
                with contextlib.suppress(OSError):
                    copy.shutdown(socket.SHUT_RDWR)
        if previous is not None:
            previous.close()

    def unwatch(self) -> None:
        with self._lock:
            previous, self._sock = self._sock, None
        if previous is not None:
            previous.close()

    def _expire(self) -> None:
        with self._lock:
            if self.cancelled:
                return
            self.expired = True
            if self._sock is not None:
                with contextlib.suppress(OSError):
                    self._sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        with self._lock:
            self.cancelled = True
        self.unwatch()


class _Watched:
    """Gives each new socket to the fetch's deadline before TLS or HTTP touch it."""

    deadline: Deadline | None = None

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # type: ignore[misc]
        if self.deadline is not None:
            self.deadline.watch(sock)
        return sock


class HTTPConnectionWithDeadline(_Watched, HTTPConnection):
    pass


class HTTPSConnectionWithDeadline(_Watched, HTTPSConnection):
    pass
