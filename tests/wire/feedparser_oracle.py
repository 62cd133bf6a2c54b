"""Run feedparser's own test corpus through wiredesk and judge our output by its Expect lines.

Each corpus file states its expected result as a Python expression over feedparser's
result dict. We build a dict of the same shape from *our* output (the parse+normalize
path) and evaluate the expressions that only ask about things we produce: entry titles,
links, ids, dates, authors, categories and sanitized content, and feed title/link.
Everything else (encodings, HTTP headers, namespaces, iTunes, GeoRSS, feed-level
descriptions) does not apply to our output and is only checked for "no crash".

The expressions are test oracles from a fixed third-party corpus, evaluated with no
builtins; production code never evaluates them.
"""

from __future__ import annotations

import datetime
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

from wiredesk.wire.formats import parse_bytes
from wiredesk.wire.normalize import normalize
from wiredesk.wire.sanitize import plain_text, sanitize_html
from wiredesk.wire.types import WireError

_HEADER = re.compile(r"<!--(.*?)-->", re.S)
_FIELD = re.compile(r"^\s*(Expect|Header|SkipUnless|Description):\s*(.*)$", re.M)
_KEY = re.compile(r"\[\s*'([A-Za-z_0-9]+)'\s*\]")
_NAMES = re.compile(r"\b([A-Za-z_][A-Za-z_0-9]*)\b")
ENTRY_KEYS = {"title", "link", "id", "summary", "content", "value", "published_parsed",
              "updated_parsed", "author", "authors", "name", "tags", "term"}
FEED_KEYS = {"title", "link"}
ALLOWED_NAMES = {"bozo", "feed", "entries", "not", "and", "or", "in", "len", "u", "True",
                 "False", "None", "datetime", "is"}


@dataclass
class CorpusCase:
    path: Path
    expect: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    skip_unless: str = ""


def read_case(path: Path) -> CorpusCase:
    raw = path.read_bytes()
    case = CorpusCase(path)
    if path.suffix == ".json":
        try:
            case.expect = json.loads(raw.decode("utf-8")).get("__TEST__", "")
            match = re.search(r"Expect:\s*(.*)", case.expect)
            case.expect = match.group(1).strip() if match else ""
        except ValueError:
            pass
        return case
    text = raw.decode("latin-1")
    header = _HEADER.search(text[:4000])
    if not header:
        return case
    for name, value in _FIELD.findall(header.group(1)):
        if name == "Expect":
            case.expect = value.strip()
        elif name == "Header":
            key, _, val = value.partition(":")
            case.headers[key.strip().lower()] = val.strip()
        elif name == "SkipUnless":
            case.skip_unless = value.strip()
    return case


def applies(expect: str) -> bool:
    """Whether an Expect line only asks about what our output carries."""
    if not expect:
        return False
    stripped = re.sub(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", "''", expect)
    names = set(_NAMES.findall(re.sub(r"\[\s*''\s*\]", "", stripped)))
    if not names <= ALLOWED_NAMES | {"struct_time", "time"}:
        return False
    keys = set(_KEY.findall(expect))
    if "feed[" in expect.replace(" ", "") and not set(
            _KEY.findall(" ".join(re.findall(r"feed(\[[^\]]+\])", expect)))) <= FEED_KEYS:
        return False
    return keys <= ENTRY_KEYS | FEED_KEYS


_SPACE = re.compile(r"\s+")
_REL = re.compile(r'\s+rel="nofollow noopener"')


def _html_form(value: str) -> str:
    """Markup folded so that two serializations of the same safe HTML compare equal."""
    cleaned = _REL.sub("", sanitize_html(value))
    cleaned = cleaned.replace("<p>", "").replace("</p>", " ")
    return _SPACE.sub(" ", cleaned).strip()


class HtmlValue(str):
    """Our sanitized markup; equal to an expected string that sanitizes to the same thing.

    Serialization details are not the question (``<img />`` versus ``<img>``, ``<div>``
    kept as a paragraph, the ``rel`` we add to links); what survives sanitizing is.
    """

    __hash__ = str.__hash__

    def __eq__(self, other):
        if not isinstance(other, str):
            return NotImplemented
        return _html_form(str(self)) == _html_form(other)

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result


class TextValue(str):
    """A title: we store titles as plain text, so compare the expected title's text."""

    __hash__ = str.__hash__

    def __eq__(self, other):
        if not isinstance(other, str):
            return NotImplemented
        return str(self) == plain_text(other)

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result


def _struct(value: datetime.datetime | None):
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC)
    return time.struct_time((*value.timetuple()[:8], 0))


def our_result(data: bytes, *, content_type: str = "", base_url: str = "") -> dict:
    """Our output in feedparser's shape. Raises WireError like the pipeline does."""
    parsed = parse_bytes(data, content_type=content_type, base_url=base_url)
    entries = []
    for item in parsed.items:
        clean = normalize(item, now=datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC))
        entry = {
            "title": TextValue(clean.headline),
            "link": item.link,
            "id": item.guid,
            "summary": HtmlValue(sanitize_html(item.summary)) if item.summary else "",
            "content": [{"value": HtmlValue(sanitize_html(item.body))}] if item.body else [],
            "author": clean.byline,
            "authors": [{"name": a} for a in item.authors],
            "tags": [{"term": c} for c in clean.categories],
            "links": [{"href": item.link, "rel": "alternate"}] if item.link else [],
        }
        if item.published is not None:
            entry["published_parsed"] = _struct(clean.published)
        if item.updated is not None:
            entry["updated_parsed"] = _struct(clean.updated)
        entries.append({k: v for k, v in entry.items() if v not in ("", [])
                        or k in ("title",)})
    bozo = any("not well-formed" in w for w in parsed.warnings)
    return {"bozo": bozo, "feed": {"title": TextValue(plain_text(parsed.title)),
                                   "link": parsed.link},
            "entries": entries}


def meets(expect: str, result: dict) -> bool:
    try:
        return bool(eval(expect, {"__builtins__": {"len": len}, "datetime": datetime,
                                  "u": str}, dict(result)))
    except Exception:
        return False


@dataclass
class CorpusReport:
    files: int = 0
    crashes: list[str] = field(default_factory=list)
    with_items: int = 0
    wire_errors: int = 0
    applicable: int = 0
    met: int = 0
    failed: list[str] = field(default_factory=list)


def run_corpus(root: Path) -> CorpusReport:
    report = CorpusReport()
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".xml", ".json") or not path.is_file():
            continue
        report.files += 1
        case = read_case(path)
        data = path.read_bytes()
        # The upstream harness serves these files from this address; its tests of
        # relative links resolve against it (or against Content-Location).
        relative = path.relative_to(root).as_posix()
        address = f"http://127.0.0.1:8097/{relative}" if "http" in relative else ""
        base = case.headers.get("content-location", "")
        base = urljoin(address, base) if base and address else (base or address)
        try:
            result = our_result(data, content_type=case.headers.get("content-type", ""),
                                base_url=base)
        except WireError:
            report.wire_errors += 1
            result = None
        except Exception as exc:  # the very thing this corpus run looks for
            report.crashes.append(f"{path.relative_to(root)}: {type(exc).__name__}: {exc}")
            continue
        if result and result["entries"]:
            report.with_items += 1
        if case.skip_unless or not applies(case.expect):
            continue
        report.applicable += 1
        if result is not None and meets(case.expect, result):
            report.met += 1
        else:
            report.failed.append(str(path.relative_to(root)))
    return report
