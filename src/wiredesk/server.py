"""``wiredesk serve``: gunicorn (a production WSGI server) plus the job scheduler."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from gunicorn.app.base import BaseApplication


class WiredeskServer(BaseApplication):
    def __init__(self, options: dict, banner: str = "", scheduler: bool = True):
        self.options = options
        self.banner = banner
        self.scheduler = scheduler
        self._jobs: subprocess.Popen | None = None
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)
        self.cfg.set("when_ready", self._when_ready)
        self.cfg.set("on_exit", self._on_exit)
        self.cfg.set("on_reload", self._on_reload)

    def load(self):
        from wiredesk.wsgi import application

        return application

    def _start_jobs(self):
        self._jobs = subprocess.Popen([sys.executable, "-m", "wiredesk", "jobs"],
                                      env=os.environ.copy())

    def _when_ready(self, arbiter):
        if self.scheduler:
            self._start_jobs()
        if self.banner:
            print(self.banner, flush=True)

    def _on_reload(self, arbiter):
        # SIGHUP: the scheduler picks up new code and settings like the web workers do.
        if self._jobs is not None:
            self._on_exit(arbiter)
            self._start_jobs()

    def _on_exit(self, arbiter):
        if self._jobs is not None and self._jobs.poll() is None:
            self._jobs.terminate()
            try:
                self._jobs.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._jobs.kill()


def listen(host: str, port: int) -> socket.socket:
    """Bind the server's port now: a busy one is a one-line error before any other work."""
    from wiredesk.core.cli import CommandError
    from wiredesk.core.ports import PortBusy, bind, serve_busy_message

    try:
        return bind(host, port)
    except PortBusy as exc:
        raise CommandError(serve_busy_message(exc)) from None
    except OSError as exc:
        raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def serve(*, host: str, port: int, workers: int, scheduler: bool = True,
          banner: str = "", pid_file: str | None = None,
          listener: socket.socket | None = None) -> int:
    """Run gunicorn in this process (the arbiter), until SIGTERM/SIGINT.

    Chosen over granian by measurement (benchmarks/server_choice.py, BENCHMARKS.md): on
    wiredesk's own pages the two are within noise of each other, since the time goes to
    Django and the database, and gunicorn brings a graceful reload: SIGHUP starts new
    workers with freshly loaded code and settings, then retires the old ones once their
    requests are done, while the listening socket stays open (no refused connections).
    """
    from django.conf import settings

    from wiredesk.core import staticfiles

    listener = listener or listen(host, port)
    if not settings.DEBUG:
        staticfiles.collect()
    options = {
        # The socket bound above, handed over: no other process can take the port
        # between the check and the start, and gunicorn never retries a busy one.
        "bind": f"fd://{listener.detach()}",
        "workers": max(1, workers),
        "worker_class": "gthread",
        "threads": 4,
        "timeout": 60,
        "graceful_timeout": 20,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "wiredesk",
        # Several instances may run on one machine (tests, editions); the admin socket
        # in ~/.gunicorn would be shared between them.
        "control_socket_disable": True,
    }
    if pid_file:
        options["pidfile"] = pid_file
    from wiredesk.core.taskqueue import broker_configured

    # With a broker, Celery beat and workers own the periodic jobs.
    in_process_jobs = scheduler and settings.WIREDESK_SCHEDULER and not broker_configured()
    WiredeskServer(options, banner=banner, scheduler=in_process_jobs).run()
    return 0
