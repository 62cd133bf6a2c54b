"""Fetching over HTTP(S), hop by hop, and reading local files: see the package docstring."""

from __future__ import annotations

import email.utils
import http.client
import ipaddress
import os
import socket
import ssl
import threading
import zlib
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin

import urllib3
from urllib3.util import parse_url
from urllib3.util.ssl_ import create_urllib3_context
from urllib3.util.ssl_match_hostname import CertificateError

from wiredesk import __version__
from wiredesk.wire.fetch.deadline import (
    Deadline,
    HTTPConnectionWithDeadline,
    HTTPSConnectionWithDeadline,
)
from wiredesk.wire.fetch.errors import FetchError
from wiredesk.wire.fetch.policy import DEFAULT_POLICY, FetchPolicy, IPAddress

USER_AGENT = f"wiredesk/{__version__} (+https://github.com/wiredesk/wiredesk; feed fetcher)"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_TIMEOUT = 20.0  # seconds for the whole fetch, redirects and body included
CONNECT_TIMEOUT = 10.0  # at most this much of it for one TCP connect
MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, "
               "application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.5")
# What is asked for is only a preference: the bytes are sniffed whatever the answer says.
PICTURE_ACCEPT = "image/jpeg, image/png, image/webp, image/gif;q=0.8, image/*;q=0.5"


@dataclass(slots=True)
class FetchResult:
    url: str
    status: int
    body: bytes = b""
    etag: str = ""
    last_modified: str = ""
    content_type: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def parse_retry_after(value: str | None, now: datetime | None = None) -> timedelta | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = when - (now or datetime.now(UTC))
    return max(delta, timedelta(0))


def read_file(path: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> FetchResult:
    target = Path(path).expanduser()
    try:
        size = target.stat().st_size
        if size > max_bytes:
            raise FetchError(f"file is {size} bytes, over the {max_bytes}-byte limit")
        return FetchResult(url=str(target), status=200, body=target.read_bytes())
    except FetchError:
        raise
    except OSError as exc:
        raise FetchError(f"cannot read {target}: {exc.strerror or exc}") from exc


class _Decoder:
    """Decompress gzip/deflate ourselves, never producing more than the cap allows.

    ``max_length`` bounds each step, so a gzip bomb costs at most the cap in memory
    before it is stopped, whatever its compression ratio.
    """

    def __init__(self, encoding: str):
        encoding = encoding.strip().lower()
        if encoding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._z = zlib.decompressobj(zlib.MAX_WBITS)
            self._raw_deflate_tried = False
        elif encoding in ("", "identity"):
            self._z = None
        else:
            raise FetchError(f"unsupported Content-Encoding {encoding!r}")
        self.encoding = encoding

    def feed(self, chunk: bytes, limit: int) -> bytes:
        if self._z is None:
            return chunk
        out = []
        data = chunk
        produced = 0
        while True:
            try:
                piece = self._z.decompress(data, max(limit - produced + 1, 1))
            except zlib.error as exc:
                if self.encoding == "deflate" and not self._raw_deflate_tried and not produced:
                    # Many servers send raw deflate under "deflate".
                    self._raw_deflate_tried = True
                    self._z = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise FetchError(f"corrupt {self.encoding} body: {exc}") from exc
            out.append(piece)
            produced += len(piece)
            if produced > limit:
                break
            data = self._z.unconsumed_tail
            if not data:
                break
        return b"".join(out)


_lookups: ThreadPoolExecutor | None = None
_lookups_lock = threading.Lock()


def _forget_lookup_pool() -> None:
    global _lookups
    _lookups = None  # a forked child has none of its parent's worker threads


os.register_at_fork(after_in_child=_forget_lookup_pool)


def _lookup_pool() -> ThreadPoolExecutor:
    # getaddrinfo takes no timeout: a lookup runs in a worker so the deadline holds.
    global _lookups
    with _lookups_lock:
        if _lookups is None:
            _lookups = ThreadPoolExecutor(max_workers=4, thread_name_prefix="wiredesk-lookup")
        return _lookups


def resolve(host: str, port: int, deadline: Deadline) -> list[IPAddress]:
    """Every address ``host`` stands for, looked up once.

    The system resolver also reads the odd spellings of numeric hosts (``2130706433``,
    ``0177.0.0.1``, ``0x7f000001``, ``127.1``) exactly as a connection would, so they
    are checked as the address they really are.
    """
    # "127.0.0.1." and "localhost." are the same hosts written as absolute names.
    bare = host.strip("[]").rstrip(".")
    try:
        return [ipaddress.ip_address(bare)]
    except ValueError:
        pass
    future = _lookup_pool().submit(socket.getaddrinfo, bare, port, type=socket.SOCK_STREAM)
    try:
        infos = future.result(timeout=deadline.remaining())
    except FutureTimeout:
        raise FetchError(deadline.message) from None
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"cannot resolve {host}: {getattr(exc, 'strerror', None) or exc}") \
            from exc
    addresses: list[IPAddress] = []
    for *_rest, sockaddr in infos:
        ip = ipaddress.ip_address(sockaddr[0])
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise FetchError(f"cannot resolve {host}: no address")
    return addresses


def checked_addresses(host: str, port: int, policy: FetchPolicy, timeout: float, *,
                      error: type[FetchError] = FetchError) -> list[IPAddress]:
    """``host``'s addresses, looked up once within ``timeout`` and each allowed by
    ``policy``: what a drop folder or mailbox then connects to. Raises ``error``."""
    deadline = Deadline(timeout)
    try:
        addresses = resolve(host, port, deadline)
        policy.check(host, addresses)
    except FetchError as exc:
        raise error(str(exc), permanent=exc.permanent) from exc
    finally:
        deadline.close()
    return addresses


@dataclass(slots=True)
class _Target:
    """One hop, checked: where to connect, and what to tell the server it is."""

    scheme: str
    host: str  # as in the URL (lowercase; an IPv6 address in brackets)
    port: int
    host_header: str
    request_uri: str
    addresses: list[IPAddress]


def _target(url: str, policy: FetchPolicy, deadline: Deadline) -> _Target:
    try:
        parts = parse_url(url)
    except urllib3.exceptions.LocationParseError as exc:
        raise FetchError(f"not a valid URL: {url[:200]}") from exc
    scheme = (parts.scheme or "").lower()
    if scheme not in ("http", "https") or not parts.host:
        raise FetchError(f"only http and https URLs are fetched, not {url[:200]!r}")
    default_port = 443 if scheme == "https" else 80
    port = parts.port or default_port
    host = parts.host.lower()
    addresses = resolve(host, port, deadline)
    policy.check(host, addresses)
    return _Target(scheme=scheme, host=host, port=port,
                   host_header=host if port == default_port else f"{host}:{port}",
                   request_uri=parts.request_uri, addresses=addresses)


_contexts: dict[str, ssl.SSLContext] = {}


def _tls_context(ca_bundle: str) -> ssl.SSLContext:
    """The system's trusted CAs plus those in ``ca_bundle`` (a PEM file), made once."""
    context = _contexts.get(ca_bundle)
    if context is None:
        context = create_urllib3_context()
        context.load_default_certs()
        try:
            context.load_verify_locations(cafile=ca_bundle)
        except (OSError, ssl.SSLError) as exc:
            raise FetchError(f"cannot read the CA bundle {ca_bundle}: {exc}",
                             permanent=True) from exc
        _contexts[ca_bundle] = context
    return context


def _open(target: _Target, headers: dict[str, str], deadline: Deadline, *,
          method: str = "GET", body: bytes | None = None, ca_bundle: str = ""):
    """Connect to one of the checked addresses (never the name again) and send the request."""
    problem: Exception | None = None
    for ip in target.addresses:
        connect_timeout = min(deadline.remaining(), CONNECT_TIMEOUT)
        if target.scheme == "https":
            # SNI and the certificate check use the name; the socket uses the address.
            name = target.host.strip("[]")
            conn = HTTPSConnectionWithDeadline(
                str(ip), target.port, timeout=connect_timeout, server_hostname=name,
                assert_hostname=name, ssl_context=_tls_context(ca_bundle) if ca_bundle else None)
        else:
            conn = HTTPConnectionWithDeadline(str(ip), target.port, timeout=connect_timeout)
        conn.deadline = deadline
        try:
            conn.connect()
        except CertificateError as exc:
            deadline.unwatch()
            conn.close()
            raise FetchError(f"the TLS certificate of {target.host_header} is not valid "
                             f"for that name: {exc}") from exc
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            deadline.unwatch()
            conn.close()
            problem = exc
            continue  # the name's next address, if it has one
        try:
            conn.timeout = deadline.remaining()  # each read below; the timer bounds the sum
            conn.request(method, target.request_uri, body=body,
                         headers={**headers, "Host": target.host_header},
                         preload_content=False, decode_content=False)
            return conn, conn.getresponse()
        except BaseException:
            deadline.unwatch()
            conn.close()
            raise
    reason = getattr(problem, "reason", None) or problem
    raise FetchError(f"cannot connect to {target.host_header}: {reason}")


def _read_body(response, *, max_bytes: int, deadline: Deadline) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"body is {declared} bytes, over the {max_bytes}-byte limit",
                         permanent=True)
    decoder = _Decoder(response.headers.get("content-encoding", ""))
    chunks: list[bytes] = []
    total = raw_total = 0
    for raw in response.stream(_CHUNK, decode_content=False):
        deadline.remaining()
        raw_total += len(raw)
        if raw_total > max_bytes:
            raise FetchError(f"body exceeds the {max_bytes}-byte limit", permanent=True)
        chunk = decoder.feed(raw, max_bytes - total)
        total += len(chunk)
        if total > max_bytes:
            raise FetchError(f"body exceeds the {max_bytes}-byte limit after decompression",
                             permanent=True)
        chunks.append(chunk)
    # A socket shut down by the deadline ends the stream like a closed connection would:
    # what was read is incomplete, not a body.
    deadline.remaining()
    return b"".join(chunks)


def fetch(source: str, *, etag: str = "", last_modified: str = "",
          timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES,
          policy: FetchPolicy | None = None, accept: str = FEED_ACCEPT) -> FetchResult:
    """Fetch a URL or read a local path. Raises FetchError with a readable message.

    ``policy`` says which non-public hosts may be reached (none by default);
    ``timeout`` bounds the whole fetch, redirects and body included; ``accept`` is the
    Accept header (feeds and pages by default; ``PICTURE_ACCEPT`` for pictures).
    """
    if not is_url(source):
        return read_file(source, max_bytes=max_bytes)
    headers = {"User-Agent": USER_AGENT, "Accept": accept,
               "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = Deadline(timeout)
    try:
        return _follow(source, headers, policy or DEFAULT_POLICY, deadline,
                       etag=etag, last_modified=last_modified, max_bytes=max_bytes)
    except (FetchError, urllib3.exceptions.HTTPError, http.client.HTTPException,
            OSError) as exc:
        if deadline.passed:
            # Whatever broke when the socket was shut down, the reason is the time.
            raise FetchError(deadline.message) from exc
        if isinstance(exc, FetchError):
            raise
        raise FetchError(f"fetch failed: {exc}") from exc
    finally:
        deadline.close()


def _follow(url: str, headers: dict[str, str], policy: FetchPolicy, deadline: Deadline, *,
            etag: str, last_modified: str, max_bytes: int) -> FetchResult:
    """Request ``url``, following redirects ourselves so that every hop is checked."""
    for _hop in range(MAX_REDIRECTS + 1):
        target = _target(url, policy, deadline)
        conn, response = _open(target, headers, deadline)
        try:
            status = response.status
            response_headers = {k.lower(): v for k, v in response.headers.items()}
            location = response_headers.get("location", "").strip()
            if status in REDIRECT_STATUSES and location:
                url = urljoin(url, location)
                continue
            if status == 304:
                return FetchResult(url=url, status=304, etag=etag, last_modified=last_modified,
                                   headers=response_headers)
            if status >= 400:
                # Reported (with its Retry-After) to the feed's backoff, never retried here.
                raise FetchError(f"HTTP {status} from server", status=status,
                                 retry_after=parse_retry_after(response_headers.get("retry-after")))
            body = _read_body(response, max_bytes=max_bytes, deadline=deadline)
            return FetchResult(
                url=url, status=status, body=body,
                etag=response_headers.get("etag", ""),
                last_modified=response_headers.get("last-modified", ""),
                content_type=response_headers.get("content-type", ""),
                headers=response_headers,
            )
        finally:
            deadline.unwatch()
            conn.close()
    raise FetchError(f"too many redirects (more than {MAX_REDIRECTS})")
