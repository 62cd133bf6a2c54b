"""The interface's message catalogues compiled: each ``locale/<lang>/LC_MESSAGES/django.po``
to the ``django.mo`` Django reads.

The ``.po`` files are the source (committed); the ``.mo`` files are built, by
``make install`` and before the tests (``python -m wiredesk.core.catalogues``), only when
missing or older than their ``.po``. GNU ``msgfmt`` compiles them when the machine has it
(what ``django-admin compilemessages`` runs, with its format checks); a machine with only
Python and pip gets the same files from Babel's pure-Python writer.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


class CatalogueError(Exception):
    """A catalogue that does not compile; the message names it and says why."""


def catalogues(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    return sorted(locale_dir.glob("*/LC_MESSAGES/django.po"))


def _stale(po: Path) -> bool:
    mo = po.with_suffix(".mo")
    return not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime


def compile_with_msgfmt(po: Path, mo: Path, msgfmt: str) -> None:
    done = subprocess.run([msgfmt, "--check-format", "-o", str(mo), str(po)],
                          capture_output=True, text=True, check=False)
    if done.returncode:
        raise CatalogueError(f"{po}: {done.stderr.strip()}")


def compile_with_babel(po: Path, mo: Path) -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as source:
        catalog = read_po(source, abort_invalid=True)
    problems = [f"line {message.lineno}: {error}" for message, errors in catalog.check()
                for error in errors]
    if problems:
        raise CatalogueError(f"{po}: " + "; ".join(problems))
    with mo.open("wb") as target:
        write_mo(target, catalog)  # fuzzy entries left out, as msgfmt does


def compile_catalogues(locale_dir: Path = LOCALE_DIR, *, force: bool = False,
                       use_msgfmt: bool = True) -> list[Path]:
    """Compile every catalogue that needs it; the ``.mo`` files written."""
    msgfmt = shutil.which("msgfmt") if use_msgfmt else None
    written = []
    for po in catalogues(locale_dir):
        if not (force or _stale(po)):
            continue
        mo = po.with_suffix(".mo")
        # Written aside, then renamed: test workers starting together never read half a file.
        partial = mo.with_name(f"django.mo.{os.getpid()}.tmp")
        try:
            if msgfmt:
                compile_with_msgfmt(po, partial, msgfmt)
            else:
                compile_with_babel(po, partial)
            partial.replace(mo)
        finally:
            partial.unlink(missing_ok=True)
        written.append(mo)
    return written


def main(argv: list[str] | None = None) -> int:
    force = "--force" in (argv if argv is not None else sys.argv[1:])
    try:
        written = compile_catalogues(force=force)
    except CatalogueError as exc:
        print(f"message catalogue does not compile: {exc}", file=sys.stderr)
        return 1
    for mo in written:
        print(f"compiled {mo.relative_to(LOCALE_DIR.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
