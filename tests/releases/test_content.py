"""A release body is Markdown: the subset the form names becomes HTML, through the wire's
sanitizer; everything else, HTML above all, stays text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.releases.conftest import CHILE_HOST, form_data
from wiredesk.releases import services
from wiredesk.releases.content import BODY_HELP, body_to_html
from wiredesk.releases.models import Release

MARKDOWN = """The harbour market reopens on **Sunday** with *forty stalls* and a fish auction, \
says the [Harbour Board](https://harbour.example/market).

## What is on

- music from ten
- a **fish** auction at noon

1. Buy a ticket
2. Come early

> We waited two years for this day.

Contact: market@harbour.example
Phone: +56 32 555 0101

<script>window.__xss=1</script> <img src=x onerror="window.__xss=1"> <b>not bold</b>

[a trap](javascript:alert(1)) and [another](JaVaScRiPt:alert(1))

###"""


class _Elements(HTMLParser):
    """Every element of a fragment with its attributes, and its text."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def article_body(page: str) -> str:
    """The body of an article page (the sanitizer leaves no div inside it)."""
    start = page.index('<div class="body">')
    return page[start:page.index("</div>", start)]


@pytest.mark.django_db
@pytest.mark.usefixtures("requests_commit")
def test_a_markdown_release_is_published_as_the_html_it_names(client, smtp, editions):
    chile, _euro = editions
    response = client.post("/chile-sun/releases/submit", form_data(chile, body=MARKDOWN))
    assert response.status_code == 302, response.content.decode()[:2000]
    client.post(smtp.last("ana@rowing.example").link("verify"), HTTP_HOST=CHILE_HOST)
    release = services.release_approve(release=Release.objects.get(),
                                       actor=services.Actor(label="test"))
    article = release.article
    page = client.get(f"/chile-sun/news/{article.pk}/{article.slug}").content.decode()
    # The page puts its own line breaks (and SEE ALSO boxes) between the body's blocks.
    body = re.sub(r">\s+<", "><", article_body(page))

    assert "<strong>Sunday</strong>" in body and "<em>forty stalls</em>" in body
    assert ('<a href="https://harbour.example/market" rel="nofollow noopener">'
            "Harbour Board</a>") in body
    assert "<h2>What is on</h2>" in body
    assert "<ul><li>music from ten</li><li>a <strong>fish</strong> auction" in body
    assert "<ol><li>Buy a ticket</li><li>Come early</li></ol>" in body
    assert "<blockquote><p>We waited two years for this day.</p></blockquote>" in body
    assert "Contact: market@harbour.example<br>\nPhone:" in body  # one break, kept
    assert "**" not in body and "*forty" not in body and "](https" not in body

    elements = _Elements(body)
    tags = [tag for tag, _attrs in elements.elements]
    assert not {"script", "img", "b", "iframe"} & set(tags)
    assert not any(name.startswith("on") for _tag, attrs in elements.elements
                   for name in attrs)
    assert all(attrs["href"].startswith("https://") for tag, attrs in elements.elements
               if tag == "a")
    # The help text's promise: HTML is shown as typed, not applied; a javascript: link
    # is no link; the "###" end mark is not an empty heading.
    text = "".join(elements.text)
    assert '<script>window.__xss=1</script> <img src=x onerror="window.__xss=1"> ' \
           "<b>not bold</b>" in text
    assert "[a trap](javascript:alert(1))" in text
    assert "<p>###</p>" in body


def test_the_help_text_names_the_syntax_the_renderer_keeps():
    for example in ("**bold**", "*italic*", "[words](https://example.org)", '"- "', '"1. "',
                    '"> "', '"## "', "HTML tags are shown as typed"):
        assert example in BODY_HELP
    # What the help text shows, written in a body, is what comes out.
    assert body_to_html("**bold** *italic* [words](https://example.org)") == (
        '<p><strong>bold</strong> <em>italic</em> '
        '<a href="https://example.org" rel="nofollow noopener">words</a></p>')


@pytest.mark.parametrize(("typed", "shown"), [
    # No other Markdown: an indented line is no code, --- no rule, ![]() no picture.
    ("    indented copy", "<p>indented copy</p>"),
    ("---", "<p>---</p>"),
    ("`code`", "<p>`code`</p>"),
    ("![logo](https://harbour.example/logo.png)",
     '<p>!<a href="https://harbour.example/logo.png" rel="nofollow noopener">logo</a></p>'),
    ("# Top", "<h2>Top</h2>"),  # the page's h1 is the headline
    ("#### Deep", "<h3>Deep</h3>"),
    ("[mail us](mailto:desk@harbour.example)",
     '<p><a href="mailto:desk@harbour.example" rel="nofollow noopener">mail us</a></p>'),
    ("[x](data:text/html;base64,PHNjcmlwdD4=)", "<p>[x](data:text/html;base64,PHNjcmlwdD4=)</p>"),
    ("<a href=\"https://harbour.example\">raw</a>",
     "<p>&lt;a href=\"https://harbour.example\"&gt;raw&lt;/a&gt;</p>"),
])
def test_what_is_not_in_the_subset_stays_text(typed, shown):
    assert body_to_html(typed) == shown


def test_pathological_markdown_is_rendered_without_blowing_up():
    """A guard against catastrophic (quadratic or worse) parsing, not a speed figure: each
    body renders in milliseconds when linear, and would take minutes if not, so the bound
    is loose enough never to trip on a loaded machine."""
    import time

    for body in ("*" * 20_000, "[" * 10_000 + "]" * 10_000, "> " * 10_000, "- " * 10_000,
                 "**a " * 5_000):
        started = time.process_time()
        body_to_html(body)
        assert time.process_time() - started < 20.0, body[:10]
