"""The README's settings table is the operator's only list: it must match the code."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# os.environ.get("NAME", ...), os.environ["NAME"] and the settings module's _env_* helpers.
READ = re.compile(r"""(?:environ(?:\.get)?\(?\[?|_env_\w+\()\s*["']([A-Z][A-Z0-9_]+)["']""")


def settings_read_by_code() -> set[str]:
    names = set()
    for path in (ROOT / "src").rglob("*.py"):
        names.update(READ.findall(path.read_text(encoding="utf-8")))
    # Set by wiredesk for Django itself, not read as a setting.
    names.discard("DJANGO_SETTINGS_MODULE")
    # The test runs' own settings, read by the Makefile and the test suite.
    for path in [ROOT / "Makefile", *(ROOT / "tests").rglob("*.py")]:
        names.update(re.findall(r"WIREDESK_TEST_[A-Z0-9_]+", path.read_text(encoding="utf-8")))
    return names


def settings_table() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", section, flags=re.MULTILINE)


def test_every_setting_the_code_reads_is_in_the_readme():
    missing = settings_read_by_code() - set(settings_table())
    assert not missing, f"settings read by the code but not in README's table: {sorted(missing)}"


def test_the_readme_lists_each_setting_once_and_only_real_ones():
    rows = settings_table()
    repeated = sorted({name for name in rows if rows.count(name) > 1})
    assert not repeated, f"README lists these settings more than once: {repeated}"
    unknown = set(rows) - settings_read_by_code()
    assert not unknown, f"README lists settings no code reads: {sorted(unknown)}"
