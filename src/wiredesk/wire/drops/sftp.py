"""A drop folder over SFTP, its host key checked."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import os
import socket
import stat
import time

from wiredesk.wire.drops.common import (
    CHUNK,
    DropError,
    DropFile,
    FileRefused,
    plain_name,
    reply_text,
)
from wiredesk.wire.fetch.http import checked_addresses
from wiredesk.wire.fetch.policy import FetchPolicy, IPAddress
from wiredesk.wire.sources import SourceAddress


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
        addresses = checked_addresses(address.host, address.port, policy, timeout,
                                      error=DropError)
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
            raise DropError(f"SFTP login to {address.host} failed: {reply_text(exc)}") from exc
        where = address.path or "/"
        try:
            self.sftp.chdir(where)
        except (OSError, paramiko.SSHException) as exc:
            self.close()
            raise DropError(f"cannot enter {where} on {address.host}: {reply_text(exc)}") from exc

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
                raise DropError(f"SSH with {self.address.host} failed: {reply_text(exc)}") \
                    from exc
            return transport
        raise DropError(f"cannot connect to {self.address.host}:{self.address.port}: "
                        f"{reply_text(problem)}")

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
                raise DropError(f"cannot read the SSH key {key_file}: {reply_text(exc)}",
                                permanent=True) from exc
            self.transport.auth_publickey(user, private)
        else:
            self.transport.auth_password(user, self.address.password)

    def list(self) -> list[DropFile]:
        try:
            entries = self.sftp.listdir_attr()
        except (OSError, self._paramiko.SSHException) as exc:
            raise DropError(f"cannot list the folder on {self.address.host}: "
                            f"{reply_text(exc)}") from exc
        files = [DropFile(entry.filename, entry.st_size or 0, str(entry.st_mtime or ""))
                 for entry in entries
                 if stat.S_ISREG(entry.st_mode or 0) and plain_name(entry.filename)]
        return sorted(files, key=lambda f: (f.modified, f.name))

    def read(self, name: str, *, max_bytes: int) -> bytes:
        chunks: list[bytes] = []
        total = 0
        try:
            with self.sftp.open(name, "rb") as handle:
                while True:
                    chunk = handle.read(CHUNK)
                    if not chunk:
                        break
                    total += len(chunk)
                    if total > max_bytes:
                        raise FileRefused(f"over the {max_bytes}-byte limit")
                    chunks.append(chunk)
        except FileRefused:
            raise
        except PermissionError as exc:
            raise FileRefused(f"cannot be read: {reply_text(exc)}") from exc
        except (OSError, self._paramiko.SSHException) as exc:
            raise DropError(f"reading {name} from {self.address.host} failed: "
                            f"{reply_text(exc)}") from exc
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
            return f"not moved to {subfolder}/: {reply_text(exc)}"
        except (OSError, self._paramiko.SSHException) as exc:
            raise DropError(f"moving {name} on {self.address.host} failed: "
                            f"{reply_text(exc)}") from exc
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
                            f"{reply_text(exc)}") from exc

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
