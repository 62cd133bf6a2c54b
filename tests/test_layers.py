"""The import contracts in pyproject.toml (import-linter) hold, and they have teeth."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).parent / "lint-imports"


def _lint(cwd: Path, src: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run([str(LINT), "--no-cache"], capture_output=True, text=True,
                          cwd=cwd, env=env)


def test_every_import_contract_holds():
    result = _lint(ROOT, ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_module_importing_a_layer_above_breaks_the_contract(tmp_path):
    shutil.copytree(ROOT / "src" / "wiredesk", tmp_path / "src" / "wiredesk",
                    ignore=shutil.ignore_patterns("__pycache__", "static", "templates"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    errors = tmp_path / "src" / "wiredesk" / "newsroom" / "errors.py"
    errors.write_text(errors.read_text() + "\nfrom wiredesk.editions import links  # noqa\n")
    result = _lint(tmp_path, tmp_path / "src")
    assert result.returncode != 0
    assert "wiredesk.newsroom is not allowed to import wiredesk.editions" in result.stdout


def test_wire_imports_without_django_installed_in_sys_modules():
    code = ("import sys, wiredesk.wire.pipeline, wiredesk.wire.fetch;"
            "bad=[m for m in sys.modules if m.split('.')[0] in ('django', 'celery')];"
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
