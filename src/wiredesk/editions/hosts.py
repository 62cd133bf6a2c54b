"""Which Host headers the site answers: the editions' own hosts and the site's.

Django's ``ALLOWED_HOSTS`` is a fixed list read at start-up, but editions gain and lose
host names at run time (``wiredesk edition add --host``, the admin), so the check is
made here, per request, by ``EditionHostMiddleware``. A request for any other host is
refused with 400 before anything reads its Host header: no page, link, redirect or
cache entry is ever built from a host the publisher did not name.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import split_domain_port, validate_host

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def site_hosts() -> list[str]:
    """The site's own host patterns (besides the editions'): the ``WIREDESK_BASE_URL``
    host, loopback, and what ``WIREDESK_ALLOWED_HOSTS`` (and Django's ``ALLOWED_HOSTS``,
    which the test runner extends) name, ``*`` left out."""
    base = urlsplit(settings.BASE_URL).hostname or ""
    named = [h for h in (*settings.WIREDESK_ALLOWED_HOSTS, *settings.ALLOWED_HOSTS)
             if h and h != "*"]
    return [h for h in (base, *LOOPBACK_HOSTS, *named) if h]


def any_host_allowed() -> bool:
    """``WIREDESK_ALLOWED_HOSTS=*``: the operator's proxy checks hosts, not wiredesk."""
    return "*" in settings.WIREDESK_ALLOWED_HOSTS


def domain_of(host: str) -> str:
    """The host name of a Host header value (no port, lower case), or "" if malformed."""
    domain, _port = split_domain_port(host)
    return domain


def is_site_host(host: str) -> bool:
    domain = domain_of(host)
    return bool(domain) and validate_host(domain, site_hosts())


DEFAULT_PORTS = (None, 80, 443)


def _address(domain: str, port: int | None) -> tuple[str, int | None]:
    domain = domain.lower().strip("[]").rstrip(".")
    loopback = "loopback" if domain in ("localhost", "127.0.0.1", "::1") else domain
    return loopback, None if port in DEFAULT_PORTS else port


def matches_base_url(host: str) -> bool:
    """Whether a request for ``host`` (a Host header) came to the address links are built
    on, ``WIREDESK_BASE_URL``: the same name (the loopback names count as one) and port
    (none, 80 and 443 count as one, since a proxy in front rarely passes the port on)."""
    domain, port = split_domain_port(host)
    try:
        asked = _address(domain, int(port) if port else None)
        base = urlsplit(settings.BASE_URL)
        return asked == _address(base.hostname or "", base.port)
    except ValueError:
        return True  # a port that is no number: nothing to compare
