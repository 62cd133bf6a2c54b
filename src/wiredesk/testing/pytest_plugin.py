"""Loaded with ``-p`` before pytest-django reads the settings.

A test run must never touch a developer's real data directory, so the data
directory is a fresh temporary one before Django is configured.
"""

from __future__ import annotations

import os
import tempfile

from wiredesk.core.catalogues import compile_catalogues

os.environ["WIREDESK_DATA_DIR"] = tempfile.mkdtemp(prefix="wiredesk-test-")
os.environ.setdefault("WIREDESK_SECRET_KEY", "test-secret-key-not-for-production-0123456789")
# The suite's feed and page servers listen on loopback, which a fetch refuses by default
# (SSRF); tests that prove the refusal override the setting back to nothing.
os.environ.setdefault("WIREDESK_FETCH_ALLOW", "127.0.0.1,::1,localhost")

# The pages' translations as the message catalogues now say them, even on a checkout
# where `make install` has not compiled the latest .po files.
compile_catalogues()
