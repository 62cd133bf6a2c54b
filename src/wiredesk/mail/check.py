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

from collections.abc import Callable

from wiredesk.mail import SMTP_BACKENDS, dkim
from wiredesk.mail.dns_records import (
    ERROR,
    MISSING,
    OK,
    WARNING,
    WRONG,
    Dns,
    Finding,
    LookupFailed,
    Nxdomain,
    make_resolver,
)
from wiredesk.mail.spf import check_spf, relay_items

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
