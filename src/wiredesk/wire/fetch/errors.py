"""The one error a fetch raises."""

from __future__ import annotations

from datetime import timedelta

from wiredesk.wire.types import WireError


class FetchError(WireError):
    """A fetch that failed; ``retry_after`` is set when the server asked us to wait, and
    ``permanent`` when trying again would fail the same way (an address the policy
    refuses, a body over the size cap), whatever the server does meanwhile."""

    def __init__(self, message: str, *, status: int | None = None,
                 retry_after: timedelta | None = None, permanent: bool = False):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.permanent = permanent
