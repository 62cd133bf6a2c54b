"""A real SFTP server on loopback for tests (asyncssh, in a thread of its own): one user
with a password, whose files are a folder the test writes into; an ephemeral port."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from urllib.parse import quote

import asyncssh


class SftpServer:
    user = "agency"
    password = "s3cret/p@ss"

    def __init__(self, home: Path):
        self.home = home
        home.mkdir(parents=True, exist_ok=True)
        self.host_key = asyncssh.generate_private_key("ssh-ed25519")
        self.fingerprint = self.host_key.get_fingerprint("sha256")
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.acceptor = None

    def __enter__(self) -> SftpServer:
        self.thread.start()
        server = self

        class Server(asyncssh.SSHServer):
            def begin_auth(self, username):
                return True

            def password_auth_supported(self):
                return True

            def validate_password(self, username, password):
                return username == server.user and password == server.password

        def sftp(channel):
            return asyncssh.SFTPServer(channel, chroot=str(self.home))

        async def start():
            return await asyncssh.listen(
                "127.0.0.1", 0, server_host_keys=[self.host_key], server_factory=Server,
                sftp_factory=sftp, allow_scp=False)

        self.acceptor = asyncio.run_coroutine_threadsafe(start(), self.loop).result(10)
        self.port = self.acceptor.get_port()
        return self

    def url(self, path: str = "/", *, hostkey: str | None = None,
            password: str | None = None, query: str = "") -> str:
        secret = quote(self.password if password is None else password, safe="")
        options = [f"hostkey={self.fingerprint if hostkey is None else hostkey}"] \
            if hostkey != "" else []
        options += [query] if query else []
        return (f"sftp://{self.user}:{secret}@127.0.0.1:{self.port}{path}"
                + (f"?{'&'.join(options)}" if options else ""))

    def __exit__(self, *exc) -> None:
        async def stop():
            self.acceptor.close()
            await self.acceptor.wait_closed()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        self.loop.close()
