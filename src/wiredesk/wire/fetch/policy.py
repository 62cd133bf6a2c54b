"""Which addresses a fetch may reach: the public Internet, and what an operator allows.

A feed's URL, its items' links and every redirect come from outside; checked here,
an address inside the machine's own networks is refused (SSRF) unless allowed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from wiredesk.wire.fetch.errors import FetchError

ALLOW_SETTING = "WIREDESK_FETCH_ALLOW"  # named in refusals so an operator knows the way out

# A NAT64 gateway forwards 64:ff9b::a.b.c.d to the IPv4 address a.b.c.d.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _inner_addresses(ip: IPAddress) -> tuple[list[IPAddress], bool]:
    """The IPv4 addresses an IPv6 address carries (mapped, 6to4, Teredo, NAT64,
    IPv4-compatible), where packets for it may end up, so each is checked too; and
    whether the IPv6 address is only a translation of them (mapped, NAT64, compatible),
    to be judged by what it carries alone."""
    if ip.version == 4:
        return [], False
    if ip.ipv4_mapped is not None:
        return [ip.ipv4_mapped], True
    if ip in _NAT64 or (int(ip) >> 32 == 0 and int(ip) > 1):  # not :: and ::1 themselves
        return [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)], True
    inner: list[IPAddress] = []
    if ip.sixtofour is not None:
        inner.append(ip.sixtofour)
    if ip.teredo is not None:
        inner.extend(ip.teredo)
    return inner, False


def address_problem(ip: IPAddress) -> str:
    """What kind of non-public address ``ip`` is ('' for a public Internet address).

    The inner IPv4 address of a mapped or tunnelled IPv6 one is named first, since
    that is where the request would really go.
    """
    inner, translated = _inner_addresses(ip)
    for candidate in inner if translated else [*inner, ip]:
        if candidate.is_unspecified:
            return "unspecified"
        if candidate.is_loopback:
            return "loopback"
        if candidate.is_link_local:
            return "link-local"
        if candidate.is_multicast:
            return "multicast"
        if candidate.version == 6 and candidate.is_site_local:
            return "site-local"
        if candidate.is_private:
            return "private"
        if candidate.is_reserved:
            return "reserved"
        if not candidate.is_global:
            return "non-public"
    return ""


class FetchPolicy:
    """Where a fetch may go besides the public Internet (by default: nowhere else).

    ``allow`` holds what an operator trusts although it is not public, such as an agency
    feed on the intranet: host names (``feeds.intranet``; ``.intranet`` for a domain and
    every name under it), which may then resolve to any address, and addresses or
    networks (``10.1.2.3``, ``10.0.0.0/8``, ``fd00::/8``), which any host resolving into
    them may use. Anything else that resolves to a loopback, private, link-local,
    multicast, unspecified or reserved address is refused.
    """

    __slots__ = ("_domains", "_hosts", "_networks", "allow")

    def __init__(self, allow: Iterable[str] = ()):
        self.allow = tuple(entry.strip() for entry in allow if entry and entry.strip())
        self._hosts: set[str] = set()
        self._domains: list[str] = []
        self._networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for entry in self.allow:
            try:
                self._networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            name = entry.lower().rstrip(".")
            if name.startswith("."):
                self._domains.append(name)
            else:
                self._hosts.add(name)

    def __repr__(self) -> str:
        return f"FetchPolicy(allow={self.allow!r})"

    def allows_name(self, host: str) -> bool:
        name = host.lower().rstrip(".")
        return name in self._hosts or any(name == domain[1:] or name.endswith(domain)
                                          for domain in self._domains)

    def allows_address(self, ip: IPAddress) -> bool:
        return any(candidate in network for candidate in [ip, *_inner_addresses(ip)[0]]
                   for network in self._networks if network.version == candidate.version)

    def check(self, host: str, addresses: list[IPAddress]) -> None:
        """Refuse (FetchError) unless every address ``host`` resolved to may be reached.

        Every address, not just the first: a name answering with one public and one
        internal address would otherwise be a coin toss away from the inside.
        """
        if self.allows_name(host):
            return
        for ip in addresses:
            problem = address_problem(ip)
            if problem and not self.allows_address(ip):
                shown = host if host.strip("[]") == str(ip) else f"{host} ({ip})"
                raise FetchError(f"refused to fetch from {shown}: a {problem} address, not "
                                 f"the public Internet (an operator can allow it with "
                                 f"{ALLOW_SETTING})", permanent=True)


DEFAULT_POLICY = FetchPolicy()
