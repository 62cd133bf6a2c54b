"""The digest's operator tools in headless Chromium: the preview's HTML part shows in its
sandboxed frame under the admin's policy, a test copy goes out, the charts draw; not one
Content-Security-Policy violation on the way."""

import shutil

import pytest

from tests.digest import conftest as digest
from tests.digest.conftest import make_confirmed

site, smtp = digest.site, digest.smtp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(e.effectiveDirective + ' ' + e.blockedURI));
"""


@pytest.fixture
def browser_page(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    playwright = pytest.importorskip("playwright.sync_api")
    if not shutil.which("chromium") and not shutil.os.path.exists(CHROMIUM):
        pytest.skip("chromium is not installed (apt-get install chromium)")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.add_init_script(RECORD_VIOLATIONS)
        yield page
        browser.close()


def test_preview_test_copy_and_charts_in_a_browser(browser_page, live_server, site, smtp,
                                                   settings):
    from django.contrib.auth import get_user_model

    from wiredesk.digest.sending import send_pending
    from wiredesk.digest.services import digest_plan

    settings.BASE_URL = live_server.url
    chile, _ = site
    make_confirmed(chile, "reader@example.org", time_zone="America/Santiago")
    digest_plan(force=True)
    send_pending()
    get_user_model().objects.create_superuser("editor", "editor@chilesun.example",
                                              "pw-12345678")
    page = browser_page
    page.goto(f"{live_server.url}/admin/login/?next=/admin/digest/digest/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw-12345678")
    page.click('input[type="submit"]')
    page.click("text=Preview and test send")
    page.select_option("#id_edition", label="Chile Sun")
    page.fill("#id_email", "reader@example.org")
    page.click('input[value="Preview"]')
    page.wait_for_load_state("networkidle")
    frame = page.frame_locator("iframe.wd-preview-html")
    assert frame.locator("text=Ministers meet in Santiago").first.is_visible()
    assert "America/Santiago" in page.content()
    assert page.evaluate("window.__csp") == []

    page.fill("#id_to", "desk@chilesun.example")
    page.click('input[value="Send a test copy"]')
    page.wait_for_selector("text=A test copy went to desk@chilesun.example")
    [copy] = smtp.to("desk@chilesun.example")
    assert copy.subject.startswith("[Test] ")

    page.goto(f"{live_server.url}/admin/digest/digest/figures/")
    charts = page.locator("svg.wd-chart")
    assert charts.count() == 2 and charts.first.is_visible()
    assert charts.first.bounding_box()["width"] > 600
    assert page.locator("td.wd-fig-sent").first.inner_text() == "1"
    assert page.evaluate("window.__csp") == []
