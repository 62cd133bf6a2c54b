"""A reader in a real headless Chromium: pages render, hostile copy never runs."""

import pytest

from tests.conftest import rss, rss_item

pytestmark = pytest.mark.e2e

HOSTILE_TITLE = "Budget vote &lt;script&gt;window.__xss=1&lt;/script&gt; passes"
HOSTILE_BODY = ("<p>Lawmakers <img src=x onerror=\"window.__xss=2\"> approved the budget "
                "on Friday after a long night of debate in the chamber.</p>"
                "<p><a href=\"javascript:window.__xss=3\">click</a> second paragraph.</p>"
                "<p><svg onload=\"window.__xss=4\"></svg>third paragraph.</p>"
                "<script>window.__xss=5</script><p>fourth paragraph.</p>")


def test_reader_sees_edition_and_no_script_from_a_feed_runs(instance, page, tmp_path):
    feed = tmp_path / "hostile.rss"
    feed.write_bytes(rss(rss_item("h1", HOSTILE_TITLE, HOSTILE_BODY)
                         + rss_item("h2", "A calm second story", category="World")))
    instance.run("ingest", str(feed), "--agency", "RFE")
    instance.run("edition", "add", "--name", "Chile Sun", "--timezone", "Australia/Sydney")
    base = instance.serve()

    page.goto(base + "/chile-sun/")
    assert page.title() == "Chile Sun"
    headline = page.locator(".teaser-title a", has_text="Budget vote")
    assert headline.count() == 1
    headline.click()
    page.wait_for_load_state()
    assert "/chile-sun/news/" in page.url
    assert page.locator("h1").inner_text().startswith("Budget vote")
    assert page.evaluate("typeof window.__xss") == "undefined"
    # javascript: link was stripped by the sanitizer
    assert page.locator("a[href^='javascript:']").count() == 0
    # The calm second story is unrelated: SEE ALSO is relevant or absent, never filler.
    assert page.locator("text=SEE ALSO:").count() == 0
    assert page.locator("text=More Information").count() == 1
    # a reader searches from the box on every page and lands on the article
    page.fill("input[name=q]", "calm second")
    page.press("input[name=q]", "Enter")
    page.wait_for_load_state()
    assert "/chile-sun/search" in page.url
    hit = page.locator("main a", has_text="A calm second story")
    assert hit.count() >= 1
    assert page.locator("main mark").count() >= 1  # matches highlighted
    hit.first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "A calm second story"
    page.goto(base + "/chile-sun/search?q=" + "%3Cscript%3Ewindow.__xss%3D9%3C%2Fscript%3E")
    assert page.evaluate("typeof window.__xss") == "undefined"
    # the edition's home, read on a phone-sized screen, keeps its content
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(base + "/chile-sun/")
    assert page.locator(".teaser").count() == 2
    assert page.evaluate("typeof window.__xss") == "undefined"
