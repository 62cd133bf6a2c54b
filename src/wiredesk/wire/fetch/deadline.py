"""A hard wall-clock limit on one fetch, and the connections that obey it."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

from urllib3.connection import HTTPConnection, HTTPSConnection

from wiredesk.wire.fetch.errors import FetchError


class Deadline:
    """A hard wall-clock limit on one fetch, enforced on the socket itself.

    A socket timeout bounds one read, not their sum: a server sending a byte just
    before each timeout keeps a fetch alive for ever (and holds up every poll queued
    behind it). When the time is up a timer shuts the current socket down, so whatever
    is blocked on it (connect aside, which has its own timeout: TLS handshake, headers,
    body) returns at once, and the fetch fails with :attr:`message`.
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.expired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0.0), self._expire)
        self._timer.daemon = True
        self._timer.start()

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
        copy = sock.dup()
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
            self.expired = True
            if self._sock is not None:
                with contextlib.suppress(OSError):
                    self._sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._timer.cancel()
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
