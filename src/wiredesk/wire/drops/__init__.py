"""Drop folders: the files an agency leaves in a folder, on this machine, over FTP or SFTP.

Like ``fetch`` this module reaches out of the process; like ``fetch`` it goes only where
the :class:`FetchPolicy` lets it (the server's name is resolved once, every address is
checked, and the connection is made to the address that was checked). Each socket
operation is bounded by ``timeout`` and each file by ``max_bytes``.

A file is taken only when it is complete: never while its name says it is still being
written (``.tmp``, ``.part``, ``.filepart``, ``.crdownload``, a leading dot or ``~``), and
only once two listings at least ``settle`` seconds apart have shown it with the same size
and time (:func:`settled`). Which files were taken is the caller's ledger: a file is
known by its name, size and time (:attr:`DropFile.key`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from wiredesk.wire.drops.common import (
    PARTIAL_SUFFIXES,
    DropError,
    DropFile,
    FileRefused,
    settled,
    still_writing,
)
from wiredesk.wire.drops.ftp import FtpFolder
from wiredesk.wire.drops.local import LocalFolder
from wiredesk.wire.drops.sftp import SftpFolder, host_key_fingerprint
from wiredesk.wire.fetch.policy import DEFAULT_POLICY, FetchPolicy
from wiredesk.wire.sources import SourceAddress

__all__ = ["PARTIAL_SUFFIXES", "DropError", "DropFile", "FileRefused", "FtpFolder", "LocalFolder",
           "SftpFolder", "host_key_fingerprint", "open_folder", "settled", "still_writing"]


@contextlib.contextmanager
def open_folder(address: SourceAddress, *, timeout: float,
                policy: FetchPolicy | None = None
                ) -> Iterator[LocalFolder | FtpFolder | SftpFolder]:
    """The drop folder at ``address``, closed on leaving. Raises DropError when it cannot
    be reached, logged in to or entered."""
    if address.transport == "folder":
        folder: LocalFolder | FtpFolder | SftpFolder = LocalFolder(address.path)
    elif address.transport == "ftp":
        folder = FtpFolder(address, timeout=timeout, policy=policy or DEFAULT_POLICY)
    elif address.transport == "sftp":
        folder = SftpFolder(address, timeout=timeout, policy=policy or DEFAULT_POLICY)
    else:
        raise DropError(f"{address.scheme}:// is not a drop folder (ftp://, ftps://, "
                        "sftp://, file:// or a path)", permanent=True)
    try:
        yield folder
    finally:
        folder.close()
