"""The server's port, bound before anything slow (core/ports.py)."""

import socket

import pytest

from wiredesk.core import ports


@pytest.fixture
def busy_port():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_a_free_port_is_bound_and_handed_over():
    port = ports.free_port_near("127.0.0.1", 20000) or 0
    sock = ports.bind("127.0.0.1", port)
    try:
        assert sock.getsockname()[1] == port
        assert not ports.is_free("127.0.0.1", port)  # held until the server takes it
    finally:
        sock.close()


def test_a_busy_port_names_a_free_one(busy_port):
    with pytest.raises(ports.PortBusy) as caught:
        ports.bind("127.0.0.1", busy_port)
    suggestion = caught.value.suggestion
    assert suggestion and suggestion != busy_port and ports.is_free("127.0.0.1", suggestion)
    line = ports.demo_busy_message(caught.value)
    assert line == (f"port {busy_port} is busy: make demo PORT={suggestion} "
                    f"(or wiredesk demo --port {suggestion})")
    assert "--port" in ports.serve_busy_message(caught.value)


def test_the_suggestion_starts_a_hundred_up():
    exc = ports.PortBusy("127.0.0.1", 8000, None)
    assert ports.demo_busy_message(exc).startswith("port 8000 is busy: make demo PORT=8100 ")


def test_the_make_check_is_one_line_and_exit_1(busy_port, capsys):
    assert ports.main(["127.0.0.1", str(busy_port)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1 and "--port" in err
    free = ports.free_port_near("127.0.0.1", busy_port)
    assert ports.main(["127.0.0.1", str(free)]) == 0


def test_an_address_this_machine_lacks_is_not_called_busy():
    with pytest.raises(OSError) as caught:
        ports.bind("192.0.2.1", 8000)  # TEST-NET-1: never one of ours
    assert not isinstance(caught.value, ports.PortBusy)
