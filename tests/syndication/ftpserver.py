"""A partner's FTP drop folder on loopback (pyftpdlib), for push tests."""

from __future__ import annotations

import threading
import warnings
from pathlib import Path

with warnings.catch_warnings():  # pyftpdlib is built on asyncore/asynchat (3.11: deprecated)
    warnings.simplefilter("ignore", DeprecationWarning)
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler
    from pyftpdlib.servers import FTPServer


class DropFolder:
    def __init__(self, root: Path, *, user: str = "partner", password: str = "drop-pass"):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        (root / "incoming").mkdir(exist_ok=True)
        authorizer = DummyAuthorizer()
        authorizer.add_user(user, password, str(root), perm="elradfmwMT")
        handler = type("Handler", (FTPHandler,), {"authorizer": authorizer,
                                                  "banner": "test drop folder"})
        self.server = FTPServer(("127.0.0.1", 0), handler)
        self.port = self.server.address[1]
        self.url = f"ftp://{user}:{password}@127.0.0.1:{self.port}/incoming"
        self.thread = threading.Thread(
            target=lambda: self.server.serve_forever(timeout=0.05), daemon=True)

    def __enter__(self) -> DropFolder:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.close_all()
        self.thread.join(5)

    def files(self) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted((self.root / "incoming").iterdir())}
