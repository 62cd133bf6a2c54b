"""``wiredesk mail check | dkim-key``: the sending domains' DNS, and their DKIM keys.

Here rather than in ``wiredesk.mail`` because the domains to check by default are those
mail goes out from: ``WIREDESK_FROM_EMAIL``'s and each edition's own sender address's,
and the SPF of the digest's return path (``WIREDESK_BOUNCE_ADDRESS``'s domain).
"""

from __future__ import annotations

from datetime import UTC, datetime

from wiredesk.core.cli import CommandError, command, subcommands


def register(sub) -> None:
    mail = command(sub, "mail", cmd_mail, help="mail authentication: SPF, DKIM, DMARC")
    m_sub = subcommands(mail, "mail_command")
    check = m_sub.add_parser("check", help="look up the sending domain's SPF, DKIM and DMARC "
                                           "records; exit 1 when one is missing or wrong")
    check.add_argument("--domain", action="append", metavar="D",
                       help="the domain to check (repeatable; default: every domain mail "
                            "goes out from)")
    check.add_argument("--timeout", type=float, default=5.0, metavar="SECONDS",
                       help="for each DNS lookup (default 5)")
    key = m_sub.add_parser("dkim-key", help="make a DKIM signing key for a domain and print "
                                            "the DNS record to publish")
    key.add_argument("--domain", required=True, metavar="D")
    key.add_argument("--selector", metavar="S",
                     help="default: wd<year><month>, so a newer key sorts last and signs")
    key.add_argument("--bits", type=int, default=2048, choices=(1024, 2048, 3072, 4096))
    key.set_defaults(database=False)  # a file and a printout: no migration first


def sending_domains() -> list[str]:
    from wiredesk import mail
    from wiredesk.editions.models import Edition

    addresses = [mail.sender_address()] + [
        mail.edition_address(a) for a in Edition.objects.exclude(sender_address="")
        .values_list("sender_address", flat=True)]
    return sorted({a.rpartition("@")[2].lower() for a in addresses if "@" in a})


def cmd_mail(args) -> int:
    if args.mail_command == "dkim-key":
        return _dkim_key(args)
    return _check(args)


def _check(args) -> int:
    from django.conf import settings

    from wiredesk.mail.check import check_from_settings

    domains = [d.strip().lower().rstrip(".") for d in args.domain or [] if d.strip()]
    # The digest's return path (WIREDESK_BOUNCE_ADDRESS) is where receivers check SPF.
    bounce_domain = settings.WIREDESK_BOUNCE_ADDRESS.rpartition("@")[2].lower()
    return_paths = [bounce_domain] if bounce_domain and not domains else []
    domains = domains or sending_domains()
    if not domains:
        raise CommandError("no sending domain: set WIREDESK_FROM_EMAIL or pass --domain")
    try:
        findings = check_from_settings(domains, timeout=args.timeout,
                                       return_path_domains=return_paths)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    for finding in findings:
        print(finding.line())
    return 1 if any(f.failed for f in findings) else 0


def zone_line(name: str, value: str) -> str:
    """A zone-file TXT line: strings of at most 255 characters, as DNS requires."""
    chunks = " ".join(f'"{value[i:i + 255]}"' for i in range(0, len(value), 255))
    return f"{name}. IN TXT ( {chunks} )"


def _dkim_key(args) -> int:
    from wiredesk.mail import dkim

    selector = args.selector or f"wd{datetime.now(UTC):%Y%m}"
    try:
        key = dkim.generate_key(domain=args.domain, selector=selector, bits=args.bits)
    except dkim.DkimKeyError as exc:
        raise CommandError(str(exc)) from exc
    record = key.dns_record()
    print(f"key written to {key.path}; mail from {key.domain} is signed with it from now on")
    print(f"publish this TXT record at {key.record_name}:")
    print(record)
    print("as a zone-file line:")
    print(zone_line(key.record_name, record))
    print(f"then: wiredesk mail check --domain {key.domain}")
    return 0
