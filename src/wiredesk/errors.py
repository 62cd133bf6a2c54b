"""The one base of every error wiredesk raises on purpose.

A ``WiredeskError`` is a request that cannot be carried out, and its message says why in
words an operator can act on: the CLI prints it as one clean line (no traceback) and exits
non-zero, views turn it into a message beside the form. Anything that is not a
``WiredeskError`` is a bug and keeps its traceback.

This module is pure Python and sits below every layer (the wire pipeline included).
"""

from __future__ import annotations


class WiredeskError(Exception):
    """A request that cannot be carried out; the message says why."""
