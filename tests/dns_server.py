"""A real DNS server for tests (dnslib on a free loopback UDP port) answering one fixed
zone, and a silent one that never answers (for timeouts).

    with ZoneServer({"example.org": {"TXT": ["v=spf1 -all"], "A": ["192.0.2.1"]}}) as dns:
        resolver_setting = dns.address          # "127.0.0.1:PORT"

A name not in the zone, with no name below it, is NXDOMAIN; a name that exists (or has
names below it) but not with the asked type is an empty answer. ``zone`` may be changed
between lookups.
"""

from __future__ import annotations

import socket

from dnslib import AAAA, MX, QTYPE, RCODE, RR, TXT, A
from dnslib.server import BaseResolver, DNSLogger, DNSServer

_RDATA = {"A": A, "AAAA": AAAA, "MX": lambda value: MX(value),
          "TXT": lambda value: TXT([value[i:i + 255] for i in range(0, len(value), 255)])}


class _FixedZone(BaseResolver):
    def __init__(self, zone: dict[str, dict[str, list[str]]]):
        self.zone = zone

    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        qtype = QTYPE[request.q.qtype]
        records = {n.lower(): v for n, v in self.zone.items()}
        if name not in records and not any(n.endswith("." + name) for n in records):
            reply.header.rcode = RCODE.NXDOMAIN
            return reply
        for value in records.get(name, {}).get(qtype, []):
            reply.add_answer(RR(request.q.qname, QTYPE.reverse[qtype], ttl=60,
                                rdata=_RDATA[qtype](value)))
        return reply


class ZoneServer:
    def __init__(self, zone: dict[str, dict[str, list[str]]]):
        self.resolver = _FixedZone(zone)
        quiet = DNSLogger(log="-request,-reply,-truncated,-error")
        self.server = DNSServer(self.resolver, address="127.0.0.1", port=0, logger=quiet)
        self.address = f"127.0.0.1:{self.server.server.server_address[1]}"

    @property
    def zone(self) -> dict[str, dict[str, list[str]]]:
        return self.resolver.zone

    def __enter__(self) -> ZoneServer:
        self.server.start_thread()
        return self

    def __exit__(self, *exc) -> None:
        self.server.stop()
        self.server.server.server_close()


class SilentServer:
    """A UDP port that takes queries and never answers: a resolver that times out."""

    def __enter__(self) -> SilentServer:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        return self

    def __exit__(self, *exc) -> None:
        self.sock.close()
