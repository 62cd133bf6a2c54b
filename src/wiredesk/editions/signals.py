"""Signals the editions app sends; other apps (search, page cache) listen."""

from django.dispatch import Signal

# Sent inside the placing transaction with ``article`` and ``edition_ids`` (the editions
# whose set of articles changed: placed in, or taken out of).
placements_changed = Signal()
