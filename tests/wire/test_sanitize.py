"""The allow-list: hostile markup in, safe markup out."""

import pytest

from wiredesk.wire.sanitize import html_to_text, plain_text, sanitize_html

CASES = [
    ("<p>a<script>alert(1)</script>b</p>", ["<script", "alert"]),
    ('<p onclick="steal()">x</p><img src="https://e.org/i.jpg" onerror="steal()">',
     ["onclick", "onerror", "steal"]),
    ('<a href="javascript:alert(1)">x</a><a href="JaVaScRiPt:alert(2)">y</a>',
     ["javascript", "alert"]),
    ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a><img src="vbscript:x">',
     ["data:", "vbscript"]),
    ('<svg><script>alert(1)</script><a xlink:href="javascript:x">s</a></svg><p>after</p>',
     ["<svg", "alert", "javascript"]),
    ('<p style="width: expression(alert(1))">x</p>'
     '<div style="background:url(javascript:x)">y</div>',
     ["style", "expression", "javascript"]),
    ("<style>body{behavior:url(x.htc)}</style><p>kept</p>", ["<style", "behavior"]),
    ('<iframe src="https://evil.example"></iframe><object data="x"></object><p>ok</p>',
     ["iframe", "object", "evil"]),
    ('<math><mi xlink:href="javascript:alert(1)">x</mi></math><p>ok</p>', ["javascript", "<math"]),
    ('<form action="https://evil"><input name=a></form><p>ok</p>', ["<form", "<input"]),
    ("<p>x</p><!-- <script>alert(1)</script> -->", ["<!--", "alert"]),
    ('<meta http-equiv="refresh" content="0;url=javascript:x"><p>ok</p>', ["refresh", "meta"]),
]


@pytest.mark.parametrize(("markup", "forbidden"), CASES, ids=[c[1][0] for c in CASES])
def test_hostile_markup_is_removed(markup, forbidden):
    cleaned = sanitize_html(markup).lower()
    for word in forbidden:
        assert word.lower() not in cleaned


def test_links_are_nofollow_and_keep_safe_schemes():
    cleaned = sanitize_html('<a href="https://e.org/x">x</a> <a href="mailto:a@e.org">m</a>')
    assert cleaned.count('rel="nofollow noopener"') == 2
    assert 'href="https://e.org/x"' in cleaned and 'href="mailto:a@e.org"' in cleaned


def test_allowed_structure_survives():
    markup = ('<h2>H</h2><p><em>e</em> <strong>s</strong></p><ul><li>1</li></ul>'
              '<blockquote>q</blockquote><figure><img src="https://e.org/i.jpg" alt="a">'
              "<figcaption>c</figcaption></figure><table><tr><td>t</td></tr></table>")
    cleaned = sanitize_html(markup)
    for tag in ("<h2>", "<em>", "<strong>", "<ul>", "<li>", "<blockquote>", "<figure>",
                "<img", "<figcaption>", "<table>", "<td>"):
        assert tag in cleaned


def test_divs_become_paragraphs_so_words_never_glue():
    cleaned = sanitize_html("<div>First block</div><div>Second block</div>")
    assert html_to_text(cleaned) == "First block\nSecond block"


def test_inline_links_keep_their_spaces():
    text = html_to_text('<p>a classified\n<a href="https://e.org">EU report</a>\nsaid</p>')
    assert text == "a classified EU report said"


def test_titles_are_plain_text():
    assert plain_text("Markets <b>rally</b> &amp; <script>x()</script>bonds") == (
        "Markets rally & bonds")
