"""OPML 2.0: the feed list every feed reader reads and writes, in and out. Pure.

Reading goes through the same guarded XML parser as every feed (``xmlsafe``: no entity
is expanded, no DTD or network touched, a document declaring entities is refused), so
an OPML file is as hostile as any other input and costs no more.

An outline with ``xmlUrl`` is a feed; an outline without one that holds outlines is a
category (nested categories are walked, their names kept as the feed's path). Besides
OPML's own ``text``, ``title``, ``type``, ``xmlUrl`` and ``htmlUrl``, wiredesk writes and
reads its own attributes in the namespace :data:`NAMESPACE` (prefix ``wiredesk``), and
also reads them without a namespace, as some tools drop namespaces:

- ``wiredesk:agency``: the agency's code (``RFE``); ``wiredesk:agencyName`` its name;
- ``wiredesk:every``: the poll interval, ``90s``, ``10m``, ``2h``, ``1d`` or minutes;
- ``wiredesk:fullText``: ``true`` when each new item's page is fetched for its text;
- ``wiredesk:enabled``: ``false`` for a feed that is kept but not polled.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import urlsplit

from lxml import etree

from wiredesk.wire.fetch.policy import ALLOW_SETTING, FetchPolicy, address_problem
from wiredesk.wire.types import WireError
from wiredesk.wire.xmlsafe import local, parse_xml, xml_text

NAMESPACE = "urn:wiredesk:opml:1"
MAX_URL_LENGTH = 1000  # Feed.source holds no more
_INTERVAL = re.compile(r"\s*(\d{1,7})\s*([smhd]?)\s*")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "": 60}
_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}
_NUMERIC_HOST = re.compile(r"[0-9a-fA-FxX.]+")


@dataclass(frozen=True, slots=True)
class Outline:
    """One feed outline as read; ``problem`` says what was wrong with its own attributes
    (a wiredesk attribute that makes no sense), which refuses the outline."""

    xml_url: str
    line: int
    title: str = ""
    html_url: str = ""
    categories: tuple[str, ...] = ()
    agency: str = ""
    agency_name: str = ""
    every_seconds: int | None = None
    full_text: bool | None = None
    enabled: bool | None = None
    problem: str = ""


@dataclass(slots=True)
class OpmlDocument:
    title: str = ""
    outlines: list[Outline] = field(default_factory=list)
    # Outlines that are neither a feed nor a category (no xmlUrl, no children), by line.
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class FeedOutline:
    """What :func:`write_opml` writes for one feed."""

    xml_url: str
    title: str = ""
    html_url: str = ""
    agency: str = ""
    agency_name: str = ""
    every_seconds: int | None = None
    full_text: bool = False
    enabled: bool = True


def _attr(element, name: str) -> str:
    value = element.get(f"{{{NAMESPACE}}}{name}")
    if value is None:
        value = element.get(name)
    return " ".join((value or "").split())


def parse_interval(text: str) -> int | None:
    """Seconds in ``90s``, ``10m``, ``2h``, ``1d`` or a bare number of minutes."""
    match = _INTERVAL.fullmatch(text or "")
    if not match:
        return None
    return int(match.group(1)) * _UNITS[match.group(2)]


def format_interval(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _flag(element, name: str) -> tuple[bool | None, str]:
    value = _attr(element, name).lower()
    if not value:
        return None, ""
    if value in _TRUE:
        return True, ""
    if value in _FALSE:
        return False, ""
    return None, f"wiredesk:{name} is {value[:40]!r}, not true or false"


def _outline(element, categories: tuple[str, ...]) -> Outline:
    problems = []
    every_text = _attr(element, "every")
    every = parse_interval(every_text) if every_text else None
    if every_text and every is None:
        problems.append(f"wiredesk:every is {every_text[:40]!r}, not an interval such as 10m")
    full_text, problem = _flag(element, "fullText")
    problems += [problem] if problem else []
    enabled, problem = _flag(element, "enabled")
    problems += [problem] if problem else []
    xml_url = (element.get("xmlUrl") or "").strip()
    text = _attr(element, "text")
    return Outline(
        xml_url=xml_url, line=element.sourceline or 0,
        title=_attr(element, "title") or (text if text != xml_url else ""),
        html_url=(element.get("htmlUrl") or "").strip(), categories=categories,
        agency=_attr(element, "agency"), agency_name=_attr(element, "agencyName"),
        every_seconds=every, full_text=full_text, enabled=enabled,
        problem="; ".join(problems))


def read_opml(data: bytes) -> OpmlDocument:
    """Every feed outline of an OPML document, in document order. Raises WireError when
    the bytes are not a well-formed OPML document at all."""
    if not data or not data.strip():
        raise WireError("empty file: no OPML document")
    root = parse_xml(data)
    if local(root.tag) != "opml":
        raise WireError(f"not an OPML document: the root element is <{local(root.tag)}>, "
                        "not <opml>")
    document = OpmlDocument()
    head = next((child for child in root if local(child.tag) == "head"), None)
    if head is not None:
        title = next((child for child in head if local(child.tag) == "title"), None)
        document.title = " ".join((title.text or "").split()) if title is not None else ""
    body = next((child for child in root if local(child.tag) == "body"), None)
    if body is None:
        raise WireError("not an OPML document: it has no <body>")
    # Depth-first without recursion; libxml2 already bounds the nesting.
    stack: list[tuple[object, tuple[str, ...]]] = [
        (child, ()) for child in reversed(list(body))]
    while stack:
        element, categories = stack.pop()
        if local(element.tag) != "outline":
            continue
        children = [child for child in element if local(child.tag) == "outline"]
        if element.get("xmlUrl") is not None:
            document.outlines.append(_outline(element, categories))
        elif children:
            name = _attr(element, "title") or _attr(element, "text")
            path = (*categories, name) if name else categories
            stack.extend((child, path) for child in reversed(children))
        elif (element.get("type") or "").lower() in ("rss", "atom", "feed"):
            document.problems.append(f"line {element.sourceline}: a feed outline without "
                                     "xmlUrl; skipped")
    return document


def _numeric_address(host: str):
    """The address a numeric host stands for, odd spellings included (``2130706433``,
    ``0x7f.1``, ``127.1``), read as a connection would, without any lookup."""
    bare = host.strip("[]")
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if _NUMERIC_HOST.fullmatch(bare) and any(c.isdigit() for c in bare):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(bare))
        except OSError:
            return None
    return None


def feed_url_problem(url: str, policy: FetchPolicy) -> str:
    """Why ``url`` cannot be a polled web feed ('' when it can).

    Only http and https feeds come in by OPML; an address the fetch policy refuses is
    refused here already when it is written as an address or a local name (names are
    checked again, resolved, at every fetch).
    """
    if not url:
        return "no xmlUrl"
    if len(url) > MAX_URL_LENGTH:
        return f"the URL is {len(url)} characters long, more than {MAX_URL_LENGTH}"
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return "not a valid URL: it contains spaces or control characters"
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 (raises ValueError on a port that is not a number)
    except ValueError as exc:
        return f"not a valid URL: {exc}"
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return f"only http and https feeds are imported, not {scheme or 'a relative'} URLs"
    if not host:
        return "not a valid URL: no host"
    name = host.lower().rstrip(".")
    if policy.allows_name(name):
        return ""
    if name == "localhost" or name.endswith((".localhost", ".local", ".internal")):
        return (f"refused: {host} is a local name, not the public Internet (an operator can "
                f"allow it with {ALLOW_SETTING})")
    ip = _numeric_address(host)
    if ip is not None:
        problem = address_problem(ip)
        if problem and not policy.allows_address(ip):
            return (f"refused: {host} is a {problem} address, not the public Internet (an "
                    f"operator can allow it with {ALLOW_SETTING})")
    return ""


def feed_url_key(url: str) -> str:
    """One spelling of a feed's URL for finding duplicates: scheme and host in lower case,
    the default port and any fragment dropped. Path and query are kept as written
    (servers may tell them apart)."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return url
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    if port and port != {"http": 80, "https": 443}[scheme]:
        host = f"{host}:{port}"
    query = f"?{parts.query}" if parts.query else ""
    return f"{scheme}://{host}{parts.path or '/'}{query}"


def write_opml(feeds: Iterable[FeedOutline], *, title: str = "wiredesk feeds",
               created: datetime | None = None) -> bytes:
    """An OPML 2.0 document with one category outline per agency (in the order given)
    holding that agency's feeds, each with its wiredesk attributes."""
    nsmap = {"wiredesk": NAMESPACE}
    root = etree.Element("opml", version="2.0", nsmap=nsmap)
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = xml_text(title)
    etree.SubElement(head, "dateCreated").text = format_datetime(
        (created or datetime.now(UTC)).astimezone(UTC), usegmt=True)
    etree.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    body = etree.SubElement(root, "body")
    groups: dict[str, etree._Element] = {}

    def wd(name: str) -> str:
        return f"{{{NAMESPACE}}}{name}"

    for feed in feeds:
        group = groups.get(feed.agency)
        if group is None:
            label = xml_text(feed.agency_name or feed.agency or "feeds")
            group = groups[feed.agency] = etree.SubElement(body, "outline", text=label,
                                                           title=label)
        # text is required; a feed without a title of its own shows its address there.
        outline = etree.SubElement(group, "outline", text=xml_text(feed.title or feed.xml_url))
        if feed.title:
            outline.set("title", xml_text(feed.title))
        outline.set("type", "rss")
        outline.set("xmlUrl", xml_text(feed.xml_url))
        if feed.html_url:
            outline.set("htmlUrl", xml_text(feed.html_url))
        if feed.agency:
            outline.set(wd("agency"), xml_text(feed.agency))
        if feed.agency_name:
            outline.set(wd("agencyName"), xml_text(feed.agency_name))
        if feed.every_seconds:
            outline.set(wd("every"), format_interval(feed.every_seconds))
        outline.set(wd("fullText"), "true" if feed.full_text else "false")
        if not feed.enabled:
            outline.set(wd("enabled"), "false")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
