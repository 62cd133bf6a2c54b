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

import base64
import contextlib
import ftplib
import hashlib
import io
import os
import socket
import ssl
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from wiredesk.wire.fetch.deadline import Deadline
from wiredesk.wire.fetch.errors import FetchError
from wiredesk.wire.fetch.http import resolve
from wiredesk.wire.fetch.policy import DEFAULT_POLICY, FetchPolicy, IPAddress
from wiredesk.wire.sources import SourceAddress
from wiredesk.wire.types import WireError

PARTIAL_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".filepart", ".crdownload",
                    ".download", ".upload", ".uploading", ".lock", "~")
_CHUNK = 64 * 1024


class DropError(FetchError):
    """The folder cannot be reached, entered or listed: the whole poll failed."""


class FileRefused(WireError):
    """One file cannot be taken (over the size cap, not readable): it is recorded as
    failed, and the other files are taken."""


@dataclass(frozen=True, slots=True)
class DropFile:
    name: str
    size: int
    modified: str  # the folder's own time stamp for the file, compared as it is

    @property
    def key(self) -> str:
        """What the ledger knows the file by: the same name with another size or time
        is another file (an agency sending a corrected copy under the same name)."""
        digest = hashlib.sha256(f"{self.name}\x00{self.size}\x00{self.modified}".encode(
            "utf-8", "surrogateescape")).hexdigest()
        return f"file:{digest[:40]}"


def still_writing(name: str) -> bool:
    """The file's name says it is not finished (or is hidden)."""
    return name.startswith((".", "~")) or name.lower().endswith(PARTIAL_SUFFIXES)


def _plain_name(name: str) -> bool:
    # A name from a listing is sent back in commands: it must be one plain name.
    return (bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name
            and not any(ord(c) < 32 or ord(c) == 127 for c in name))


def settled(listing: list[DropFile], seen: dict[str, list], *, now: float,
            settle: float) -> tuple[list[DropFile], dict[str, list], int]:
    """Which listed files are complete, what to remember for the next listing, and how
    many are still waiting.

    ``seen`` is the previous call's memory: name -> [size, time, first seen so]. A file is
    complete when it has kept its size and time since a listing at least ``settle``
    seconds ago; anything still being written changes one of them in between.
    """
    ready: list[DropFile] = []
    memory: dict[str, list] = {}
    waiting = 0
    for entry in listing:
        if still_writing(entry.name):
            waiting += 1
            continue
        before = seen.get(entry.name)
        if before and before[0] == entry.size and before[1] == entry.modified:
            memory[entry.name] = before
            if now - before[2] >= settle:
                ready.append(entry)
            else:
                waiting += 1
        else:
            memory[entry.name] = [entry.size, entry.modified, now]
            waiting += 1
    return ready, memory, waiting


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
            if _plain_name(entry.name):
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


class _Overflow(Exception):
    pass


class FtpFolder:
    """A folder on an FTP server, plain or with explicit TLS (``AUTH TLS``, data
    connections protected too). Passive mode; the data connection goes to the address
    the control connection was checked for, never to one the server names."""

    def __init__(self, address: SourceAddress, *, timeout: float, policy: FetchPolicy):
        self.address = address
        self.timeout = timeout
        deadline = Deadline(timeout)
        try:
            addresses = resolve(address.host, address.port, deadline)
            policy.check(address.host, addresses)
        except FetchError as exc:
            raise DropError(str(exc), permanent=exc.permanent) from exc
        finally:
            deadline.close()
        self.ftp = self._connect(addresses)
        where = address.path or "/"
        try:
            self.ftp.cwd(where)
        except ftplib.all_errors as exc:
            self.close()
            raise DropError(f"cannot enter {where} on {address.host}: {_reply(exc)}") from exc

    def _connect(self, addresses: list[IPAddress]) -> ftplib.FTP:
        problem: Exception | None = None
        for ip in addresses:
            # Plain FTP is what many agencies still offer; ftps:// is there for the others.
            if self.address.tls:
                ftp: ftplib.FTP = ftplib.FTP_TLS(  # noqa: S321
                    context=ssl.create_default_context(), timeout=self.timeout)
            else:
                ftp = ftplib.FTP(timeout=self.timeout)  # noqa: S321
            try:
                ftp.connect(str(ip), self.address.port, timeout=self.timeout)
            except (OSError, ftplib.Error, EOFError) as exc:
                problem = exc
                continue
            # TLS checks the certificate against the name, not the address connected to.
            ftp.host = self.address.host
            try:
                ftp.login(self.address.user or "anonymous", self.address.password)
                if isinstance(ftp, ftplib.FTP_TLS):
                    ftp.prot_p()
                ftp.voidcmd("TYPE I")
            except (OSError, ftplib.Error, EOFError) as exc:
                with contextlib.suppress(Exception):
                    ftp.close()
                raise DropError(f"FTP login to {self.address.host} failed: {_reply(exc)}") \
                    from exc
            return ftp
        raise DropError(f"cannot connect to {self.address.host}:{self.address.port}: "
                        f"{_reply(problem)}")

    def list(self) -> list[DropFile]:
        try:
            try:
                entries = [(name, facts) for name, facts in
                           self.ftp.mlsd(facts=["type", "size", "modify"])
                           if facts.get("type", "file") == "file"]
                files = [DropFile(name, int(facts.get("size") or 0), facts.get("modify", ""))
                         for name, facts in entries if _plain_name(name)]
            except ftplib.error_perm:  # no MLSD: names, then each file's size and time
                files = []
                for name in self.ftp.nlst():
                    name = name.rsplit("/", 1)[-1]
                    if not _plain_name(name):
                        continue
                    try:
                        size = self.ftp.size(name)
                        modified = self.ftp.voidcmd(f"MDTM {name}")[4:].strip()
                    except ftplib.error_perm:
                        continue  # a folder, or gone
                    files.append(DropFile(name, int(size or 0), modified))
        except (OSError, ftplib.Error, EOFError, ValueError) as exc:
            raise DropError(f"cannot list the folder on {self.address.host}: "
                            f"{_reply(exc)}") from exc
        return sorted(files, key=lambda f: (f.modified, f.name))

    def read(self, name: str, *, max_bytes: int) -> bytes:
        chunks: list[bytes] = []
        total = 0

        def take(chunk: bytes) -> None:
            nonlocal total
            total += len(chunk)
            if total > max_bytes:
                raise _Overflow
            chunks.append(chunk)

        try:
            self.ftp.retrbinary(f"RETR {name}", take, blocksize=_CHUNK)
        except _Overflow:
            with contextlib.suppress(Exception):
                self.ftp.voidresp()  # the aborted transfer's closing reply
            raise FileRefused(f"over the {max_bytes}-byte limit") from None
        except ftplib.error_perm as exc:
            raise FileRefused(f"cannot be read: {_reply(exc)}") from exc
        except (OSError, ftplib.Error, EOFError) as exc:
            raise DropError(f"reading {name} from {self.address.host} failed: "
                            f"{_reply(exc)}") from exc
        return b"".join(chunks)

    def move(self, name: str, subfolder: str) -> str:
        with contextlib.suppress(ftplib.error_perm):
            self.ftp.mkd(subfolder)  # refused when it is there already
        target = f"{subfolder}/{name}"
        try:
            if self._exists(target):
                # Most servers overwrite on rename: nothing taken is lost to a later file.
                target = f"{subfolder}/{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{name}"
            self.ftp.rename(name, target)
        except ftplib.error_perm as exc:
            return f"not moved to {subfolder}/: {_reply(exc)}"
        except (OSError, ftplib.Error, EOFError) as exc:
            raise DropError(f"moving {name} on {self.address.host} failed: "
                            f"{_reply(exc)}") from exc
        return ""

    def put(self, name: str, data: bytes) -> None:
        """Write ``name`` whole: uploaded as ``name.tmp``, then renamed into place, so a
        reader of the folder never takes it half-written (a push to a partner)."""
        temporary = f"{name}.tmp"
        try:
            self.ftp.storbinary(f"STOR {temporary}", io.BytesIO(data))
            if self._exists(name):
                self.ftp.delete(name)  # a push sent again: same name, same content
            self.ftp.rename(temporary, name)
        except (OSError, ftplib.Error, EOFError) as exc:
            raise DropError(f"writing {name} to {self.address.host} failed: "
                            f"{_reply(exc)}") from exc

    def _exists(self, path: str) -> bool:
        try:
            self.ftp.size(path)
        except ftplib.error_perm:
            return False
        return True

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ftp.quit()
        with contextlib.suppress(Exception):
            self.ftp.close()


class SftpFolder:
    """A folder on an SFTP server (paramiko). The server must prove it is the one the
    operator trusts: its host key's SHA256 fingerprint, as ``ssh-keygen -lf`` prints it,
    is the source's ``hostkey=`` option; without it (or with another key) nothing is
    sent, and the error names the key the server showed. Logs in with the password in
    the source or the private key file named by ``key=``."""

    def __init__(self, address: SourceAddress, *, timeout: float, policy: FetchPolicy):
        import paramiko

        self.address = address
        self._paramiko = paramiko
        deadline = Deadline(timeout)
        try:
            addresses = resolve(address.host, address.port, deadline)
            policy.check(address.host, addresses)
        except FetchError as exc:
            raise DropError(str(exc), permanent=exc.permanent) from exc
        finally:
            deadline.close()
        self.transport = self._connect(addresses, timeout)
        try:
            self._check_host_key()
            self._login()
            self.sftp = paramiko.SFTPClient.from_transport(self.transport)
            self.sftp.get_channel().settimeout(timeout)
        except DropError:
            self.transport.close()
            raise
        except (OSError, paramiko.SSHException, EOFError) as exc:
            self.transport.close()
            raise DropError(f"SFTP login to {address.host} failed: {_reply(exc)}") from exc
        where = address.path or "/"
        try:
            self.sftp.chdir(where)
        except (OSError, paramiko.SSHException) as exc:
            self.close()
            raise DropError(f"cannot enter {where} on {address.host}: {_reply(exc)}") from exc

    def _connect(self, addresses: list[IPAddress], timeout: float):
        problem: Exception | None = None
        for ip in addresses:
            try:
                sock = socket.create_connection((str(ip), self.address.port), timeout)
            except OSError as exc:
                problem = exc
                continue
            transport = self._paramiko.Transport(sock)
            try:
                transport.start_client(timeout=timeout)
            except (OSError, self._paramiko.SSHException, EOFError) as exc:
                transport.close()
                raise DropError(f"SSH with {self.address.host} failed: {_reply(exc)}") \
                    from exc
            return transport
        raise DropError(f"cannot connect to {self.address.host}:{self.address.port}: "
                        f"{_reply(problem)}")

    def _check_host_key(self) -> None:
        key = self.transport.get_remote_server_key()
        shown = host_key_fingerprint(key.asbytes())
        # Pasted as printed: a "+" of the base64 arrives as a space from the query string.
        wanted = self.address.option("hostkey").strip().replace(" ", "+")
        if not wanted:
            raise DropError(f"the SFTP server {self.address.host} is not trusted yet: its "
                            f"{key.get_name()} host key is {shown}; add hostkey={shown} to "
                            "the source once you have checked it", permanent=True)
        if wanted.removeprefix("SHA256:").rstrip("=") != shown.removeprefix("SHA256:"):
            raise DropError(f"the SFTP server {self.address.host} showed the host key "
                            f"{shown}, not the trusted {wanted}: refused (a changed server, "
                            "or someone in between)", permanent=True)

    def _login(self) -> None:
        user = self.address.user
        key_file = self.address.option("key")
        if key_file:
            try:
                private = self._paramiko.PKey.from_path(key_file)
            except (OSError, self._paramiko.SSHException, ValueError) as exc:
                raise DropError(f"cannot read the SSH key {key_file}: {_reply(exc)}",
                                permanent=True) from exc
            self.transport.auth_publickey(user, private)
        else:
            self.transport.auth_password(user, self.address.password)

    def list(self) -> list[DropFile]:
        try:
            entries = self.sftp.listdir_attr()
        except (OSError, self._paramiko.SSHException) as exc:
            raise DropError(f"cannot list the folder on {self.address.host}: "
                            f"{_reply(exc)}") from exc
        files = [DropFile(entry.filename, entry.st_size or 0, str(entry.st_mtime or ""))
                 for entry in entries
                 if stat.S_ISREG(entry.st_mode or 0) and _plain_name(entry.filename)]
        return sorted(files, key=lambda f: (f.modified, f.name))

    def read(self, name: str, *, max_bytes: int) -> bytes:
        chunks: list[bytes] = []
        total = 0
        try:
            with self.sftp.open(name, "rb") as handle:
                while True:
                    chunk = handle.read(_CHUNK)
                    if not chunk:
                        break
                    total += len(chunk)
                    if total > max_bytes:
                        raise FileRefused(f"over the {max_bytes}-byte limit")
                    chunks.append(chunk)
        except FileRefused:
            raise
        except PermissionError as exc:
            raise FileRefused(f"cannot be read: {_reply(exc)}") from exc
        except (OSError, self._paramiko.SSHException) as exc:
            raise DropError(f"reading {name} from {self.address.host} failed: "
                            f"{_reply(exc)}") from exc
        return b"".join(chunks)

    def move(self, name: str, subfolder: str) -> str:
        try:
            if not self._exists(subfolder):
                self.sftp.mkdir(subfolder)
            target = f"{subfolder}/{name}"
            if self._exists(target):
                target = f"{subfolder}/{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{name}"
            self.sftp.rename(name, target)
        except PermissionError as exc:
            return f"not moved to {subfolder}/: {_reply(exc)}"
        except (OSError, self._paramiko.SSHException) as exc:
            raise DropError(f"moving {name} on {self.address.host} failed: "
                            f"{_reply(exc)}") from exc
        return ""

    def put(self, name: str, data: bytes) -> None:
        """Write ``name`` whole: ``name.tmp`` first, then renamed into place (atomically
        over an earlier copy where the server has the posix-rename extension)."""
        temporary = f"{name}.tmp"
        try:
            self.sftp.putfo(io.BytesIO(data), temporary, file_size=len(data), confirm=True)
            try:
                self.sftp.posix_rename(temporary, name)
            except OSError:
                if self._exists(name):
                    self.sftp.remove(name)
                self.sftp.rename(temporary, name)
        except (OSError, self._paramiko.SSHException) as exc:
            raise DropError(f"writing {name} to {self.address.host} failed: "
                            f"{_reply(exc)}") from exc

    def _exists(self, path: str) -> bool:
        try:
            self.sftp.stat(path)
        except FileNotFoundError:
            return False
        return True

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.sftp.close()
        with contextlib.suppress(Exception):
            self.transport.close()


def host_key_fingerprint(key_bytes: bytes) -> str:
    """A host key's fingerprint as OpenSSH prints it: ``SHA256:`` and unpadded base64."""
    digest = hashlib.sha256(key_bytes).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def _reply(exc: BaseException | None) -> str:
    text = " ".join(str(exc or "no answer").split())[:300]
    return text or type(exc).__name__


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
