"""End-to-end tests: everything here starts real processes (the `wiredesk` command, a
server, Celery workers, headless Chromium) and is marked `e2e`, so `make test-fast`
(`-m "not e2e"`) leaves it out. Tests outside tests/e2e/ start no processes.

Fixtures: a `wiredesk serve` instance on its own data directory, and headless Chromium.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import DataDir
from tests.digest.conftest import smtp_server  # noqa: F401  (the digest's real SMTP server)
from tests.e2e.processes import WIREDESK, free_port

HERE = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.e2e)


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


class Instance:
    """A wiredesk data directory plus the command to act on it."""

    def __init__(self, data_dir: DataDir):
        self.data_dir = data_dir.path
        self.env = data_dir.env
        self.base = ""
        self._server: subprocess.Popen | None = None

    def run(self, *args: str) -> str:
        result = subprocess.run([WIREDESK, *args], env=self.env, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def serve(self) -> str:
        port = free_port()
        self._server = subprocess.Popen(
            [WIREDESK, "serve", "--port", str(port), "--workers", "1", "--no-scheduler"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/", timeout=2)
                return self.base
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("wiredesk serve did not start")

    def stop(self) -> None:
        if self._server and self._server.poll() is None:
            os.killpg(self._server.pid, signal.SIGTERM)
            try:
                self._server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self._server.pid, signal.SIGKILL)


@pytest.fixture
def instance(data_dir):
    inst = Instance(data_dir)
    yield inst
    inst.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    tab = context.new_page()
    yield tab
    context.close()
