"""Is a sending domain ready to be trusted? Its SPF, DKIM and DMARC records, looked up.

``check_domain`` returns one :class:`Finding` per record, each a plain sentence an
operator can act on: what was found, or what is missing or wrong and what to publish.
The lookups go to ``WIREDESK_DNS_RESOLVER`` (``host[:port]``, comma-separated) or to the
system's resolver, with dnspython.

SPF is evaluated, not only found: the record (with its ``include:``s and ``redirect=``)
must permit the relay mail leaves through, ``WIREDESK_SPF_RELAY`` (addresses, host names
or ``include:provider`` items) or else ``EMAIL_URL``'s host. ``exists`` and ``ptr``
mechanisms cannot be decided without a real message and are passed over.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass

import dns.exception
import dns.inet
import dns.nameserver
import dns.resolver

from wiredesk.mail import SMTP_BACKENDS, dkim

OK, WARNING, MISSING, WRONG, ERROR = "OK", "WARNING", "MISSING", "WRONG", "ERROR"
FAILING = frozenset({MISSING, WRONG, ERROR})
SPF_LOOKUP_LIMIT = 10  # RFC 7208 4.6.4: more DNS-querying terms is a permerror


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


# --- SPF --------------------------------------------------------------------------------

class SpfError(Exception):
    pass


def _spf_records(records: list[str]) -> list[str]:
    return [r for r in records if r.lower() == "v=spf1" or r.lower().startswith("v=spf1 ")]


def _network(ip: str, cidr4: int, cidr6: int):
    address = ipaddress.ip_address(ip)
    return ipaddress.ip_network(f"{ip}/{cidr4 if address.version == 4 else cidr6}",
                                strict=False)


def _split_cidr(value: str) -> tuple[str, int, int]:
    """``example.org/24//64`` -> (``example.org``, 24, 64)."""
    value, _, six = value.partition("//")
    value, _, four = value.partition("/")
    return value, int(four or 32), int(six or 128)


def spf_result(dns_: Dns, domain: str, ip: str, *, depth: int = 0) -> str:
    """``pass``, ``fail``, ``softfail``, ``neutral`` or ``none`` for mail from ``ip``."""
    if depth > SPF_LOOKUP_LIMIT:
        raise SpfError("too many nested include:/redirect= (more than 10 lookups)")
    try:
        records = _spf_records(dns_.txt(domain))
    except Nxdomain:
        records = []
    if not records:
        return "none"
    if len(records) > 1:
        raise SpfError(f"{domain} has {len(records)} SPF records (one is allowed)")
    address = ipaddress.ip_address(ip)
    redirect = ""
    for term in records[0].split()[1:]:
        lowered = term.lower()
        if lowered.startswith("redirect="):
            redirect = term.split("=", 1)[1]
            continue
        if "=" in term.split(":", 1)[0]:
            continue  # exp= and unknown modifiers
        qualifier = "+"
        if term[0] in "+-~?":
            qualifier, term = term[0], term[1:]
        name, _, argument = term.partition(":")
        if "/" in name:  # a/24, mx//64
            name, _, cidr = term.partition("/")
            argument = ""
            term_cidr = "/" + cidr
        else:
            term_cidr = ""
        name = name.lower()
        matched = False
        if name == "all":
            matched = True
        elif name in ("ip4", "ip6"):
            try:
                matched = address in ipaddress.ip_network(argument, strict=False)
            except ValueError as exc:
                raise SpfError(f"{domain}: bad {name}:{argument}") from exc
        elif name in ("a", "mx"):
            target, cidr4, cidr6 = _split_cidr((argument or domain) + term_cidr)
            hosts = dns_.mx_hosts(target) if name == "mx" else [target]
            matched = any(address in _network(each, cidr4, cidr6)
                          for host in hosts for each in dns_.addresses(host))
        elif name == "include":
            matched = spf_result(dns_, argument, ip, depth=depth + 1) == "pass"
        elif name in ("exists", "ptr"):
            continue
        else:
            raise SpfError(f"{domain}: unknown SPF term {term!r}")
        if matched:
            return {"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}[qualifier]
    if redirect:
        return spf_result(dns_, redirect, ip, depth=depth + 1)
    return "neutral"


def _spf_includes(dns_: Dns, domain: str, depth: int = 0) -> set[str]:
    """Every domain the record includes or redirects to, however deep."""
    if depth > SPF_LOOKUP_LIMIT:
        return set()
    try:
        records = _spf_records(dns_.txt(domain))
    except (Nxdomain, LookupFailed):
        return set()
    found: set[str] = set()
    for term in (records[0].split()[1:] if records else []):
        term = term.lstrip("+-~?").lower()
        for prefix in ("include:", "redirect="):
            if term.startswith(prefix):
                target = term[len(prefix):]
                found |= {target} | _spf_includes(dns_, target, depth + 1)
    return found


def relay_items(spec: str, email_host: str) -> list[str]:
    items = [s.strip() for s in (spec or "").split(",") if s.strip()]
    return items or ([email_host] if email_host else [])


def check_spf(dns_: Dns, domain: str, relays: list[str]) -> Finding:
    def finding(status: str, detail: str) -> Finding:
        return Finding("SPF", domain, status, detail)

    records = _spf_records(dns_.txt(domain))  # Nxdomain and LookupFailed: the caller's
    if not records:
        example = " ".join(f"include:{r.split(':', 1)[1]}" if r.startswith("include:")
                           else (f"ip4:{r}" if _is_ip(r) else f"a:{r}")
                           for r in relays) or "mx"
        return finding(MISSING, f'no SPF record (TXT "v=spf1 ...") at {domain}; publish '
                                f'e.g. "v=spf1 {example} -all"')
    if len(records) > 1:
        return finding(WRONG, f"{len(records)} SPF records at {domain}; receivers treat "
                              "that as an error (permerror): merge them into one")
    record = records[0]
    if not relays:
        return finding(OK, f'"{record}" (no SMTP relay configured to check it against)')
    refused, unchecked, permitted = [], [], []
    try:
        includes = None
        for relay in relays:
            if relay.lower().startswith("include:"):
                includes = _spf_includes(dns_, domain) if includes is None else includes
                target = relay.split(":", 1)[1].lower()
                (permitted if target in includes else refused).append(
                    (relay, "" if target in includes else "not included"))
                continue
            ips = [relay] if _is_ip(relay) else dns_.addresses(relay)
            if not ips:
                unchecked.append(f"{relay} (no address found)")
                continue
            public = [ip for ip in ips if ipaddress.ip_address(ip).is_global]
            if not public:
                unchecked.append(f"{relay} ({', '.join(ips)}: a local address)")
                continue
            for ip in public:
                result = spf_result(dns_, domain, ip)
                name = relay if relay == ip else f"{relay} ({ip})"
                (permitted if result == "pass" else refused).append((name, result))
    except SpfError as exc:
        return finding(WRONG, f'"{record}" cannot be evaluated: {exc}')
    if refused:
        names = "; ".join(f"{name}: {why}" for name, why in refused)
        return finding(WRONG, f'"{record}" does not permit the relay ({names}); add it '
                              "(ip4:, a: or include:) before the all")
    if unchecked and not permitted:
        return finding(WARNING, f'"{record}" found, but the relay could not be checked: '
                                f"{'; '.join(unchecked)}; set WIREDESK_SPF_RELAY to the "
                                "addresses or include: it sends out from")
    names = ", ".join(name for name, _ in permitted)
    return finding(OK, f'"{record}" permits the relay ({names})')


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


# --- DKIM -------------------------------------------------------------------------------

def _tags(record: str) -> dict[str, str]:
    tags = {}
    for part in record.split(";"):
        name, sep, value = part.partition("=")
        if sep:
            tags[name.strip().lower()] = "".join(value.split())
    return tags


def check_dkim(dns_: Dns, domain: str, keys: dict[str, dkim.SigningKey]) -> Finding:
    def finding(status: str, detail: str) -> Finding:
        return Finding("DKIM", domain, status, detail)

    key = dkim.key_for(domain, keys)
    if key is None:
        return finding(MISSING, f"no signing key for {domain} in {dkim.keys_dir()}, so its "
                                f"mail goes out unsigned: wiredesk mail dkim-key "
                                f"--domain {domain}")
    try:
        ours = key.public_key_b64()
    except dkim.DkimKeyError as exc:
        return finding(WRONG, f"the signing key cannot be used: {exc}")
    name = key.record_name
    published = "publish " + f'"{dkim.dns_record(ours)}"'
    try:
        records = [r for r in dns_.txt(name) if "p=" in r]
    except Nxdomain:
        records = []
    if not records:
        return finding(MISSING, f"no DKIM record at {name}: {published}")
    tags = [_tags(r) for r in records]
    if any(t.get("p") == ours for t in tags):
        via = f" (signing as {key.domain})" if key.domain != domain else ""
        return finding(OK, f"{name} publishes the key wiredesk signs with{via}")
    if all(not t.get("p") for t in tags):
        return finding(WRONG, f"the key at {name} is revoked (empty p=): {published}")
    return finding(WRONG, f"the key published at {name} is not the one wiredesk signs "
                          f"with ({key.path.name}), so every signature fails: {published}")


# --- DMARC ------------------------------------------------------------------------------

def _dmarc_records(dns_: Dns, name: str) -> list[str]:
    try:
        return [r for r in dns_.txt(name) if r.replace(" ", "").upper().startswith("V=DMARC1")]
    except Nxdomain:
        return []


def check_dmarc(dns_: Dns, domain: str) -> Finding:
    def finding(status: str, detail: str) -> Finding:
        return Finding("DMARC", domain, status, detail)

    labels = domain.split(".")
    # The domain's own record, else its organisational domain's (tried parent by parent,
    # never a bare top-level domain); a parent's policy for subdomains is its sp=.
    for start in range(max(len(labels) - 1, 1)):
        name = "_dmarc." + ".".join(labels[start:])
        records = _dmarc_records(dns_, name)
        if records:
            break
    else:
        return finding(MISSING, f"no DMARC record at _dmarc.{domain}; publish e.g. "
                                f'"v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@{domain}"')
    if len(records) > 1:
        return finding(WRONG, f"{len(records)} DMARC records at {name}; receivers ignore "
                              "them all: keep one")
    tags = _tags(records[0])
    policy = (tags.get("sp") if start and tags.get("sp") else tags.get("p", "")).lower()
    where = name if not start else f"{name} (the parent domain's, for {domain})"
    if policy not in ("none", "quarantine", "reject"):
        return finding(WRONG, f'"{records[0]}" at {where} has no valid policy (p=none, '
                              "quarantine or reject)")
    if policy == "none":
        return finding(WARNING, f'"{records[0]}" at {where}: p=none only asks for reports; '
                                "mail failing SPF and DKIM is still delivered. Move to "
                                "p=quarantine once the reports are clean")
    return finding(OK, f'"{records[0]}" at {where} (policy {policy})')


# --- all three --------------------------------------------------------------------------

def check_domain(domain: str, *, dns_: Dns, relays: list[str],
                 keys: dict[str, dkim.SigningKey],
                 records: tuple[str, ...] = ("SPF", "DKIM", "DMARC")) -> list[Finding]:
    """The SPF, DKIM and DMARC findings for ``domain``, in that order, one per record."""
    domain = domain.strip().lower().rstrip(".")
    every: dict[str, Callable[[], Finding]] = {
        "SPF": lambda: check_spf(dns_, domain, relays),
        "DKIM": lambda: check_dkim(dns_, domain, keys),
        "DMARC": lambda: check_dmarc(dns_, domain),
    }
    checks = [(record, every[record]) for record in records]
    findings = []
    exists = True
    for record, check in checks:
        if not exists:
            findings.append(Finding(record, domain, MISSING,
                                    f"{domain} does not exist in DNS (NXDOMAIN)"))
            continue
        try:
            findings.append(check())
        except Nxdomain as exc:
            if str(exc) == domain:
                exists = False
                findings.append(Finding(record, domain, MISSING,
                                        f"{domain} does not exist in DNS (NXDOMAIN)"))
            else:
                findings.append(Finding(record, domain, MISSING, f"{exc} does not exist in "
                                                                 "DNS (NXDOMAIN)"))
        except LookupFailed as exc:
            findings.append(Finding(record, domain, ERROR, str(exc)))
    return findings


def check_from_settings(domains: list[str], *, timeout: float = 5.0,
                        return_path_domains: list[str] = ()) -> list[Finding]:
    """Every record of each of ``domains``, and the SPF of each return-path domain (the
    envelope sender's, which SPF is checked against) not among them."""
    from django.conf import settings

    spec = settings.WIREDESK_DNS_RESOLVER
    dns_ = Dns(make_resolver(spec, timeout=timeout),
               where=f"resolver {spec}" if spec else "the system resolver")
    email_host = settings.EMAIL_HOST if settings.EMAIL_BACKEND in SMTP_BACKENDS else ""
    relays = relay_items(settings.WIREDESK_SPF_RELAY, email_host)
    keys = dkim.signing_keys()
    findings = []
    for domain in domains:
        findings += check_domain(domain, dns_=dns_, relays=relays, keys=keys)
    for domain in return_path_domains:
        if domain not in domains:
            findings += check_domain(domain, dns_=dns_, relays=relays, keys=keys,
                                     records=("SPF",))
    return findings
