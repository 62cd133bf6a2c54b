"""The data directory and what is in it are the instance user's only (issue 23, item 12).

The database, backups and the secret key were 0644 in a 0755 data directory: any local
user could copy a session key out of the database and open /admin/. The directory is
0700 and those files 0600 whatever the umask, and older data directories are tightened
on start. The instance's own processes are tested in tests/e2e/test_data_dir_processes.py.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_tightening_never_loosens_and_leaves_other_users_files(tmp_path):
    from wiredesk import datadir

    tight = tmp_path / "tight"
    tight.write_text("x")
    os.chmod(tight, 0o400)
    datadir.tighten(tight)
    assert mode(tight) == 0o400
    if os.getuid() != 0:
        pytest.skip("changing a file's owner needs root")
    theirs = tmp_path / "theirs"
    theirs.write_text("x")
    os.chmod(theirs, 0o644)
    os.chown(theirs, 65534, 65534)
    datadir.tighten(theirs)
    assert mode(theirs) == 0o644


def test_private_file_is_created_with_its_mode_whatever_the_umask(tmp_path):
    from wiredesk import datadir

    previous = os.umask(0)
    try:
        created = datadir.private_file(tmp_path / "db")
        folder = datadir.private_dir(tmp_path / "a" / "b")
    finally:
        os.umask(previous)
    assert mode(created) == 0o600 and created.stat().st_size == 0
    assert mode(folder) == 0o700
