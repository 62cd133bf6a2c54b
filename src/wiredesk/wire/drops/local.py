"""A drop folder on this machine."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

from wiredesk.wire.drops.common import (
    DropError,
    DropFile,
    FileRefused,
    plain_name,
)


class LocalFolder:
    """A directory on this machine. Symbolic links are never followed: only regular
    files that are really in the folder are taken."""

    def __init__(self, path: str):
        self.path = Path(path)
        if not self.path.is_dir():
            raise DropError(f"no such folder: {path}")

    def list(self) -> list[DropFile]:
        try:
            entries = list(os.scandir(self.path))
        except OSError as exc:
            raise DropError(f"cannot list {self.path}: {exc.strerror or exc}") from exc
        files = []
        for entry in entries:
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue  # gone meanwhile
            if plain_name(entry.name):
                files.append(DropFile(entry.name, info.st_size, str(info.st_mtime_ns)))
        return sorted(files, key=lambda f: (f.modified, f.name))

    def read(self, name: str, *, max_bytes: int) -> bytes:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            descriptor = os.open(self.path / name, flags)
        except OSError as exc:
            raise DropError(f"cannot read {name}: {exc.strerror or exc}") from exc
        with os.fdopen(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                raise FileRefused("not a regular file")
            data = handle.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise FileRefused(f"over the {max_bytes}-byte limit")
        return data

    def move(self, name: str, subfolder: str) -> str:
        target_dir = self.path / subfolder
        try:
            target_dir.mkdir(exist_ok=True)
            target = _free_name(target_dir, name)
            os.rename(self.path / name, target)
        except OSError as exc:
            return f"not moved to {subfolder}/: {exc.strerror or exc}"
        return ""

    def close(self) -> None:
        pass


def _free_name(folder: Path, name: str) -> Path:
    """``name`` in ``folder``, or a name beside it that is free: nothing taken is
    overwritten by a later file of the same name."""
    target = folder / name
    if not target.exists():
        return target
    stem, dot, suffix = name.rpartition(".")
    stem, suffix = (stem, f".{suffix}") if dot and stem else (name, "")
    return folder / f"{stem}-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}{suffix}"
