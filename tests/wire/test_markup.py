"""The desk's Markdown: ``body_to_html`` and its inverse ``html_to_markdown``."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.conftest import SHARED_DATA
from wiredesk.wire.markup import body_to_html, html_to_markdown
from wiredesk.wire.pipeline import process
from wiredesk.wire.sanitize import sanitize_html

WIRE = SHARED_DATA / "wire-formats"


class _Shape(HTMLParser):
    """What a reader sees of a body: kept tags (b as strong, i as em), links, words."""

    KEPT = {"strong", "em", "a", "ul", "ol", "li", "blockquote", "h2", "h3"}
    # Where a line or paragraph ends: the reader sees a break, whichever it is.
    BREAKS = {"p", "br", "div", "pre", "table", "tr", "figure", "figcaption"}
    SAME = {"b": "strong", "i": "em", "h1": "h2", "h4": "h3", "h5": "h3", "h6": "h3"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        tag = self.SAME.get(tag, tag)
        self.in_pre = self.in_pre or tag == "pre"
        if tag in self.BREAKS:
            self.parts.append("\n")
        if tag in self.KEPT:
            href = dict(attrs).get("href") if tag == "a" else None
            self.parts.append(f"<{tag}{' ' + href if href else ''}>")

    def handle_endtag(self, tag):
        tag = self.SAME.get(tag, tag)
        self.in_pre = self.in_pre and tag != "pre"
        if tag in self.BREAKS:
            self.parts.append("\n")
        if tag in self.KEPT:
            self.parts.append(f"</{tag}>")

    def handle_data(self, data):
        self.parts.append(data if self.in_pre else re.sub(r"\s+", " ", data))

    in_pre = False


def shape(markup: str) -> str:
    parser = _Shape()
    parser.feed(markup)
    text = "".join(parser.parts)
    # Whitespace at the edges of blocks and lines is not shown; breaks run together.
    text = re.sub(r"[ \t]*\n\s*", "\n", text)
    text = re.sub(r"\s*(</?(?:ul|ol|li|blockquote|h2|h3)>)\s*", r"\1", text)
    return re.sub(r" +", " ", text).strip()


@pytest.mark.parametrize("markdown", [
    "One paragraph.\n\nA second, with a line\nbreak.",
    "**Bold** and *italic* and [a link](https://example.org/a?b=1&c=2).",
    "- one\n- two\n\n1. first\n2. second",
    "> A quote\n> on two lines\n\n## A subhead\n\n### A smaller one",
    "Typed marks stay typed: \\*not bold\\*, 2 \\* 3, \\[x\\], \\_x\\_, a \\\\ b, <b>tag</b>.",
    "\\# not a subhead\n\\- not a list\n1\\. not numbered\n\\> not a quote",
    "AT&T &amp; &copy; stay as typed",
    "- a loose item\n\n  with two paragraphs\n\n- and another",
])
def test_markdown_survives_the_round_trip(markdown):
    html = body_to_html(markdown)
    again = html_to_markdown(html)
    assert body_to_html(again) == html
    # And the Markdown the desk sees is stable: editing nothing changes nothing.
    assert html_to_markdown(body_to_html(again)) == again


def test_agency_html_becomes_readable_markdown():
    html = sanitize_html(
        '<p>The <b>minister</b> said <i>"no"</i>.<br/>Then <a href="https://e.org/x">left</a>.</p>'
        "<h4>Background</h4><ul><li>One</li><li>Two</li></ul>"
        "<blockquote><p>Quoted</p></blockquote><table><tr><td>cell</td></tr></table>"
        '<p><img src="https://e.org/p.jpg" alt="x"> caption</p>')
    assert html_to_markdown(html) == (
        'The **minister** said *"no"*.\nThen [left](https://e.org/x).\n\n'
        "### Background\n\n- One\n- Two\n\n> Quoted\n\ncell\n\ncaption")


def test_text_that_looks_like_markdown_stays_text():
    html = "<p>1. Not a list * nor _this_ [nor](that) # nor a heading</p><p># Really</p>"
    markdown = html_to_markdown(html)
    assert shape(body_to_html(markdown)) == shape(html)


def test_empty_and_hostile_input():
    assert html_to_markdown("") == ""
    assert html_to_markdown("<p> </p>") == ""
    assert html_to_markdown("<script>alert(1)</script><p>ok</p>") == "ok"
    assert html_to_markdown("<p><strong></strong>x</p>") == "x"
    assert html_to_markdown('<p><a href="">no address</a></p>') == "no address"
    assert body_to_html(html_to_markdown('<p><a href="https://e.org/a b(c)">x</a></p>')) == (
        '<p><a href="https://e.org/a%20b(c)" rel="nofollow noopener">x</a></p>')


def _agency_bodies() -> list[tuple[str, str]]:
    if not WIRE.is_dir():
        return []
    bodies = []
    for path in sorted((WIRE / "superdesk").glob("*/*.xml")):
        try:
            items = process(path.read_bytes()).items
        except Exception:  # a file the pipeline refuses has no body to test
            continue
        bodies += [(f"{path.parent.name}/{path.name}#{n}", item.body_html)
                   for n, item in enumerate(items) if item.body_html]
    return bodies


_AGENCY_BODIES = _agency_bodies()


@pytest.mark.shared_data
@pytest.mark.skipif(not WIRE.is_dir(), reason=f"{WIRE} is absent")
@pytest.mark.parametrize("name,html", _AGENCY_BODIES, ids=[n for n, _ in _AGENCY_BODIES])
def test_real_agency_bodies_round_trip(name, html):
    markdown = html_to_markdown(html)
    back = body_to_html(markdown)
    assert shape(back) == shape(html)
    assert html_to_markdown(back) == markdown


def test_shape_can_fail():
    assert shape("<p>a <b>b</b></p>") != shape("<p>a b</p>")
