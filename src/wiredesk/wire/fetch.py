"""Bytes in: HTTP(S) with conditional GET and hard caps, or a local file.

The only module in ``wire`` that touches the network. Every cap is enforced while
streaming and after decompression, so neither a huge body nor a gzip bomb can
exhaust memory.
"""

from __future__ import annotations

import email.utils
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import urllib3

from wiredesk import __version__
from wiredesk.wire.types import WireError

USER_AGENT = f"wiredesk/{__version__} (+https://github.com/wiredesk/wiredesk; feed fetcher)"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_TIMEOUT = 20.0
MAX_REDIRECTS = 5
TOTAL_TIME_FACTOR = 3  # a whole fetch may take this many read timeouts
_CHUNK = 64 * 1024


class FetchError(WireError):
    """A fetch that failed; ``retry_after`` is set when the server asked us to wait."""

    def __init__(self, message: str, *, status: int | None = None,
                 retry_after: timedelta | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


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


_pool: urllib3.PoolManager | None = None


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


def _manager() -> urllib3.PoolManager:
    global _pool
    if _pool is None:
        _pool = urllib3.PoolManager(num_pools=50, maxsize=4, block=False)
    return _pool


def fetch(source: str, *, etag: str = "", last_modified: str = "",
          timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES) -> FetchResult:
    """Fetch a URL or read a local path. Raises FetchError with a readable message."""
    if not is_url(source):
        return read_file(source, max_bytes=max_bytes)
    headers = {"User-Agent": USER_AGENT,
               "Accept": "application/rss+xml, application/atom+xml, application/feed+json, "
                         "application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.5",
               "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        response = _manager().request(
            "GET", source, headers=headers, preload_content=False, decode_content=False,
            timeout=urllib3.Timeout(connect=min(timeout, 10.0), read=timeout),
            # Redirects only: a 429/503 is reported (with its Retry-After) to the feed's
            # backoff, never retried on the spot.
            retries=urllib3.Retry(total=MAX_REDIRECTS, connect=0, read=0, status=0,
                                  redirect=MAX_REDIRECTS, raise_on_redirect=True,
                                  status_forcelist=(), respect_retry_after_header=False,
                                  raise_on_status=False),
        )
    except urllib3.exceptions.MaxRetryError as exc:
        reason = exc.reason or exc
        if "redirect" in str(reason):
            raise FetchError(f"too many redirects (more than {MAX_REDIRECTS})") from exc
        raise FetchError(f"cannot connect: {reason}") from exc
    except urllib3.exceptions.HTTPError as exc:
        raise FetchError(f"fetch failed: {exc}") from exc
    try:
        status = response.status
        response_headers = {k.lower(): v for k, v in response.headers.items()}
        if status == 304:
            return FetchResult(url=source, status=304, etag=etag, last_modified=last_modified,
                               headers=response_headers)
        if status >= 400:
            raise FetchError(f"HTTP {status} from server", status=status,
                             retry_after=parse_retry_after(response_headers.get("retry-after")))
        declared = response_headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise FetchError(f"body is {declared} bytes, over the {max_bytes}-byte limit")
        decoder = _Decoder(response_headers.get("content-encoding", ""))
        chunks: list[bytes] = []
        total = raw_total = 0
        try:
            deadline = time.monotonic() + timeout * TOTAL_TIME_FACTOR
            for raw in response.stream(_CHUNK, decode_content=False):
                if time.monotonic() > deadline:
                    # The read timeout is per socket read: a server dripping a byte at a
                    # time would never trip it.
                    raise FetchError(f"body took longer than {timeout * TOTAL_TIME_FACTOR:.0f}s")
                raw_total += len(raw)
                if raw_total > max_bytes:
                    raise FetchError(f"body exceeds the {max_bytes}-byte limit")
                chunk = decoder.feed(raw, max_bytes - total)
                total += len(chunk)
                if total > max_bytes:
                    raise FetchError(f"body exceeds the {max_bytes}-byte limit "
                                     "after decompression")
                chunks.append(chunk)
        except urllib3.exceptions.HTTPError as exc:
            raise FetchError(f"reading the body failed: {exc}") from exc
        except OSError as exc:  # timeouts while reading
            raise FetchError(f"reading the body failed: {exc}") from exc
        return FetchResult(
            url=response.geturl() or source, status=status, body=b"".join(chunks),
            etag=response_headers.get("etag", ""),
            last_modified=response_headers.get("last-modified", ""),
            content_type=response_headers.get("content-type", ""),
            headers=response_headers,
        )
    finally:
        response.release_conn()
