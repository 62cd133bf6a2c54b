"""Python's cyclic garbage collector, tuned once per process as Django starts.

wiredesk's processes allocate in bursts of short-lived objects (a feed parsed, an item
normalized, a batch of the intelligence stage with its candidates' rows and vectors) on top of
a large heap that lives as long as the process: the modules, Django's apps and models, and the
stage's bounded memories of story rows, members and stems. With Python's defaults the
collector runs after every 700 new container objects and, every tenth and hundredth time, walks
the older generations too, the whole heap included: at a 10,000-item burst's tail about 3% of
the stage's CPU and 2% of storing's went to collections that found almost nothing
(BENCHMARKS.md). Nothing the collector decides changes what the code computes, only when
unreachable cycles are freed.

``tune()``: what start-up made is moved out of the collector's sight (``gc.freeze``: never
walked again, never freed, as it never was garbage), and the youngest generation is collected
after ``YOUNG_OBJECTS`` allocations instead of 700, the middle one after ``MIDDLE_TURNS`` of
those: cycles still go, a few megabytes later. A threshold already set higher (by an operator's
``sitecustomize``, say) is left as it is.
"""

from __future__ import annotations

import gc

YOUNG_OBJECTS = 10_000
MIDDLE_TURNS = 50


def tune() -> None:
    gc.freeze()
    young, middle, old = gc.get_threshold()
    if young == 0:  # automatic collection turned off on purpose: leave it so
        return
    gc.set_threshold(max(young, YOUNG_OBJECTS), max(middle, MIDDLE_TURNS), old)
