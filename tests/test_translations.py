"""The CI check on the interface's translations.

The msgids are extracted afresh from the source (Django's ``makemessages`` on a copy of
the package, so a string marked today and not yet in the catalogues is caught), and every
shipped language's catalogue in the repository must translate each of them — not empty,
not fuzzy — with the same placeholders; then every catalogue must compile.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from wiredesk.core.catalogues import (
    LOCALE_DIR,
    catalogues,
    compile_with_babel,
    compile_with_msgfmt,
)

PACKAGE = LOCALE_DIR.parent
# The languages the project ships complete translations of (issue 20), every one checked:
# a language added to SHIPPED is checked once its translation has begun (one entry
# translated); those in REQUIRED are checked from their first empty catalogue.
SHIPPED = ("es", "fr", "pt", "de", "ar")
REQUIRED = SHIPPED
# What makemessages leaves out: Django admin templates we override (Django's own
# catalogues translate them), the demo's operator pages and test helpers.
IGNORED = ("templates/admin", "*/templates/admin", "demo", "testing", "locale")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]|%[sdif]|\{(\w*)\}")

needs_xgettext = pytest.mark.skipif(
    shutil.which("xgettext") is None,
    reason="GNU gettext's xgettext is not installed: the msgids cannot be extracted "
           "(apt-get install gettext)")


def _key(message) -> tuple[str | None, str]:
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return message.context, msgid


def _read(path: Path):
    with path.open("rb") as source:
        return read_po(source)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict:
    """The msgids the source marks today, by (context, msgid)."""
    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext's xgettext is not installed: the msgids cannot be "
                    "extracted (apt-get install gettext)")
    root = tmp_path_factory.mktemp("extract")
    copy = root / "wiredesk"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns(
        "__pycache__", "locale", "static", "*.mo", "*.png", "*.jpg", "*.webp", "*.gz"))
    # The extraction's own settings: the real ones with the catalogues written elsewhere.
    (root / "extract_settings.py").write_text(
        "from wiredesk.settings import *  # noqa: F403\n"
        f"LOCALE_PATHS = [{str(root / 'locale')!r}]\n")
    (root / "locale").mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(PACKAGE.parent)]),
           "DJANGO_SETTINGS_MODULE": "extract_settings"}
    ignores = [arg for pattern in IGNORED for arg in ("-i", pattern)]
    done = subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "en", "--no-location",
         *ignores], cwd=copy, env=env, capture_output=True, text=True, timeout=300,
        check=False)
    assert done.returncode == 0, done.stderr
    catalog = _read(root / "locale" / "en" / "LC_MESSAGES" / "django.po")
    found = {_key(m): m for m in catalog if m.id}
    assert len(found) > 200, "the extraction found too few strings: is the source marked?"
    return found


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return "fuzzy" not in message.flags and all(strings)


def _present_languages() -> list[str]:
    return [lang for lang in SHIPPED
            if (LOCALE_DIR / lang / "LC_MESSAGES" / "django.po").exists()]


def _placeholders(text: str) -> set[str]:
    return {match.group(0) for match in PLACEHOLDER.finditer(text)}


@needs_xgettext
@pytest.mark.parametrize("language", _present_languages())
def test_every_public_string_is_translated(extracted, language):
    catalog = _read(LOCALE_DIR / language / "LC_MESSAGES" / "django.po")
    have = {_key(m): m for m in catalog if m.id}
    if language not in REQUIRED and not any(_translated(m) for m in have.values()):
        pytest.skip(f"{language}: the catalogue has no translation yet")
    missing = [key for key in extracted if key not in have]
    untranslated = [key for key, m in have.items() if key in extracted and not _translated(m)]
    assert not missing, (f"{language}: {len(missing)} not in the catalogue (run "
                         f"makemessages, README Languages): {missing[:20]}")
    assert not untranslated, (f"{language}: {len(untranslated)} empty or fuzzy: "
                              f"{untranslated[:20]}")


def placeholder_problems(message) -> list[str]:
    """Why a translation's placeholders do not fit its msgid: one it invents, one it
    drops. A plural form may drop one (Arabic's "two stories" need not say 2)."""
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    wanted = set().union(*(_placeholders(i) for i in ids))
    problems = []
    for string in filter(None, strings):
        have = _placeholders(string)
        if have - wanted:
            problems.append(f"{ids[0]!r}: {string!r} has {sorted(have - wanted)}")
        if len(wanted - have) > (1 if len(ids) > 1 else 0):
            problems.append(f"{ids[0]!r}: {string!r} lacks {sorted(wanted - have)}")
    return problems


@pytest.mark.parametrize("language", _present_languages())
def test_translations_keep_the_placeholders(language):
    catalog = _read(LOCALE_DIR / language / "LC_MESSAGES" / "django.po")
    wrong = [problem for message in catalog if message.id
             for problem in placeholder_problems(message)]
    assert not wrong, f"{language}: placeholders differ: {wrong}"


def test_the_placeholder_check_catches_a_dropped_or_invented_name():
    from babel.messages.catalog import Message

    assert placeholder_problems(Message("Back to %(edition)s", "Volver a %(edicion)s"))
    assert placeholder_problems(Message("Back to %(edition)s", "Volver"))
    assert not placeholder_problems(Message("Back to %(edition)s", "Volver a %(edition)s"))
    plural = Message(("%(count)s story", "%(count)s stories"), ("una noticia", "%(count)s"))
    assert not placeholder_problems(plural)


def test_the_catalogues_compile(tmp_path):
    """Both ways make install compiles them: GNU msgfmt (with its format checks), and
    Babel's writer on a machine without gettext."""
    assert catalogues(), "no catalogue in src/wiredesk/locale"
    msgfmt = shutil.which("msgfmt")
    for po in catalogues():
        language = po.parent.parent.name
        compile_with_babel(po, tmp_path / f"{language}.babel.mo")
        assert (tmp_path / f"{language}.babel.mo").stat().st_size > 0
        if msgfmt:
            compile_with_msgfmt(po, tmp_path / f"{language}.msgfmt.mo", msgfmt)


def test_the_compiled_catalogues_are_current():
    """What Django reads is what the .po files say (the test plugin compiles stale ones)."""
    for po in catalogues():
        mo = po.with_suffix(".mo")
        assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, mo


def test_without_msgfmt_babel_writes_what_gettext_reads(tmp_path):
    import gettext

    locale = tmp_path / "locale"
    shutil.copytree(LOCALE_DIR, locale, ignore=shutil.ignore_patterns("*.mo"))
    from wiredesk.core.catalogues import compile_catalogues

    written = compile_catalogues(locale, use_msgfmt=False)
    assert {mo.parent.parent.name for mo in written} == {
        po.parent.parent.name for po in catalogues()}
    spanish = gettext.translation("django", localedir=locale, languages=["es"])
    assert spanish.gettext("Latest news") == "Últimas noticias"
    assert spanish.ngettext("%(count)s story", "%(count)s stories", 3) == "%(count)s noticias"
    assert compile_catalogues(locale, use_msgfmt=False) == []  # nothing changed since
