"""The wire pipeline must stay pure: no Django, no apps (the import contract)."""

import ast
import subprocess
import sys
from pathlib import Path

WIRE = Path(__file__).resolve().parents[2] / "src" / "wiredesk" / "wire"
FORBIDDEN = ("django", "celery", "wiredesk.newsroom", "wiredesk.editions", "wiredesk.digest",
             "wiredesk.releases", "wiredesk.api", "wiredesk.settings", "wiredesk.cli")


def test_import_linter_contract_holds():
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint)], capture_output=True, text=True,
                            cwd=WIRE.parents[2])
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_forbidden_import_in_any_wire_module():
    offenders = []
    for path in WIRE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.startswith(FORBIDDEN)]
    assert offenders == []


def test_wire_imports_without_django_installed_in_sys_modules():
    code = ("import sys, wiredesk.wire.pipeline, wiredesk.wire.fetch;"
            "bad=[m for m in sys.modules if m.split('.')[0]=='django'];"
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
