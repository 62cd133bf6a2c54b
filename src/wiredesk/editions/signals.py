"""Signals the editions app sends; other apps (search, page cache) listen."""

from django.dispatch import Signal

# Sent inside the placing transaction with ``article`` and ``edition_ids`` (the editions
# whose set of articles changed: placed in, or taken out of).
placements_changed = Signal()

# Sent inside the curating transaction with ``edition_ids`` whose front pages changed (a
# story featured, pinned, moved, removed or expired) and ``next_expiry``, the soonest time
# a slot of theirs runs out (None when none will): the page cache's stamps follow.
fronts_changed = Signal()
