"""DKIM: one signing key per sending domain, and the signature on every message that
leaves for the relay.

Keys are PEM files in ``WIREDESK_DKIM_KEYS`` (default ``$WIREDESK_DATA_DIR/dkim/``), each
named after the DNS record that publishes its public half:
``<selector>._domainkey.<domain>.pem`` (``wd2026._domainkey.chilesun.example.pem``), so the
file says where its record goes and nothing else needs configuring. A message is signed
with the key of its From domain (or of the nearest parent domain that has one, which
DMARC's relaxed alignment accepts); with several selectors for one domain (a key being
rotated in) the last in name order signs. A message from a domain without a key goes out
unsigned, and ``wiredesk mail check`` says so.

Signing is the last step on the finished bytes (relaxed/relaxed canonicalization, which
survives a relay refolding headers); anything added after it would break the signature.
"""

from __future__ import annotations

import base64
import functools
import logging
import re
from dataclasses import dataclass
from email.utils import getaddresses
from pathlib import Path

from wiredesk.errors import WiredeskError

log = logging.getLogger(__name__)

KEY_SUFFIX = ".pem"
_KEY_NAME = re.compile(r"^(?P<selector>[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)\._domainkey\."
                       r"(?P<domain>(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63})$")

# What the signature covers, when the message has it: who, what, when, the unsubscribe
# headers (RFC 8058 wants List-Unsubscribe-Post signed) and how the body is to be read.
SIGNED_HEADERS = (
    "From", "Sender", "Reply-To", "To", "Cc", "Subject", "Date", "Message-ID",
    "In-Reply-To", "References", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post",
    "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
)
# Signed once more than they occur, so that a copy with one of them added fails.
OVERSIGNED = ("From", "Subject", "Reply-To", "List-Unsubscribe", "List-Unsubscribe-Post")


class DkimKeyError(WiredeskError):
    """A key file that cannot be used (unreadable, not an RSA private key)."""


@dataclass(frozen=True)
class SigningKey:
    domain: str
    selector: str
    path: Path

    @property
    def record_name(self) -> str:
        return f"{self.selector}._domainkey.{self.domain}"

    def private_pem(self) -> bytes:
        try:
            return _read_key(self.path, self.path.stat().st_mtime_ns)
        except OSError as exc:
            raise DkimKeyError(f"cannot read the DKIM key {self.path}: "
                               f"{exc.strerror or exc}") from exc

    def public_key_b64(self) -> str:
        """The ``p=`` of the DNS record: the public key, DER SubjectPublicKeyInfo."""
        return public_key_b64(self.private_pem(), where=str(self.path))

    def dns_record(self) -> str:
        return dns_record(self.public_key_b64())


@functools.lru_cache(maxsize=64)
def _read_key(path: Path, mtime_ns: int) -> bytes:
    # Read once per version of the file, not once per message.
    return path.read_bytes()


def key_name(domain: str, selector: str) -> str:
    return f"{selector}._domainkey.{domain}{KEY_SUFFIX}"


def keys_dir() -> Path:
    from django.conf import settings

    return Path(settings.WIREDESK_DKIM_KEYS)


def signing_keys(directory: Path | None = None) -> dict[str, SigningKey]:
    """Each domain's signing key in ``directory``: the last selector in name order."""
    directory = directory or keys_dir()
    keys: dict[str, SigningKey] = {}
    try:
        paths = sorted(directory.glob("*" + KEY_SUFFIX))
    except OSError:
        return keys
    for path in paths:
        match = _KEY_NAME.match(path.name[:-len(KEY_SUFFIX)].lower())
        if match is None:
            log.warning("DKIM key file %s is not named <selector>._domainkey.<domain>.pem; "
                        "ignored", path)
            continue
        keys[match["domain"]] = SigningKey(match["domain"], match["selector"], path)
    return keys


def key_for(domain: str, keys: dict[str, SigningKey] | None = None) -> SigningKey | None:
    """The key that signs mail from ``domain``: its own, else its nearest parent's."""
    keys = signing_keys() if keys is None else keys
    labels = domain.lower().strip(".").split(".")
    for start in range(len(labels) - 1):
        found = keys.get(".".join(labels[start:]))
        if found is not None:
            return found
    return None


def from_domain(data: bytes) -> str:
    """The domain of the (first) From address in a message's header, or ""."""
    from email.parser import BytesHeaderParser
    from email.policy import compat32

    # Only the header block is parsed: the body may be tens of kilobytes, and this runs
    # for every message that goes to the relay.
    end = min((i for i in (data.find(b"\r\n\r\n"), data.find(b"\n\n")) if i >= 0),
              default=len(data))
    value = BytesHeaderParser(policy=compat32).parsebytes(data[:end]).get("From", "")
    addresses = getaddresses([str(value)])
    address = addresses[0][1] if addresses else ""
    return address.rpartition("@")[2].strip().lower() if "@" in address else ""


def _header_names(data: bytes) -> list[str]:
    head = data.split(b"\r\n\r\n", 1)[0]
    names = []
    for line in head.split(b"\r\n"):
        if line[:1] not in (b" ", b"\t") and b":" in line:
            names.append(line.split(b":", 1)[0].strip().decode("ascii", "replace").lower())
    return names


def sign_with(data: bytes, key: SigningKey) -> bytes:
    """``data`` (CRLF line ends) with a DKIM-Signature header by ``key`` in front."""
    import dkim

    present = set(_header_names(data))
    include = [h for h in SIGNED_HEADERS if h.lower() in present]
    include += [h for h in OVERSIGNED if h.lower() in present]
    try:
        signature = dkim.sign(data, key.selector.encode("ascii"), key.domain.encode("ascii"),
                              key.private_pem(), canonicalize=(b"relaxed", b"relaxed"),
                              include_headers=[h.encode("ascii") for h in include],
                              linesep=b"\r\n")
    except dkim.DKIMException as exc:
        raise DkimKeyError(f"cannot sign with {key.path}: {exc}") from exc
    return signature + data


def sign(data: bytes, keys: dict[str, SigningKey] | None = None) -> bytes:
    """The message as it goes to the relay: signed by its From domain's key when there
    is one (``keys``: ``signing_keys()`` read once by a sender of many messages). A key
    that fails is logged (``wiredesk mail check`` names it too) and the message goes out
    unsigned rather than not at all."""
    if keys is not None and not keys:
        return data  # no key configured: nothing to look up in the message
    domain = from_domain(data)
    key = key_for(domain, keys) if domain else None
    if key is None:
        return data
    try:
        return sign_with(data, key)
    except DkimKeyError:
        log.exception("DKIM signing for %s failed; sent unsigned", domain)
        return data


# --- keys and records -------------------------------------------------------------------

def public_key_b64(private_pem: bytes, *, where: str = "the key") -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    try:
        private = serialization.load_pem_private_key(private_pem, password=None)
    except (ValueError, TypeError) as exc:
        raise DkimKeyError(f"{where} is not a PEM private key without a password: "
                           f"{exc}") from exc
    if not isinstance(private, rsa.RSAPrivateKey):
        raise DkimKeyError(f"{where} is not an RSA key")
    der = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode("ascii")


def dns_record(public_b64: str) -> str:
    return f"v=DKIM1; k=rsa; p={public_b64}"


def generate_key(*, domain: str, selector: str, directory: Path | None = None,
                 bits: int = 2048) -> SigningKey:
    """A new RSA key for ``domain`` written (0600) to the keys directory; refuses to
    replace a key that exists (a published record may already point at it)."""
    import os

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    domain, selector = domain.strip().lower().strip("."), selector.strip().lower()
    name = key_name(domain, selector)
    if not _KEY_NAME.match(name[:-len(KEY_SUFFIX)]):
        raise DkimKeyError(f"not a domain and selector DKIM can use: {domain!r}, "
                           f"{selector!r} (letters, digits and hyphens)")
    directory = directory or keys_dir()
    path = directory / name
    if path.exists():
        raise DkimKeyError(f"{path} exists; choose another --selector to rotate the key")
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    pem = key.private_bytes(serialization.Encoding.PEM,
                            serialization.PrivateFormat.TraditionalOpenSSL,
                            serialization.NoEncryption())
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return SigningKey(domain, selector, path)
