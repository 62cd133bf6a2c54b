"""Files written with their compressed copies beside them, for a web server to send as
they are (nginx ``gzip_static``/``brotli_static``: ``page.gz``, ``page.br`` beside an
article's ``page``, ``index.html.gz`` beside ``index.html``).

Compressed once when written, at the highest settings (nothing waits on it), instead of
by the server on every request. Each file is written to a temporary name and renamed, the
copies first, so a server never sends half a file nor a copy older than its page; a
removal takes the copies with the page.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import brotli

# "": a page named as its address, with no extension (publish.py), is HTML.
COMPRESSED_SUFFIXES = ("", ".html", ".xml", ".json", ".rss", ".atom", ".css", ".js", ".txt",
                       ".svg")
VARIANTS = (".gz", ".br")
# Smaller than this, a compressed copy saves less than its headers cost.
MIN_BYTES = 256


def _replace(path: Path, content: bytes) -> None:
    # A dot name: the web server's one cheap rule for wiredesk's own files (`location ~ /\.`)
    # hides it too, and no reader is sent half a page.
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(content)
    os.replace(partial, path)


def write_file(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix in COMPRESSED_SUFFIXES and len(content) >= MIN_BYTES:
        _replace(path.with_name(path.name + ".gz"), gzip.compress(content, 9, mtime=0))
        _replace(path.with_name(path.name + ".br"), brotli.compress(content, quality=11))
    else:
        remove_variants(path)
    _replace(path, content)


def remove_variants(path: Path) -> None:
    for suffix in VARIANTS:
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def remove_file(path: Path) -> None:
    """The page first (a server then finds nothing, never a lone copy), then its copies."""
    path.unlink(missing_ok=True)
    remove_variants(path)
