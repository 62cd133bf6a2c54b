"""Bytes in: HTTP(S) with conditional GET and hard caps, or a local file.

The only module in ``wire`` that touches the network. Every cap is enforced while
streaming and after decompression, so neither a huge body nor a gzip bomb can
exhaust memory.
"""

from __future__ import annotations

import email.utils
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
            "GET", source, headers=headers, preload_content=False, decode_content=True,
            timeout=urllib3.Timeout(connect=min(timeout, 10.0), read=timeout),
            retries=urllib3.Retry(total=MAX_REDIRECTS, connect=0, read=0, status=0,
                                  redirect=MAX_REDIRECTS, raise_on_redirect=True),
        )
    except urllib3.exceptions.MaxRetryError as exc:
        reason = exc.reason or exc
        if isinstance(reason, urllib3.exceptions.ResponseError) or "redirect" in str(reason):
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
        chunks: list[bytes] = []
        total = 0
        try:
            for chunk in response.stream(_CHUNK, decode_content=True):
                total += len(chunk)
                if total > max_bytes:
                    raise FetchError(f"body exceeds the {max_bytes}-byte limit "
                                     "(after decompression)")
                chunks.append(chunk)
        except urllib3.exceptions.HTTPError as exc:
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
