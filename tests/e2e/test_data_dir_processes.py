"""The data directory and what is in it are the instance user's only (issue 23, item 12),
as the instance's own processes make them: 0700 and 0600 whatever the umask, and older
data directories tightened on start. In-process parts: tests/security/test_data_dir.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.processes import WIREDESK
from tests.security.test_data_dir import mode


def wd(env, *args):
    # The umask most systems start services with: files would be 0644 without care.
    result = subprocess.run([WIREDESK, *args], env=env, capture_output=True, text=True,
                            timeout=180, preexec_fn=lambda: os.umask(0o022))
    assert result.returncode == 0, result.stderr
    return result


WAL_SCRIPT = """
import os, stat, sys
os.umask(0o022)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiredesk.settings")
import django
django.setup()
from django.db import connection
from django.conf import settings
with connection.cursor() as cursor:  # a write, while the connection holds -wal and -shm
    cursor.execute("CREATE TABLE IF NOT EXISTS t_modes (x INTEGER)")
    cursor.execute("INSERT INTO t_modes VALUES (1)")
    name = settings.DATABASES["default"]["NAME"]
    for suffix in ("", "-wal", "-shm"):
        print(suffix or "db", oct(stat.S_IMODE(os.stat(str(name) + suffix).st_mode)))
"""


def test_fresh_data_dir_and_backup_are_private(data_dir):
    data = data_dir.path
    env = dict(data_dir.env)
    env.pop("WIREDESK_SECRET_KEY", None)  # the key is generated into the data directory
    out = wd(env, "backup").stdout
    written = Path(out.split("backup written: ", 1)[1].split(" (", 1)[0])
    assert mode(data) == 0o700
    assert mode(data / "wiredesk.sqlite3") == 0o600
    assert mode(data / "secret_key") == 0o600
    assert written.parent == data / "backups" and mode(written.parent) == 0o700
    assert mode(written) == 0o600
    # The -wal and -shm files SQLite makes while the database is open.
    modes = subprocess.run([sys.executable, "-c", WAL_SCRIPT], env=env, capture_output=True,
                           text=True, timeout=120, check=True).stdout.split()
    assert modes == ["db", "0o600", "-wal", "0o600", "-shm", "0o600"]


def test_backup_to_an_operator_folder_is_private_and_the_folder_left_alone(tmp_path,
                                                                           data_dir):
    folder = tmp_path / "nightly"
    folder.mkdir(mode=0o750)
    os.chmod(folder, 0o750)
    env = data_dir.env
    wd(env, "backup", "--output", str(folder / "wd.sqlite3"))
    assert mode(folder / "wd.sqlite3") == 0o600
    assert mode(folder) == 0o750


def test_an_older_data_dir_is_tightened_on_start(data_dir):
    data = data_dir.path
    env = dict(data_dir.env)
    env.pop("WIREDESK_SECRET_KEY", None)
    wd(env, "backup")  # a data directory with everything in it
    loose = [data / "wiredesk.sqlite3", data / "secret_key",
             *(data / "backups").iterdir()]
    for path in loose:
        os.chmod(path, 0o644)
    for name in ("-wal", "-shm"):
        (data / f"wiredesk.sqlite3{name}").touch()
        os.chmod(data / f"wiredesk.sqlite3{name}", 0o644)
        loose.append(data / f"wiredesk.sqlite3{name}")
    os.chmod(data / "backups", 0o755)
    os.chmod(data, 0o755)
    media = data / "media"
    media.mkdir()
    os.chmod(media, 0o755)
    wd(env, "edition", "list")
    assert mode(data) == 0o700 and mode(data / "backups") == 0o700
    for path in loose:  # SQLite deletes -wal and -shm when the last connection closes
        assert not path.exists() or mode(path) == 0o600, path
    assert mode(data / "wiredesk.sqlite3") == mode(data / "secret_key") == 0o600
    assert mode(media) == 0o755  # inside a private directory: left as it is
