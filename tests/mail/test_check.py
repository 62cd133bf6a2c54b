"""`wiredesk mail check` against a real DNS server on loopback holding a fixed zone:
one line per record, OK or what is missing or wrong, and the exit status."""

import pytest

from tests.dns_server import SilentServer, ZoneServer
from wiredesk.mail import dkim
from wiredesk.mail.check import check_from_settings

DOMAIN = "chilesun.example"


@pytest.fixture
def key(tmp_path, settings):
    settings.WIREDESK_DKIM_KEYS = tmp_path / "dkim"
    return dkim.generate_key(domain=DOMAIN, selector="wd1", directory=tmp_path / "dkim",
                             bits=1024)


def good_zone(key) -> dict:
    return {
        DOMAIN: {"TXT": ["google-site-verification=abc", "v=spf1 include:_spf.relay.net -all"],
                 "A": ["198.51.100.7"]},
        "_spf.relay.net": {"TXT": ["v=spf1 ip4:8.8.4.0/24 ~all"]},
        "smtp.relay.net": {"A": ["8.8.4.4"]},
        f"wd1._domainkey.{DOMAIN}": {"TXT": [key.dns_record()]},
        f"_dmarc.{DOMAIN}": {"TXT": [f"v=DMARC1; p=quarantine; rua=mailto:d@{DOMAIN}"]},
    }


@pytest.fixture
def dns(key, settings):
    with ZoneServer(good_zone(key)) as server:
        settings.WIREDESK_DNS_RESOLVER = server.address
        settings.EMAIL_BACKEND = "wiredesk.mail.backends.SigningEmailBackend"
        settings.EMAIL_HOST = "smtp.relay.net"
        settings.WIREDESK_SPF_RELAY = ""
        yield server


def lines(domain=DOMAIN, timeout=2.0):
    findings = check_from_settings([domain], timeout=timeout)
    assert [f.record for f in findings] == ["SPF", "DKIM", "DMARC"]
    return {f.record: f for f in findings}


def test_all_in_place(dns):
    found = lines()
    assert all(f.status == "OK" for f in found.values()), found
    assert "permits the relay (smtp.relay.net (8.8.4.4))" in found["SPF"].detail
    assert "wd1._domainkey.chilesun.example publishes the key" in found["DKIM"].detail
    assert "policy quarantine" in found["DMARC"].detail
    assert found["SPF"].line().startswith("SPF   OK      chilesun.example: ")


def test_spf_missing(dns):
    dns.zone[DOMAIN]["TXT"] = ["google-site-verification=abc"]
    spf = lines()["SPF"]
    assert spf.status == "MISSING" and spf.failed
    assert 'publish e.g. "v=spf1 a:smtp.relay.net -all"' in spf.detail


def test_spf_that_does_not_permit_the_relay(dns):
    dns.zone["_spf.relay.net"]["TXT"] = ["v=spf1 ip4:203.0.113.0/24 -all"]
    spf = lines()["SPF"]
    assert spf.status == "WRONG"
    assert "does not permit the relay (smtp.relay.net (8.8.4.4): fail)" in spf.detail


def test_spf_mechanisms_and_an_include_setting(dns, settings):
    dns.zone[DOMAIN]["TXT"] = ["v=spf1 a mx/24 -all"]
    dns.zone[DOMAIN]["MX"] = ["mail.chilesun.example"]
    dns.zone["mail.chilesun.example"] = {"A": ["8.8.4.200"]}
    assert lines()["SPF"].status == "OK"  # 8.8.4.4 is in mail's /24
    settings.WIREDESK_SPF_RELAY = "include:amazonses.com"
    spf = lines()["SPF"]
    assert spf.status == "WRONG" and "include:amazonses.com: not included" in spf.detail
    dns.zone[DOMAIN]["TXT"] = ["v=spf1 redirect=_spf.chilesun.example"]
    dns.zone["_spf.chilesun.example"] = {"TXT": ["v=spf1 include:amazonses.com -all"]}
    assert lines()["SPF"].status == "OK"


def test_two_spf_records_are_wrong(dns):
    dns.zone[DOMAIN]["TXT"] = ["v=spf1 -all", "v=spf1 include:_spf.relay.net -all"]
    assert "2 SPF records" in lines()["SPF"].detail


def test_dkim_key_mismatch_missing_and_no_key(dns, key, tmp_path):
    other = dkim.generate_key(domain=DOMAIN, selector="wd1", directory=tmp_path / "other",
                              bits=1024)
    dns.zone[f"wd1._domainkey.{DOMAIN}"]["TXT"] = [other.dns_record()]
    found = lines()["DKIM"]
    assert found.status == "WRONG" and "is not the one wiredesk signs with" in found.detail
    assert key.public_key_b64() in found.detail  # what to publish instead
    del dns.zone[f"wd1._domainkey.{DOMAIN}"]
    found = lines()["DKIM"]
    assert found.status == "MISSING" and "no DKIM record at wd1._domainkey" in found.detail
    key.path.unlink()
    found = lines()["DKIM"]
    assert found.status == "MISSING" and "wiredesk mail dkim-key --domain" in found.detail


def test_dmarc_missing_and_p_none(dns):
    dns.zone[f"_dmarc.{DOMAIN}"]["TXT"] = ["v=DMARC1; p=none"]
    dmarc = lines()["DMARC"]
    assert dmarc.status == "WARNING" and not dmarc.failed
    assert "p=none only asks for reports" in dmarc.detail
    del dns.zone[f"_dmarc.{DOMAIN}"]
    dmarc = lines()["DMARC"]
    assert dmarc.status == "MISSING" and "no DMARC record at _dmarc.chilesun.example" \
        in dmarc.detail


def test_a_subdomain_uses_its_parents_dmarc_policy_for_subdomains(dns, key):
    dns.zone[f"_dmarc.{DOMAIN}"]["TXT"] = ["v=DMARC1; p=reject; sp=none"]
    dns.zone[f"news.{DOMAIN}"] = {"TXT": ["v=spf1 include:_spf.relay.net -all"]}
    found = lines(f"news.{DOMAIN}")
    assert found["DKIM"].status == "OK" and "signing as chilesun.example" in \
        found["DKIM"].detail
    assert found["DMARC"].status == "WARNING" and "the parent domain's" in \
        found["DMARC"].detail


def test_nxdomain_is_one_clear_line_each(dns):
    found = lines("nowhere.example")
    for finding in found.values():
        assert finding.status == "MISSING"
        assert finding.detail == "nowhere.example does not exist in DNS (NXDOMAIN)"


def test_a_resolver_that_never_answers(settings, key):
    with SilentServer() as silent:
        settings.WIREDESK_DNS_RESOLVER = silent.address
        found = lines(timeout=0.3)
    for finding in found.values():
        assert finding.status == "ERROR" and finding.failed
        assert "timed out after 0.3s (resolver 127.0.0.1:" in finding.detail


@pytest.mark.django_db
def test_the_command_prints_three_lines_and_exits_by_what_it_found(dns, capsys, settings):
    from wiredesk.cli import main

    settings.DEFAULT_FROM_EMAIL = f"Chile Sun <news@{DOMAIN}>"
    assert main(["mail", "check"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in out] == [["SPF", "OK"], ["DKIM", "OK"],
                                                 ["DMARC", "OK"]]
    # The digest's return path has a domain of its own: its SPF is checked too.
    settings.WIREDESK_BOUNCE_ADDRESS = "bounces@mx.chilesun.example"
    dns.zone["mx.chilesun.example"] = {"TXT": ["v=spf1 ip4:203.0.113.9 -all"]}
    assert main(["mail", "check"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 4 and out[3].startswith("SPF   WRONG   mx.chilesun.example: ")
    settings.WIREDESK_BOUNCE_ADDRESS = ""
    del dns.zone[f"_dmarc.{DOMAIN}"]
    assert main(["mail", "check", "--domain", DOMAIN]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3 and out[2].startswith("DMARC MISSING chilesun.example: ")


def test_dkim_key_command_writes_a_key_and_prints_its_record(settings, tmp_path, capsys):
    from wiredesk.cli import main

    settings.WIREDESK_DKIM_KEYS = tmp_path / "keys"
    assert main(["mail", "dkim-key", "--domain", "Desk.Example", "--selector", "s1",
                 "--bits", "1024"]) == 0
    out = capsys.readouterr().out
    key = dkim.signing_keys()["desk.example"]
    assert f"publish this TXT record at s1._domainkey.desk.example:\n{key.dns_record()}\n" \
        in out
    assert 's1._domainkey.desk.example. IN TXT ( "v=DKIM1; k=rsa; p=' in out
    assert main(["mail", "dkim-key", "--domain", "desk.example", "--selector", "s1"]) == 2
    assert "exists; choose another --selector" in capsys.readouterr().err
