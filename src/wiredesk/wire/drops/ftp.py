"""A drop folder over FTP or FTPS."""

from __future__ import annotations

import contextlib
import ftplib
import io
import os
import ssl
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


class _Overflow(Exception):
    pass


class FtpFolder:
    """A folder on an FTP server, plain or with explicit TLS (``AUTH TLS``, data
    connections protected too). Passive mode; the data connection goes to the address
    the control connection was checked for, never to one the server names."""

    def __init__(self, address: SourceAddress, *, timeout: float, policy: FetchPolicy):
        self.address = address
        self.timeout = timeout
        addresses = checked_addresses(address.host, address.port, policy, timeout,
                                      error=DropError)
        self.ftp = self._connect(addresses)
        where = address.path or "/"
        try:
            self.ftp.cwd(where)
        except ftplib.all_errors as exc:
            self.close()
            raise DropError(f"cannot enter {where} on {address.host}: {reply_text(exc)}") from exc

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
                raise DropError(f"FTP login to {self.address.host} failed: {reply_text(exc)}") \
                    from exc
            return ftp
        raise DropError(f"cannot connect to {self.address.host}:{self.address.port}: "
                        f"{reply_text(problem)}")

    def list(self) -> list[DropFile]:
        try:
            try:
                entries = [(name, facts) for name, facts in
                           self.ftp.mlsd(facts=["type", "size", "modify"])
                           if facts.get("type", "file") == "file"]
                files = [DropFile(name, int(facts.get("size") or 0), facts.get("modify", ""))
                         for name, facts in entries if plain_name(name)]
            except ftplib.error_perm:  # no MLSD: names, then each file's size and time
                files = []
                for name in self.ftp.nlst():
                    name = name.rsplit("/", 1)[-1]
                    if not plain_name(name):
                        continue
                    try:
                        size = self.ftp.size(name)
                        modified = self.ftp.voidcmd(f"MDTM {name}")[4:].strip()
                    except ftplib.error_perm:
                        continue  # a folder, or gone
                    files.append(DropFile(name, int(size or 0), modified))
        except (OSError, ftplib.Error, EOFError, ValueError) as exc:
            raise DropError(f"cannot list the folder on {self.address.host}: "
                            f"{reply_text(exc)}") from exc
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
            self.ftp.retrbinary(f"RETR {name}", take, blocksize=CHUNK)
        except _Overflow:
            with contextlib.suppress(Exception):
                self.ftp.voidresp()  # the aborted transfer's closing reply
            raise FileRefused(f"over the {max_bytes}-byte limit") from None
        except ftplib.error_perm as exc:
            raise FileRefused(f"cannot be read: {reply_text(exc)}") from exc
        except (OSError, ftplib.Error, EOFError) as exc:
            raise DropError(f"reading {name} from {self.address.host} failed: "
                            f"{reply_text(exc)}") from exc
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
            return f"not moved to {subfolder}/: {reply_text(exc)}"
        except (OSError, ftplib.Error, EOFError) as exc:
            raise DropError(f"moving {name} on {self.address.host} failed: "
                            f"{reply_text(exc)}") from exc
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
                            f"{reply_text(exc)}") from exc

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
