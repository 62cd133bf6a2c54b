"""Task plumbing in this process. A real worker against Redis is in
tests/e2e/test_newsroom_processes.py."""

import pytest


@pytest.mark.django_db
def test_single_flight_lock_excludes_a_second_holder():
    from wiredesk.core.locks import single_flight

    with single_flight("x", ttl=60) as first, single_flight("x", ttl=60) as second:
        assert first and not second
    with single_flight("x", ttl=60) as again:
        assert again
