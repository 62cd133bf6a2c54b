"""The newsroom's way to find articles by their words without scanning the archive.

The full-text index belongs to the search layer, which sits above the newsroom; it hands
its finder in here when it starts (``search.apps``), so the desk's article list searches
through the index as the public search does, and the newsroom imports nothing above it.
Without a finder (the search app not installed) the caller falls back to its own lookups.
"""

from __future__ import annotations

from collections.abc import Callable

# Takes what the editor typed and how many of the newest matches are wanted; returns SQL
# (and its parameters) selecting their ids through the index, or None when the text holds
# no word to look for.
Finder = Callable[[str, int], tuple[str, list] | None]

_finder: Finder | None = None


def provide(finder: Finder) -> None:
    global _finder
    _finder = finder


def words_sql(text: str, newest: int) -> tuple[str, list] | None:
    """SQL for the ids of the ``newest`` articles whose headline or text hold every word
    of ``text``, through the index; None when no index is provided or ``text`` has no
    word."""
    return _finder(text, newest) if _finder is not None else None


def available() -> bool:
    return _finder is not None
