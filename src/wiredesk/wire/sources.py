"""A feed's source read as an address: which transport brings its copy, and how. Pure.

A feed's source is one of:

- ``http://...``, ``https://...``: a web feed (``fetch``);
- a path to a file: read once per poll (``fetch``);
- a path to a directory, or ``file:///path/``: a local drop folder (``drops``);
- ``ftp://user:password@host:port/path``, ``ftps://...`` (explicit TLS, ``AUTH TLS``),
  ``sftp://...``: a remote drop folder (``drops``); options in the query:
  ``done=NAME`` (the subfolder taken files move to, ``done`` by default; empty: left
  where they are, the ledger alone remembers them) and ``failed=NAME`` (where files
  that cannot be read move, ``failed`` by default); for SFTP also ``hostkey=SHA256:...``
  (the server's host key fingerprint: required) and ``key=/path/to/private_key`` (instead
  of a password);
- ``imap://user:password@host:port/MAILBOX``, ``imaps://...``: a mailbox (``mail``),
  ``INBOX`` when no mailbox is named; option ``from=a@agency.example,.agency.example``:
  only mail from these addresses or domains is copy, everything else is skipped.

User and password are percent-encoded as in any URL (``%40`` for ``@``). The password is
never shown in lists, logs and reports: :func:`redact` replaces it there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

from wiredesk.wire.types import WireError

TRANSPORTS = {"http": "http", "https": "http", "ftp": "ftp", "ftps": "ftp", "sftp": "sftp",
              "imap": "imap", "imaps": "imap", "file": "folder"}
DEFAULT_PORTS = {"ftp": 21, "ftps": 21, "sftp": 22, "imap": 143, "imaps": 993}
OPTIONS = {"ftp": {"done", "failed"}, "sftp": {"done", "failed", "hostkey", "key"},
           "imap": {"from"},
           "folder": {"done", "failed"}}


@dataclass(frozen=True, slots=True)
class SourceAddress:
    transport: str  # http, file, folder, ftp, sftp or imap
    scheme: str = ""
    host: str = ""
    port: int = 0
    user: str = ""
    password: str = ""
    path: str = ""
    tls: bool = False
    options: dict[str, str] = field(default_factory=dict)

    def option(self, name: str, default: str = "") -> str:
        return self.options.get(name, default)


def scheme_of(source: str) -> str:
    head, sep, _rest = source.partition("://")
    return head.lower() if sep and head.isalpha() else ""


def transport_of(source: str, *, is_dir: bool = False) -> str:
    """The transport of a source; a plain path is a ``folder`` when it names a directory
    (the caller knows), else a ``file``."""
    scheme = scheme_of(source)
    if scheme:
        return TRANSPORTS.get(scheme, "")
    return "folder" if is_dir else "file"


def parse_source(source: str) -> SourceAddress:
    """The address of a drop folder or mailbox source. Raises WireError with a readable
    message for a source that cannot be one (unknown scheme, no host, a bad port, an
    option that means nothing to its transport)."""
    scheme = scheme_of(source)
    if not scheme:
        return SourceAddress(transport="folder", path=source)
    transport = TRANSPORTS.get(scheme)
    if transport is None:
        raise WireError(f"unknown kind of source {scheme}:// (http, https, ftp, ftps, sftp, "
                        "imap, imaps, file or a path)")
    try:
        parts = urlsplit(source)
        port = parts.port
    except ValueError as exc:
        raise WireError(f"not a valid address: {exc}") from exc
    if transport == "folder":
        if parts.netloc not in ("", "localhost"):
            raise WireError("a file:// drop folder is on this machine: file:///path/")
        return SourceAddress(transport="folder", scheme=scheme, path=unquote(parts.path),
                             options=_options(parts.query, transport))
    if transport == "http":
        return SourceAddress(transport="http", scheme=scheme, host=parts.hostname or "",
                             port=port or (443 if scheme == "https" else 80), path=parts.path)
    if not parts.hostname:
        raise WireError(f"a {scheme}:// source needs a host: {redact(source)}")
    path = unquote(parts.path)
    if transport == "imap":
        path = path.strip("/") or "INBOX"
    return SourceAddress(
        transport=transport, scheme=scheme, host=parts.hostname, port=port or
        DEFAULT_PORTS[scheme], user=unquote(parts.username or ""),
        password=unquote(parts.password or ""), path=path or "/",
        tls=scheme in ("ftps", "imaps"), options=_options(parts.query, transport))


def _options(query: str, transport: str) -> dict[str, str]:
    options = dict(parse_qsl(query, keep_blank_values=True))
    unknown = set(options) - OPTIONS.get(transport, set())
    if unknown:
        known = ", ".join(sorted(OPTIONS.get(transport, ()))) or "none"
        raise WireError(f"unknown option(s) {', '.join(sorted(unknown))} for a {transport} "
                        f"source (known: {known})")
    for name in ("done", "failed"):
        value = options.get(name, "")
        if "/" in value or "\\" in value or value in (".", ".."):
            raise WireError(f"{name}= names one subfolder of the drop folder, not {value!r}")
    return options


def redact(source: str) -> str:
    """``source`` with any password replaced by ``***`` (what is shown and logged)."""
    if "@" not in source or not scheme_of(source):
        return source
    try:
        parts = urlsplit(source)
        password = parts.password
    except ValueError:
        return source.split("://", 1)[0] + "://***"
    if password is None:
        return source
    user = quote(unquote(parts.username or ""), safe="")
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, f"{user}:***@{host}", parts.path, parts.query,
                       parts.fragment))


def host_of(source: str) -> str:
    """The host (and port) a source is reached at, '' for a local one: what the pollers
    limit per host."""
    if not scheme_of(source) or scheme_of(source) == "file":
        return ""
    try:
        netloc = urlsplit(source).netloc
    except ValueError:
        return ""
    return netloc.rsplit("@", 1)[-1].lower()
