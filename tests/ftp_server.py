"""A real FTP server on loopback for tests (pyftpdlib): one user whose home is a folder
the test writes into, on an ephemeral port, served from a thread."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from urllib.parse import quote

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import ThreadedFTPServer


class FtpServer:
    user = "agency"
    password = "s3cret:p@ss"  # characters a URL must percent-encode

    def __init__(self, home: Path, *, handler: type[FTPHandler] = FTPHandler,
                 tls: tuple[Path, Path] | None = None):
        """``handler=TLS_FTPHandler`` with ``tls=(certificate, key)``: FTPS, TLS required
        on the control and the data connections."""
        self.home = home
        home.mkdir(parents=True, exist_ok=True)
        authorizer = DummyAuthorizer()
        authorizer.add_user(self.user, self.password, str(home), perm="elradfmwMT")

        class Handler(handler):
            pass

        Handler.authorizer = authorizer
        Handler.passive_ports = None
        Handler.permit_foreign_addresses = False
        if tls is not None:
            Handler.certfile, Handler.keyfile = str(tls[0]), str(tls[1])
            Handler.tls_control_required = Handler.tls_data_required = True
        logging.getLogger("pyftpdlib").setLevel(logging.WARNING)
        self.server = ThreadedFTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.address[1]
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"timeout": 0.2}, daemon=True)

    def url(self, path: str = "/", *, password: str | None = None, scheme: str = "ftp",
            query: str = "") -> str:
        secret = quote(self.password if password is None else password, safe="")
        return (f"{scheme}://{self.user}:{secret}@127.0.0.1:{self.port}{path}"
                + (f"?{query}" if query else ""))

    def __enter__(self) -> FtpServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.close_all()
        self.thread.join(timeout=5)
