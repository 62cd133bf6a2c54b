"""The garbage collector tuned as Django starts (``wiredesk.core.collector``)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wiredesk.core import collector


@pytest.fixture
def collector_state():
    kept = gc.get_threshold()
    yield
    gc.set_threshold(*kept)


def test_a_process_that_starts_django_runs_tuned():
    """Measured in a fresh interpreter: the start-up heap frozen, collections spaced out."""
    probe = ("import gc, django; before = gc.get_threshold(); django.setup();"
             " print(before[0], gc.get_threshold()[0], gc.get_threshold()[1],"
             " gc.get_freeze_count())")
    import wiredesk

    src = str(Path(wiredesk.__file__).resolve().parent.parent)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "wiredesk.settings",
           "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")]))}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, env=env).stdout.split()
    before, young, middle, frozen = map(int, out)
    assert before < collector.YOUNG_OBJECTS  # Python's default, as the process began
    assert (young, middle) == (collector.YOUNG_OBJECTS, collector.MIDDLE_TURNS)
    assert frozen > 10_000  # modules, Django's apps and wiredesk's models


def test_a_threshold_set_higher_stays(collector_state):
    gc.set_threshold(50_000, 100, 10)
    collector.tune()
    assert gc.get_threshold() == (50_000, 100, 10)


def test_automatic_collection_turned_off_stays_off(collector_state):
    gc.set_threshold(0, 10, 10)
    collector.tune()
    assert gc.get_threshold() == (0, 10, 10)


def test_cycles_made_after_start_up_are_still_freed(collector_state):
    import weakref

    collector.tune()

    class Node:
        pass

    first, second = Node(), Node()
    first.other, second.other = second, first
    gone = weakref.ref(first)
    del first, second
    kept = []  # the collector counts objects allocated and not yet freed
    while gone() is not None and len(kept) <= 2 * collector.YOUNG_OBJECTS:
        kept.append([])  # allocations alone, no explicit collection
    assert gone() is None
    assert len(kept) > 700  # not at Python's default threshold: at the tuned one
