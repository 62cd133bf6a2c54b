"""The reference for benchmarks/pages.py: a trivial WSGI app returning fixed bytes."""

import os
from pathlib import Path

BODY = Path(os.environ["WD_BENCH_BODY"]).read_bytes()
HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(BODY)))]


def app(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
