"""What importing ``wiredesk`` sets for the process before anything else runs."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

THREADS = ("import os, sys, numpy; a = numpy.ones((600, 600)); [a @ a for _ in range(3)];"
           " print(len(os.listdir('/proc/self/task')))")


def _run(code: str, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    clean["PYTHONPATH"] = os.pathsep.join(sys.path)
    return subprocess.run([sys.executable, "-c", code], env={**clean, **env},
                          capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="threads counted in /proc")
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: OpenBLAS starts no thread")
def test_numpy_products_run_on_the_calling_thread_alone():
    # Without wiredesk imported first, this machine's OpenBLAS starts threads of its own:
    # the check below would see them.
    assert int(_run(THREADS)) > 1
    assert int(_run("import wiredesk; " + THREADS)) == 1


def test_an_operators_own_thread_setting_wins():
    printed = _run("import os, wiredesk; print(os.environ['OPENBLAS_NUM_THREADS'])",
                   OPENBLAS_NUM_THREADS="2")
    assert printed == "2"
