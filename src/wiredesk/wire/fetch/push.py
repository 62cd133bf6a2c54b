"""POST: a push to a partner's endpoint (a webhook, a WebSub hub or subscriber), with the
same checks as a fetch: address checked and pinned, every redirect hop checked, one hard
time limit."""

from __future__ import annotations

import http.client
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin

import urllib3
from urllib3.util.ssl_match_hostname import CertificateError

from wiredesk.wire.fetch.deadline import (
    Deadline,
    HTTPConnectionWithDeadline,
    HTTPSConnectionWithDeadline,
)
from wiredesk.wire.fetch.errors import FetchError
from wiredesk.wire.fetch.http import (
    _CHUNK,
    CONNECT_TIMEOUT,
    DEFAULT_TIMEOUT,
    MAX_REDIRECTS,
    USER_AGENT,
    _open,
    _Target,
    _target,
    _tls_context,
    is_url,
)
from wiredesk.wire.fetch.policy import DEFAULT_POLICY, FetchPolicy

POST_REDIRECTS = frozenset({307, 308})  # the only ones that keep the method and the body
DEFAULT_POST_ANSWER_BYTES = 64 * 1024


def _push_headers(url: str, content_type: str, headers: dict[str, str] | None
                  ) -> dict[str, str]:
    """The headers a push sends, once its address is known to be an http(s) URL."""
    if not is_url(url):
        raise FetchError(f"only http and https URLs take a push, not {url[:200]!r}",
                         permanent=True)
    return {"User-Agent": USER_AGENT, "Accept": "*/*", "Content-Type": content_type,
            **(headers or {})}


@dataclass(slots=True)
class PostResult:
    url: str  # where the answer came from, after any redirect
    status: int
    body: bytes = b""  # the start of the answer, at most ``max_answer_bytes``
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class PushSession:
    """Pushes to one endpoint over a kept-alive connection, under the same rules as ``post``.

    Each push looks the host up and checks it against the policy again; the connection is
    kept only while it goes to one of the addresses checked for this very push (pinning
    holds), and a connection the server closed meanwhile is replaced once (a push is
    idempotent: its receiver keys it). Redirects (307, 308) are followed by ``post``.
    """

    def __init__(self, *, policy: FetchPolicy | None = None, ca_bundle: str = ""):
        self.policy = policy or DEFAULT_POLICY
        self.ca_bundle = ca_bundle
        self._conn = None
        self._where: tuple[str, str, int, str] | None = None

    def __enter__(self) -> PushSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn, self._where = None, None

    def post(self, url: str, body: bytes, *, content_type: str,
             headers: dict[str, str] | None = None, timeout: float = DEFAULT_TIMEOUT,
             max_answer_bytes: int = DEFAULT_POST_ANSWER_BYTES) -> PostResult:
        sent = _push_headers(url, content_type, headers)
        deadline = Deadline(timeout)
        started = time.monotonic()
        try:
            target = _target(url, self.policy, deadline)
            for fresh in (False, True):
                conn = self._connection(target, deadline, fresh=fresh)
                try:
                    conn.timeout = deadline.remaining()
                    conn.request("POST", target.request_uri, body=body,
                                 headers={**sent, "Host": target.host_header},
                                 preload_content=False, decode_content=False)
                    response = conn.getresponse()
                except (urllib3.exceptions.ProtocolError, http.client.HTTPException,
                        ConnectionError) as exc:
                    self.close()
                    if fresh or deadline.passed:
                        raise FetchError(f"push failed: {exc}") from exc
                    continue  # the kept connection was closed by the server: once more
                break
            status = response.status
            answer_headers = {k.lower(): v for k, v in response.headers.items()}
            if status in POST_REDIRECTS and answer_headers.get("location", "").strip():
                self.close()
                return post(urljoin(url, answer_headers["location"].strip()), body,
                            content_type=content_type, headers=headers,
                            timeout=deadline.remaining(), policy=self.policy,
                            ca_bundle=self.ca_bundle, max_answer_bytes=max_answer_bytes)
            answer = _read_answer(response, max_answer_bytes, deadline)
            if (len(answer) >= max_answer_bytes or response.length_remaining
                    or answer_headers.get("connection", "").lower() == "close"):
                self.close()  # an answer not read to its end, or the server said so
            return PostResult(url=url, status=status, body=answer, headers=answer_headers,
                              seconds=time.monotonic() - started)
        except (FetchError, urllib3.exceptions.HTTPError, http.client.HTTPException,
                OSError) as exc:
            self.close()
            if deadline.passed:
                raise FetchError(deadline.message) from exc
            if isinstance(exc, FetchError):
                raise
            raise FetchError(f"push failed: {exc}") from exc
        finally:
            deadline.unwatch()
            deadline.close()

    def _connection(self, target: _Target, deadline: Deadline, *, fresh: bool):
        if not fresh and self._conn is not None and self._where is not None:
            scheme, host, port, ip = self._where
            if (scheme, host, port) == (target.scheme, target.host, target.port) and \
                    any(str(a) == ip for a in target.addresses):
                self._conn.deadline = deadline
                if self._conn.sock is not None:
                    deadline.watch(self._conn.sock)
                return self._conn
        self.close()
        problem: Exception | None = None
        for ip in target.addresses:
            connect_timeout = min(deadline.remaining(), CONNECT_TIMEOUT)
            if target.scheme == "https":
                name = target.host.strip("[]")
                conn = HTTPSConnectionWithDeadline(
                    str(ip), target.port, timeout=connect_timeout, server_hostname=name,
                    assert_hostname=name,
                    ssl_context=_tls_context(self.ca_bundle) if self.ca_bundle else None)
            else:
                conn = HTTPConnectionWithDeadline(str(ip), target.port, timeout=connect_timeout)
            conn.deadline = deadline
            try:
                conn.connect()
            except CertificateError as exc:
                conn.close()
                raise FetchError(f"the TLS certificate of {target.host_header} is not valid "
                                 f"for that name: {exc}") from exc
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                deadline.unwatch()
                conn.close()
                problem = exc
                continue
            self._conn, self._where = conn, (target.scheme, target.host, target.port, str(ip))
            return conn
        reason = getattr(problem, "reason", None) or problem
        raise FetchError(f"cannot connect to {target.host_header}: {reason}")


def post(url: str, body: bytes, *, content_type: str, headers: dict[str, str] | None = None,
         timeout: float = DEFAULT_TIMEOUT, policy: FetchPolicy | None = None,
         ca_bundle: str = "", max_answer_bytes: int = DEFAULT_POST_ANSWER_BYTES) -> PostResult:
    """POST ``body`` to ``url`` under the fetch rules: every hop's address looked up once,
    checked against ``policy`` and pinned; a hard ``timeout`` on the whole exchange.

    Any status is returned, not raised: what counts as an acknowledgement is the caller's
    to say. Only 307 and 308 are followed (they re-send the body; each hop is checked like
    the first); 301, 302 and 303 would turn the POST into a GET and are returned as they
    are. Raises FetchError when there is no answer (refused address, connection, time).
    ``ca_bundle``: a PEM file of CAs trusted besides the system's (a partner's private CA).
    """
    sent = _push_headers(url, content_type, headers)
    deadline = Deadline(timeout)
    started = time.monotonic()
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            target = _target(url, policy or DEFAULT_POLICY, deadline)
            conn, response = _open(target, sent, deadline, method="POST", body=body,
                                   ca_bundle=ca_bundle)
            try:
                status = response.status
                answer_headers = {k.lower(): v for k, v in response.headers.items()}
                location = answer_headers.get("location", "").strip()
                if status in POST_REDIRECTS and location:
                    url = urljoin(url, location)
                    continue
                answer = _read_answer(response, max_answer_bytes, deadline)
                return PostResult(url=url, status=status, body=answer, headers=answer_headers,
                                  seconds=time.monotonic() - started)
            finally:
                deadline.unwatch()
                conn.close()
        raise FetchError(f"too many redirects (more than {MAX_REDIRECTS})", permanent=True)
    except (FetchError, urllib3.exceptions.HTTPError, http.client.HTTPException,
            OSError) as exc:
        if deadline.passed:
            raise FetchError(deadline.message) from exc
        if isinstance(exc, FetchError):
            raise
        raise FetchError(f"push failed: {exc}") from exc
    finally:
        deadline.close()


def _read_answer(response, limit: int, deadline: Deadline) -> bytes:
    """The start of an answer (a partner's "ok" or its error page): the rest is dropped."""
    chunks: list[bytes] = []
    total = 0
    for raw in response.stream(_CHUNK, decode_content=False):
        deadline.remaining()
        chunks.append(raw[: max(limit - total, 0)])
        total += len(raw)
        if total >= limit:
            break
    return b"".join(chunks)
