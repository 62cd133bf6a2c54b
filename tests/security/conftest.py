"""Attacker-style tests: real loopback servers, hostile bodies, the default fetch policy.

Whatever the code under test tries, nothing here may leave the machine: every connection
is checked to go to loopback before it is made (a fetcher without the SSRF guard would
otherwise try the addresses these tests name).
"""

from __future__ import annotations

import ipaddress
import socket

import pytest
import urllib3.util.connection

from tests.security.attacker import Attacker


def _is_loopback(host: str) -> bool:
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        try:  # the odd spellings (2130706433, 0177.0.0.1, 127.1) connect as inet_aton reads them
            ip = ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return False
    ip = getattr(ip, "ipv4_mapped", None) or ip
    # 0.0.0.0 and :: reach this machine too.
    return ip.is_loopback or ip.is_unspecified


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    real = urllib3.util.connection.create_connection

    def guarded(address, *args, **kwargs):
        if not _is_loopback(str(address[0])):
            raise ConnectionRefusedError(f"test guard: {address[0]} is not loopback")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", guarded)


@pytest.fixture
def default_policy(settings):
    """The policy a fresh install has: nothing but the public Internet (the rest of the
    suite allows loopback, where its feed servers run)."""
    settings.WIREDESK_FETCH_ALLOW = []
    return settings


@pytest.fixture
def attacker():
    with Attacker() as server:
        yield server
