"""The desk's admin in headless Chromium against `wiredesk serve` (issue 14, item 8):
branded by its own stylesheet, the article list's search box focused so an editor types
at once, a search by keyboard alone, and not one Content-Security-Policy violation."""

import pytest

from tests.conftest import rss, rss_item

pytestmark = pytest.mark.e2e

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(e.effectiveDirective + ' ' + e.blockedURI));
"""


def test_an_editor_searches_the_desk_list_by_keyboard(instance, page, tmp_path):
    feed = tmp_path / "a.rss"
    feed.write_bytes(rss(rss_item("c1", "Port workers agree new contract")
                         + rss_item("c2", "Copper price rises again", category="Business")))
    instance.run("ingest", str(feed), "--agency", "RFE")
    instance.env["DJANGO_SUPERUSER_PASSWORD"] = "pw-12345678"
    instance.run("createsuperuser", "--noinput", "--username", "editor",
                 "--email", "editor@example.org")
    base = instance.serve()
    page.add_init_script(RECORD_VIOLATIONS)

    page.goto(f"{base}/admin/login/?next=/admin/newsroom/article/")
    assert "wiredesk desk" in page.locator("#site-name").inner_text()
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw-12345678")
    page.click('input[type="submit"]')
    page.wait_for_load_state("networkidle")

    # The desk's own stylesheet is applied: the header is wiredesk's ink, not Django's blue.
    header = page.evaluate("getComputedStyle(document.getElementById('header')).backgroundColor")
    assert header == "rgb(27, 27, 27)"
    assert page.evaluate("document.activeElement.id") == "searchbar"
    page.keyboard.type("copper")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "q=copper" in page.url
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1 and "Copper price rises again" in rows.first.inner_text()
    assert "RFE" in rows.first.inner_text()
    assert page.evaluate("window.__csp") == []
