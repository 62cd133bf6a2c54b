"""A sending domain's records looked up with dnspython, and what a check found of each."""

from __future__ import annotations

from dataclasses import dataclass

import dns.exception
import dns.inet
import dns.nameserver
import dns.resolver

OK, WARNING, MISSING, WRONG, ERROR = "OK", "WARNING", "MISSING", "WRONG", "ERROR"
FAILING = frozenset({MISSING, WRONG, ERROR})


@dataclass(frozen=True)
class Finding:
    record: str  # SPF, DKIM, DMARC
    domain: str
    status: str
    detail: str

    @property
    def failed(self) -> bool:
        return self.status in FAILING

    def line(self) -> str:
        return f"{self.record:<6}{self.status:<8}{self.domain}: {self.detail}"


class LookupFailed(Exception):
    """No answer could be had (timeout, SERVFAIL, no resolver): not the same as none."""


class Nxdomain(Exception):
    pass


# --- DNS --------------------------------------------------------------------------------

def make_resolver(spec: str = "", *, timeout: float = 5.0) -> dns.resolver.Resolver:
    """A resolver asking ``spec`` (``127.0.0.1:5353, [::1]:53``) or the system's."""
    servers = [s.strip() for s in (spec or "").split(",") if s.strip()]
    resolver = dns.resolver.Resolver(configure=not servers)
    if servers:
        resolver.nameservers = [_nameserver(s) for s in servers]
    resolver.timeout = resolver.lifetime = timeout
    resolver.cache = None
    return resolver


def _nameserver(spec: str) -> dns.nameserver.Nameserver:
    host, port = spec, 53
    if spec.startswith("["):
        host, _, rest = spec[1:].partition("]")
        port = int(rest.lstrip(":") or 53)
    elif spec.count(":") == 1:
        host, _, text = spec.partition(":")
        port = int(text)
    if not dns.inet.is_address(host):
        raise ValueError(f"WIREDESK_DNS_RESOLVER wants IP addresses (host[:port]), "
                         f"not {spec!r}")
    return dns.nameserver.Do53Nameserver(host, port)


@dataclass
class Dns:
    """The lookups the checks make, each answered, empty, NXDOMAIN or failed."""

    resolver: dns.resolver.Resolver
    where: str = "the system resolver"

    def _query(self, name: str, rtype: str):
        try:
            return self.resolver.resolve(name, rtype, search=False)
        except dns.resolver.NXDOMAIN as exc:
            raise Nxdomain(name) from exc
        except dns.resolver.NoAnswer:
            return []
        except dns.resolver.LifetimeTimeout as exc:
            raise LookupFailed(f"the {rtype} lookup of {name} timed out after "
                               f"{self.resolver.lifetime:g}s ({self.where})") from exc
        except dns.resolver.NoNameservers as exc:
            raise LookupFailed(f"no answer for the {rtype} lookup of {name} "
                               f"(SERVFAIL or refused by {self.where})") from exc
        except dns.exception.DNSException as exc:
            raise LookupFailed(f"the {rtype} lookup of {name} failed: {exc}") from exc

    def txt(self, name: str) -> list[str]:
        return [b"".join(r.strings).decode("utf-8", "replace")
                for r in self._query(name, "TXT")]

    def addresses(self, name: str) -> list[str]:
        found = []
        for rtype in ("A", "AAAA"):
            try:
                found += [r.address for r in self._query(name, rtype)]
            except Nxdomain:
                return []
        return found

    def mx_hosts(self, name: str) -> list[str]:
        try:
            return [r.exchange.to_text(omit_final_dot=True) for r in self._query(name, "MX")]
        except Nxdomain:
            return []
