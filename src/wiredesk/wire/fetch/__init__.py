"""Bytes in: HTTP(S) with conditional GET and hard caps, or a local file.

With ``drops`` and ``mail`` (which resolve and check their servers here too), the only
module in ``wire`` that touches the network. Every cap is enforced while
streaming and after decompression, so neither a huge body nor a gzip bomb can
exhaust memory.

Feed and page URLs come from outside (agencies, feeds' item links, redirects), so a
fetch must not become a way into the machine's own network (SSRF). Every hop's host is
resolved once, each address is checked against a :class:`FetchPolicy`, and the
connection is made to the address that was checked: a second lookup would let a
name answer differently the second time (DNS rebinding). Redirects are followed here,
hop by hop, so each one is checked the same way.

``timeout`` is a hard wall-clock limit on the whole fetch (lookups, connections,
redirects, headers, body), enforced on the socket: per-read timeouts alone let a
server that drips a byte at a time keep a fetch alive for ever.

``post`` pushes a body (to a partner's webhook, a WebSub hub or subscriber) under the
same rules: address checked and pinned, every redirect hop checked, one hard time limit;
``PushSession`` does the same over a kept-alive connection (many pushes to one partner).
"""

from wiredesk.wire.fetch.errors import FetchError
from wiredesk.wire.fetch.http import (
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUT,
    MAX_REDIRECTS,
    PICTURE_ACCEPT,
    USER_AGENT,
    FetchResult,
    fetch,
    is_url,
    parse_retry_after,
    read_file,
)
from wiredesk.wire.fetch.policy import DEFAULT_POLICY, FetchPolicy, address_problem
from wiredesk.wire.fetch.push import PostResult, PushSession, post

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_POLICY",
    "DEFAULT_TIMEOUT",
    "MAX_REDIRECTS",
    "PICTURE_ACCEPT",
    "USER_AGENT",
    "FetchError",
    "FetchPolicy",
    "FetchResult",
    "PostResult",
    "PushSession",
    "address_problem",
    "fetch",
    "is_url",
    "parse_retry_after",
    "post",
    "read_file",
]
