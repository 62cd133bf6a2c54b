"""The server's listening socket, bound before anything slow happens.

``wiredesk serve`` and ``wiredesk demo`` bind their port first, so a busy port is one
line and a non-zero exit at once, not a database build followed by gunicorn's retries;
the bound socket is then handed to gunicorn (``fd://``), so nothing can take the port in
between.

Standard library only: ``make demo`` runs ``python -m wiredesk.core.ports HOST PORT``
before the virtualenv exists, so a first install does not run for minutes to end on a
busy port.
"""

from __future__ import annotations

import errno
import socket
import sys

from wiredesk.errors import WiredeskError

BACKLOG = 2048  # gunicorn's default
# Looked at for a free port to suggest, from the busy one on: 8000 -> 8100 first.
SUGGESTION_OFFSETS = (100, *range(101, 120), *range(1, 20))


class PortBusy(WiredeskError):
    """The port is taken; ``suggestion`` is a free one nearby (or None)."""

    def __init__(self, host: str, port: int, suggestion: int | None):
        self.host, self.port, self.suggestion = host, port, suggestion
        super().__init__(f"port {port} is busy")


def bind_address(host: str) -> tuple[socket.AddressFamily, str]:
    """The socket family and address gunicorn would bind ``host`` with."""
    bare = host.strip("[]")
    return (socket.AF_INET6 if ":" in bare else socket.AF_INET), bare


def bind(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` and listening, as gunicorn makes it.

    Listening at once holds the port: with SO_REUSEADDR a socket that is only bound
    does not keep another process from binding it too. A browser that connects before
    the server is up waits in the queue instead of being refused. Raises PortBusy when
    another process holds the port, OSError for anything else (an address this machine
    does not have)."""
    family, address = bind_address(host)
    sock = socket.socket(family, socket.SOCK_STREAM)
    # As gunicorn does: a port left in TIME_WAIT by the last run is free.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((address, port))
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortBusy(host, port, free_port_near(host, port)) from None
        raise
    return sock


def is_free(host: str, port: int) -> bool:
    try:
        bind(host, port).close()
    except (PortBusy, OSError):
        return False
    return True


def free_port_near(host: str, port: int) -> int | None:
    """A free port near ``port`` to suggest, or None."""
    for offset in SUGGESTION_OFFSETS:
        candidate = port + offset
        if candidate < 65536 and is_free(host, candidate):
            return candidate
    return None


def demo_busy_message(exc: PortBusy) -> str:
    """The one line ``make demo`` and ``wiredesk demo`` say when their port is taken."""
    other = exc.suggestion or exc.port + 100
    return (f"port {exc.port} is busy: make demo PORT={other} "
            f"(or wiredesk demo --port {other})")


def serve_busy_message(exc: PortBusy) -> str:
    other = exc.suggestion or exc.port + 100
    return f"port {exc.port} is busy: choose another with --port (e.g. --port {other})"


def main(argv: list[str]) -> int:
    """``python -m wiredesk.core.ports HOST PORT``: exit 1 with the demo's one line if
    the port is busy (``make demo`` asks before installing anything)."""
    host, port = argv[0], int(argv[1])
    try:
        bind(host, port).close()
    except PortBusy as exc:
        print(f"wiredesk: error: {demo_busy_message(exc)}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"wiredesk: error: cannot listen on {host}:{port}: {exc.strerror or exc}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
