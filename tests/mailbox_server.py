"""A real IMAP and POP3 server for tests: Debian's Dovecot, in a temporary directory.

    server = MailboxServer.start()           # or the `mailbox_server` fixture
    server.add_message(b"From: ...", user="bounces")
    server.url("imap")                       # imap://bounces:secret@127.0.0.1:PORT/INBOX
    server.url("pop3s")                      # TLS; trust server.ca_file (SSL_CERT_FILE)
    server.messages(user="bounces")          # what is still in the inbox (bytes)
    server.stop()

In tests: the session fixture ``mailbox_server`` (one Dovecot for the run) and
``mailbox_user`` (a fresh user name, so a fresh mailbox, per test), both registered in
tests/conftest.py. For IMAPS/POP3S, ``monkeypatch.setenv("SSL_CERT_FILE",
str(server.ca_file))``: Python's default TLS context then trusts the server's test CA.

Dovecot runs with its own configuration in the temporary directory (nothing of the
machine's), on free loopback ports, each user's mail a Maildir there; messages are
added by writing them into the Maildir, as a delivery agent would. The server is
skipped, not failed, where dovecot is not installed (`make dovecot` installs it).
Any user name logs in with the password ``secret``; its Maildir is made on first use.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists(
    "/usr/sbin/dovecot") else None)
PASSWORD = "secret"
SCHEMES = ("imap", "imaps", "pop3", "pop3s")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _make_certificate(directory: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1 and localhost it signed."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "wiredesk test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(days=1))
          .not_valid_after(now + dt.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                       crl_sign=True, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False,
                                       decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(ca_key, hashes.SHA256()))
    ca_file, cert_file, key_file = (directory / "ca.pem", directory / "server.pem",
                                    directory / "server.key")
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_file.chmod(0o600)
    return ca_file, cert_file, key_file


class MailboxServer:
    def __init__(self, root: Path):
        self.root = root
        self.ports = {scheme: _free_port() for scheme in SCHEMES}
        self.users: set[str] = set()
        self._process: subprocess.Popen | None = None

    # --- lifecycle ----------------------------------------------------------------

    @classmethod
    def start(cls) -> MailboxServer:
        if DOVECOT is None:
            pytest.skip("dovecot is not installed (make dovecot)")
        # Dovecot's unprivileged processes must reach the files: not under a 0700 dir.
        root = Path(tempfile.mkdtemp(prefix="wiredesk-dovecot-", dir="/tmp"))
        root.chmod(0o755)
        server = cls(root)
        server._configure()
        server._run()
        return server

    def _configure(self) -> None:
        root = self.root
        (root / "run").mkdir()
        (root / "state").mkdir()
        (root / "mail").mkdir(mode=0o755)
        self.ca_file, cert_file, key_file = _make_certificate(root)
        if os.geteuid() == 0:
            # Dovecot drops privileges: logins as "dovenull", mail as "nobody".
            login_user, internal_user = "dovenull", "dovecot"
            mail_user = pwd.getpwnam("nobody")
        else:
            me = pwd.getpwuid(os.geteuid())
            login_user = internal_user = me.pw_name
            mail_user = me
        self._mail_uid, self._mail_gid = mail_user.pw_uid, mail_user.pw_gid
        (root / "mail").chmod(0o777)
        ports = self.ports
        (root / "dovecot.conf").write_text(f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = 1
auth_failure_delay = 0
first_valid_gid = 1
auth_mechanisms = plain login
disable_plaintext_auth = no
ssl = yes
ssl_cert = <{cert_file}
ssl_key = <{key_file}
mail_location = maildir:{root}/mail/%u
mail_uid = {self._mail_uid}
mail_gid = {self._mail_gid}
pop3_uidl_format = %08Xu%08Xv
passdb {{
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid={self._mail_uid} gid={self._mail_gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {ports['imap']}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {ports['imaps']}
    ssl = yes
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    address = 127.0.0.1
    port = {ports['pop3']}
  }}
  inet_listener pop3s {{
    address = 127.0.0.1
    port = {ports['pop3s']}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
service pop3-login {{
  chroot =
}}
""")

    def _run(self) -> None:
        # -F: stay in the foreground, a child of this process, stopped with it.
        self._process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                error = self._process.stderr.read().decode(errors="replace")
                raise RuntimeError(f"dovecot did not start: {error}\n{self.log()}")
            if all(self._listening(port) for port in self.ports.values()):
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"dovecot did not listen within 20 s\n{self.log()}")

    @staticmethod
    def _listening(port: int) -> bool:
        with socket.socket() as sock:
            sock.settimeout(0.2)
            return sock.connect_ex(("127.0.0.1", port)) == 0

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(5)
        self._process = None
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # --- users and mail ---------------------------------------------------------

    def add_user(self, user: str) -> None:
        if user in self.users:
            return
        maildir = self._maildir(user)
        for sub in ("new", "cur", "tmp"):
            (maildir / sub).mkdir(parents=True, exist_ok=True)
        for path in (maildir, *(maildir / sub for sub in ("new", "cur", "tmp"))):
            os.chown(path, self._mail_uid, self._mail_gid)
        self.users.add(user)

    def _maildir(self, user: str) -> Path:
        return self.root / "mail" / user

    def add_message(self, data: bytes, *, user: str = "bounces") -> None:
        """Deliver one message into the user's INBOX."""
        self.add_user(user)
        maildir = self._maildir(user)
        name = f"{time.time_ns()}.{uuid.uuid4().hex}.wiredesk-test"
        tmp = maildir / "tmp" / name
        tmp.write_bytes(data)
        os.chown(tmp, self._mail_uid, self._mail_gid)
        tmp.rename(maildir / "new" / name)

    def messages(self, *, user: str = "bounces", folder: str = "INBOX") -> list[bytes]:
        """The messages still in the folder (those not deleted or moved away)."""
        maildir = self._maildir(user) if folder == "INBOX" else \
            self._maildir(user) / f".{folder}"
        found = []
        for sub in ("new", "cur"):
            directory = maildir / sub
            if not directory.exists():
                continue
            for path in sorted(directory.iterdir()):
                flags = path.name.partition(":2,")[2]
                if "T" not in flags:  # T: flagged \Deleted, not yet expunged
                    found.append(path.read_bytes())
        return found

    def url(self, scheme: str = "imap", *, user: str = "bounces", folder: str = "",
            query: str = "") -> str:
        self.add_user(user)
        path = f"/{folder}" if folder else ("/INBOX" if scheme.startswith("imap") else "")
        return (f"{scheme}://{user}:{PASSWORD}@127.0.0.1:{self.ports[scheme]}{path}"
                + (f"?{query}" if query else ""))


@pytest.fixture(scope="session")
def mailbox_server():
    """One Dovecot for the session; each test uses its own user (a fresh mailbox)."""
    server = MailboxServer.start()
    yield server
    server.stop()


@pytest.fixture
def mailbox_user() -> str:
    return "u" + uuid.uuid4().hex[:12]
