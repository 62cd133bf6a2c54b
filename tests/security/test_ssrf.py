"""SSRF: a feed, an item link or a redirect aimed inside is refused, on every hop, in any
spelling, and the address checked is the address connected to."""

from __future__ import annotations

import ipaddress
import socket

import pytest
import urllib3.util.connection

from tests.conftest import rss
from tests.security.attacker import SECRET, Attacker
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article, Feed
from wiredesk.wire.fetch import FetchError, FetchPolicy, address_problem

RSS = "application/rss+xml"

# The host spellings of issue 23: every one of them reached 127.0.0.1.
LOOPBACK_SPELLINGS = {
    "127.0.0.1": "loopback",
    "localhost": "loopback",
    "2130706433": "loopback",
    "0177.0.0.1": "loopback",
    "0x7f000001": "loopback",
    "127.1": "loopback",
    "0x7f.1": "loopback",
    "017700000001": "loopback",
    "127.0.0.1.": "loopback",
    "0.0.0.0": "unspecified",
    "[::ffff:127.0.0.1]": "loopback",
    "[::ffff:7f00:1]": "loopback",
    "[::1]": "loopback",
    "[::]": "unspecified",
}


def _item(guid: str, link: str, summary: str) -> str:
    return (f"<item><title>Item {guid}</title><guid isPermaLink=\"false\">{guid}</guid>"
            f"<link>{link}</link><description>{summary}</description>"
            "<pubDate>Fri, 11 Jul 2025 19:14:00 GMT</pubDate></item>")


def _secret_feed() -> bytes:
    return rss(_item("secret-1", "https://wire.example.org/s", f"<p>{SECRET}</p>"))


@pytest.mark.django_db
@pytest.mark.parametrize("host", list(LOOPBACK_SPELLINGS))
def test_a_feed_aimed_inside_is_refused_and_the_feed_says_why(attacker, default_policy, host):
    attacker.routes["/feed.rss"] = Attacker.page(_secret_feed(), RSS)
    feed = services.feed_add(source=f"http://{host}:{attacker.port}/feed.rss",
                             agency=services.agency_ensure(code="EVIL"))
    report = services.feed_poll(feed, force=True)
    feed.refresh_from_db()
    assert feed.last_status == Feed.Status.ERROR
    assert feed.last_error.startswith("refused to fetch from "), feed.last_error
    assert f"a {LOOPBACK_SPELLINGS[host]} address" in feed.last_error
    assert "WIREDESK_FETCH_ALLOW" in feed.last_error
    assert report.errors == [feed.last_error] and report.created == 0
    assert attacker.requests == [] and not Article.objects.exists()


@pytest.mark.django_db
def test_one_shot_ingest_of_an_inside_url_is_refused(attacker, default_policy):
    attacker.routes["/feed.rss"] = Attacker.page(_secret_feed(), RSS)
    report = services.ingest_source(f"{attacker.url}/feed.rss",
                                    agency=services.agency_ensure(code="EVIL"))
    assert report.created == 0 and "refused to fetch" in report.errors[0]
    assert attacker.requests == [] and not Article.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("inside", ["127.0.0.1", "2130706433", "[::ffff:127.0.0.1]", "127.1"])
def test_a_redirect_from_an_allowed_host_to_inside_is_refused_at_the_hop(attacker, settings,
                                                                         inside):
    # The operator trusts one host by name (its agency's intranet feed, say); the
    # attacker's copy there redirects somewhere else inside.
    settings.WIREDESK_FETCH_ALLOW = ["localhost"]
    attacker.routes["/feed.rss"] = Attacker.redirect(
        f"http://{inside}:{attacker.port}/secret-feed.rss")
    attacker.routes["/secret-feed.rss"] = Attacker.page(_secret_feed(), RSS)
    agency = services.agency_ensure(code="EVIL")
    report = services.ingest_source(f"http://localhost:{attacker.port}/feed.rss", agency=agency)
    assert attacker.paths() == ["/feed.rss"]
    assert "refused to fetch from" in report.errors[0] and "loopback" in report.errors[0]
    assert not Article.objects.exists()

    feed = services.feed_add(source=f"http://localhost:{attacker.port}/feed.rss", agency=agency)
    services.feed_poll(feed, force=True)
    feed.refresh_from_db()
    assert feed.last_status == Feed.Status.ERROR and "refused to fetch" in feed.last_error
    assert "/secret-feed.rss" not in attacker.paths() and not Article.objects.exists()


@pytest.mark.django_db
def test_an_allowed_host_and_its_own_redirects_are_fetched(attacker, settings):
    settings.WIREDESK_FETCH_ALLOW = ["localhost"]
    attacker.routes["/old.rss"] = Attacker.redirect("/feed.rss", 301)
    attacker.routes["/feed.rss"] = Attacker.page(
        rss(_item("ok-1", "https://wire.example.org/ok", "<p>Allowed intranet copy.</p>")), RSS)
    report = services.ingest_source(f"http://localhost:{attacker.port}/old.rss",
                                    agency=services.agency_ensure(code="INTRA"))
    assert report.created == 1 and report.errors == []
    assert attacker.requests == [("/old.rss", f"localhost:{attacker.port}"),
                                 ("/feed.rss", f"localhost:{attacker.port}")]


@pytest.mark.django_db
def test_full_text_links_aimed_inside_are_not_fetched(attacker, settings):
    """``feed add ... --full-text``: each item's link would be fetched and its page become
    the public body. Links inside (directly or by a redirect) keep their summary."""
    settings.WIREDESK_FETCH_ALLOW = ["localhost"]
    port = attacker.port
    inside = [f"http://{host}:{port}/secret" for host in
              ("127.0.0.1", "2130706433", "0177.0.0.1", "0x7f000001", "127.1", "0.0.0.0",
               "[::ffff:127.0.0.1]")]
    inside.append(f"http://localhost:{port}/go")  # allowed host, redirecting inside
    attacker.routes["/go"] = Attacker.redirect(f"http://127.0.0.1:{port}/secret")
    summaries = {f"in-{n}": f"<p>Summary number {n} of the wire item, kept as it is.</p>"
                 for n in range(len(inside))}
    attacker.routes["/feed.rss"] = Attacker.page(
        rss("".join(_item(guid, link, summaries[guid])
                    for guid, link in zip(summaries, inside, strict=True))), RSS)
    feed = services.feed_add(source=f"http://localhost:{port}/feed.rss",
                             agency=services.agency_ensure(code="EVIL"), full_text=True)
    report = services.feed_poll(feed, force=True)
    assert report.created == len(inside)
    assert "/secret" not in attacker.paths()
    assert sorted(attacker.paths()) == ["/feed.rss", "/go"]
    for article in Article.objects.all():
        assert SECRET not in article.body_html and SECRET not in article.lead
        assert "full-text-from-page" not in article.flags
        assert "kept as it is" in article.body_html
    refusals = [e for e in report.errors if "refused to fetch from" in e]
    assert len(refusals) == len(inside), report.errors
    feed.refresh_from_db()
    assert "refused to fetch from" in feed.last_error


@pytest.mark.django_db
def test_the_address_checked_is_the_address_connected_to(default_policy, monkeypatch):
    """DNS rebinding: a name answers a public address to the check, loopback after.

    The fetch must look the name up once and connect to what it checked; a second
    lookup (by the HTTP library, say) would get loopback. The next poll's lookup then
    does answer loopback, and is refused.
    """
    public = "93.184.216.34"
    with Attacker() as outside, Attacker() as inside:
        outside.routes["/feed.rss"] = Attacker.page(
            rss(_item("pub-1", "https://wire.example.org/p", "<p>Public copy.</p>")), RSS)
        inside.routes["/feed.rss"] = Attacker.page(_secret_feed(), RSS)
        name = "news.rebind.example"
        lookups: list[str] = []
        connected: list[str] = []
        real_getaddrinfo = socket.getaddrinfo
        guarded_connect = urllib3.util.connection.create_connection

        def rebinding_getaddrinfo(host, port, *args, **kwargs):
            if host == name:
                lookups.append(host)
                host = public if len(lookups) == 1 else "127.0.0.1"
            return real_getaddrinfo(host, port, *args, **kwargs)

        def network(address, *args, **kwargs):
            # This test's Internet: the public address is the "outside" server; a name
            # is resolved here as the real create_connection would.
            host, port = address
            ip = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][4][0]
            connected.append(ip)
            if ip == public:
                return guarded_connect(("127.0.0.1", outside.port), *args, **kwargs)
            return guarded_connect((ip, port), *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", rebinding_getaddrinfo)
        monkeypatch.setattr(urllib3.util.connection, "create_connection", network)
        # The URL's port is the inside server's: connecting by name again would reach it.
        feed = services.feed_add(source=f"http://{name}:{inside.port}/feed.rss",
                                 agency=services.agency_ensure(code="PUB"))
        first = services.feed_poll(feed, force=True)
        assert first.created == 1 and first.errors == []
        assert lookups == [name] and connected == [public]
        assert outside.requests == [("/feed.rss", f"{name}:{inside.port}")]

        second = services.feed_poll(feed, force=True)
        feed.refresh_from_db()
        assert "refused to fetch from" in second.errors[0]
        assert "127.0.0.1" in feed.last_error and "loopback" in feed.last_error
        assert connected == [public] and inside.requests == []
        assert not Article.objects.filter(body_html__contains=SECRET).exists()


# --- the policy itself (no network) ------------------------------------------------------

@pytest.mark.parametrize(("address", "kind"), [
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"), ("100.64.0.1", "non-public"),
    ("224.0.0.1", "multicast"), ("239.255.255.250", "multicast"),
    ("255.255.255.255", "private"), ("240.0.0.1", "private"), ("0.1.2.3", "private"),
    ("198.18.0.1", "private"), ("192.0.2.1", "private"),
    ("fe80::1", "link-local"), ("fc00::1", "private"), ("fd12:3456::1", "private"),
    ("fec0::1", "site-local"), ("ff02::1", "multicast"), ("::", "unspecified"),
    ("::ffff:10.0.0.1", "private"), ("::ffff:169.254.169.254", "link-local"),
    ("64:ff9b::7f00:1", "loopback"), ("2002:7f00:1::", "loopback"),
    ("2002:a00:1::", "private"), ("::127.0.0.1", "loopback"),
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", "loopback"),  # Teredo, client 127.0.0.1
])
def test_every_kind_of_inside_address_is_named(address, kind):
    assert address_problem(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "1.1.1.1",
                                     "2606:2800:220:1:248:1893:25c8:1946",
                                     "::ffff:93.184.216.34", "64:ff9b::5db8:d822"])
def test_public_addresses_pass(address):
    assert address_problem(ipaddress.ip_address(address)) == ""


def test_the_allow_list_takes_names_domains_and_networks():
    policy = FetchPolicy(["feeds.agency.lan", ".intranet", "10.20.0.0/16", "::1", " "])
    private, loopback6 = ipaddress.ip_address("10.20.3.4"), ipaddress.ip_address("::1")
    policy.check("feeds.agency.lan", [ipaddress.ip_address("192.168.0.9")])
    policy.check("FEEDS.Agency.lan.", [ipaddress.ip_address("192.168.0.9")])
    policy.check("wire.intranet", [ipaddress.ip_address("172.16.0.1")])
    policy.check("intranet", [ipaddress.ip_address("172.16.0.1")])
    policy.check("anything.example", [private])
    policy.check("[::1]", [loopback6])
    policy.check("mapped.example", [ipaddress.ip_address("::ffff:10.20.0.1")])
    with pytest.raises(FetchError, match=r"other\.lan \(10\.21\.0\.1\): a private address"):
        policy.check("other.lan", [ipaddress.ip_address("10.21.0.1")])
    with pytest.raises(FetchError, match="private"):
        policy.check("notintranet", [ipaddress.ip_address("172.16.0.1")])
    # One inside address among public ones is enough to refuse.
    with pytest.raises(FetchError, match="loopback"):
        FetchPolicy().check("mixed.example", [ipaddress.ip_address("93.184.216.34"),
                                               ipaddress.ip_address("127.0.0.1")])


# --- HTTPS: the socket goes to the checked address, SNI and certificate use the name ------

def _certificates(folder) -> tuple[str, str, str]:
    """A throwaway CA and a server certificate for feeds.agency.test only (openssl CLI)."""
    import subprocess

    def run(*args, extfile=""):
        if extfile:
            (folder / "ext.cnf").write_text(extfile)
            args = (*args, "-extfile", str(folder / "ext.cnf"))
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    run("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=wiredesk test CA", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign")
    run("req", *ec, "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=feeds.agency.test")
    run("x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "srv.pem", "-days", "2",
        extfile="subjectAltName=DNS:feeds.agency.test\nbasicConstraints=CA:FALSE\n"
                "extendedKeyUsage=serverAuth\n")
    return str(folder / "ca.pem"), str(folder / "srv.pem"), str(folder / "srv.key")


def test_https_goes_to_the_checked_address_and_checks_the_name(tmp_path, monkeypatch):
    import shutil
    import ssl

    from wiredesk.wire.fetch import fetch

    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    ca, cert, key = _certificates(tmp_path)
    server_names: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda _sock, name, _ctx: server_names.append(name)
    lookups: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def agency_dns(host, port, *args, **kwargs):
        if host.endswith(".agency.test"):
            lookups.append(host)
            host = "127.0.0.1"
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", agency_dns)
    monkeypatch.setenv("SSL_CERT_FILE", ca)  # the client trusts the throwaway CA
    policy = FetchPolicy(["127.0.0.1"])
    with Attacker() as server:
        server.httpd.socket = context.wrap_socket(server.httpd.socket, server_side=True)
        server.routes["/feed.rss"] = Attacker.page(_secret_feed(), RSS)
        result = fetch(f"https://feeds.agency.test:{server.port}/feed.rss", policy=policy,
                       timeout=5)
        assert result.status == 200 and SECRET.encode() in result.body
        assert lookups == ["feeds.agency.test"] and server_names == ["feeds.agency.test"]
        assert server.requests == [("/feed.rss", f"feeds.agency.test:{server.port}")]
        # Same address, other names: the certificate is checked against the URL's name.
        for other in ("other.agency.test", "127.0.0.1"):
            with pytest.raises(FetchError, match=r"certificate of \S+ is not valid"):
                fetch(f"https://{other}:{server.port}/feed.rss", policy=policy, timeout=5)
        assert len(server.requests) == 1
