"""The desk's front-page editor in headless Chromium against `wiredesk serve` (issue 14,
item 4): an editor signs in, features a story on the front and sees it lead the home page
(the page cache, warmed first, learns of it); drags a featured story above another and
the home page's row follows; and not one Content-Security-Policy violation on the way."""

import pytest

from tests.conftest import rss, rss_item

pytestmark = pytest.mark.e2e

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(e.effectiveDirective + ' ' + e.blockedURI));
"""

STORIES = [  # newest first
    ("w1", "Ministers agree on a shared water plan", "Fri, 11 Jul 2025 19:14:00 GMT"),
    ("w2", "Port workers agree new contract", "Fri, 11 Jul 2025 18:14:00 GMT"),
    ("w3", "Snow closes the mountain pass to trucks", "Fri, 11 Jul 2025 17:14:00 GMT"),
    ("w4", "Copper price rises again", "Fri, 11 Jul 2025 09:14:00 GMT"),
    ("w5", "Vineyards count frost damage", "Fri, 11 Jul 2025 08:14:00 GMT"),
    ("w6", "Metro opens two new stations", "Fri, 11 Jul 2025 07:14:00 GMT"),
    ("w7", "Senate backs a bill on pension fees", "Fri, 11 Jul 2025 06:14:00 GMT"),
]


def open_home(page, base: str) -> None:
    """The home page as the server has it now: public pages say ``max-age=60`` so a
    browser may keep its copy a minute; a reload asks the server (whose page cache holds
    the warmed copy until curation bumps the edition's stamp)."""
    page.goto(f"{base}/chile-sun/")
    page.reload()


def lead_headline(page) -> str:
    return page.locator(".front-lead .teaser-title").inner_text()


def row_headlines(page) -> list[str]:
    return page.locator(".front-secondary .teaser-title").all_inner_texts()


def test_an_editor_features_a_story_and_sees_it_lead_the_home_page(instance, page,
                                                                    tmp_path):
    feed = tmp_path / "a.rss"
    feed.write_bytes(rss("".join(rss_item(guid, title, date=date)
                                 for guid, title, date in STORIES)))
    instance.run("edition", "add", "--name", "Chile Sun", "--timezone", "America/Santiago")
    instance.run("ingest", str(feed), "--agency", "RFE")
    instance.env["DJANGO_SUPERUSER_PASSWORD"] = "pw-12345678"
    instance.run("createsuperuser", "--noinput", "--username", "editor",
                 "--email", "editor@example.org")
    base = instance.serve()
    page.add_init_script(RECORD_VIOLATIONS)

    open_home(page, base)  # the page cache now holds the automatic front
    assert lead_headline(page) == "Ministers agree on a shared water plan"

    page.goto(f"{base}/admin/login/?next=/desk/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw-12345678")
    page.click('input[type="submit"]')
    page.wait_for_load_state("networkidle")
    page.click("text=Fronts")
    page.click("text=Chile Sun")
    assert page.url == f"{base}/desk/fronts/chile-sun/"

    page.fill("#wd-q", "copper")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    row = page.locator("#wd-results tbody tr")
    assert row.count() == 1 and "Copper price rises again" in row.inner_text()
    with page.expect_navigation():
        row.get_by_role("button", name="Make top").click()
    assert "“Copper price rises again” is the top story." in page.locator(
        ".messagelist").inner_text()

    open_home(page, base)
    assert lead_headline(page) == "Copper price rises again"

    # Two featured stories, then the second dragged above the first (the script posts it).
    page.goto(f"{base}/desk/fronts/chile-sun/")
    for headline in ("Metro opens two new stations", "Senate backs a bill on pension fees"):
        page.fill("#wd-q", headline)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        with page.expect_navigation():
            page.locator("#wd-results tbody tr").get_by_role(
                "button", name="Feature").click()
    open_home(page, base)
    assert row_headlines(page)[:2] == ["Metro opens two new stations",
                                       "Senate backs a bill on pension fees"]

    page.goto(f"{base}/desk/fronts/chile-sun/")
    featured = page.locator('#wd-slots tr[data-kind="featured"]')
    assert featured.count() == 2
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        featured.nth(1).locator("td").first.drag_to(featured.nth(0).locator("td").first)
    assert posted.value.ok
    page.wait_for_function(
        "document.getElementById('wd-reorder-status').textContent.includes('saved')")
    assert page.evaluate("window.__csp") == []  # the editor's own script is allowed
    open_home(page, base)
    assert lead_headline(page) == "Copper price rises again"
    assert row_headlines(page)[:2] == ["Senate backs a bill on pension fees",
                                       "Metro opens two new stations"]
    assert page.evaluate("window.__csp") == []
