"""The newsroom's error: a request an operator made that cannot be carried out."""

from __future__ import annotations

from wiredesk.errors import WiredeskError


class ServiceError(WiredeskError):
    """A request an operator made that cannot be carried out; the message says why."""
