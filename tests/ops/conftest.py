import pytest


@pytest.fixture(autouse=True)
def fresh_metric_buffer():
    """Counts other tests left in this process's buffer belong to their (gone) database."""
    from wiredesk.core import metrics

    with metrics._pending_lock:
        metrics._pending.clear()
