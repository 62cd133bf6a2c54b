"""SPF evaluated (RFC 7208), not only found: does the record, with its ``include:``s and
``redirect=``, permit the relay mail leaves through? ``exists`` and ``ptr`` need a real
message and are passed over."""

from __future__ import annotations

import ipaddress

from wiredesk.mail.dns_records import (
    MISSING,
    OK,
    WARNING,
    WRONG,
    Dns,
    Finding,
    LookupFailed,
    Nxdomain,
)

SPF_LOOKUP_LIMIT = 10  # RFC 7208 4.6.4: more DNS-querying terms is a permerror



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
