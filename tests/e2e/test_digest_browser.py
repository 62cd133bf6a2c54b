"""A reader in headless Chromium: subscribe on an edition page, confirm, unsubscribe."""

import re
import shutil

import pytest

from tests.digest import conftest as digest
from wiredesk.digest.models import Subscriber

# The digest's own fixtures, for this module (smtp_server is in tests/e2e/conftest.py).
site, smtp = digest.site, digest.smtp

# Transactional: Django's live server answers Chromium from another thread, which must see
# what the test wrote.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def browser_page(monkeypatch):
    # Playwright's sync API keeps an event loop in this thread; the ORM calls the test
    # makes between page steps are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    playwright = pytest.importorskip("playwright.sync_api")
    if not shutil.which("chromium") and not shutil.os.path.exists(CHROMIUM):
        pytest.skip("chromium is not installed (apt-get install chromium)")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        yield page
        browser.close()


def test_subscribe_confirm_unsubscribe_in_a_browser(browser_page, live_server, site, smtp,
                                                    settings):
    from wiredesk.digest.sending import send_pending
    from wiredesk.digest.services import digest_plan

    settings.BASE_URL = live_server.url
    page = browser_page
    page.goto(f"{live_server.url}/euro-ledger/")
    page.fill("#signup-email", "browser@example.org")
    page.click(".signup button[type=submit]")
    page.wait_for_selector("text=Check your inbox")
    assert Subscriber.objects.get(email="browser@example.org").status == "pending"

    [mail] = smtp.to("browser@example.org")
    text = mail.message.get_body(("plain",)).get_content()
    confirm = re.search(r"http://\S+/digest/confirm/\S+", text).group(0)
    page.goto(confirm)
    page.click("button:has-text('Confirm subscription')")
    page.wait_for_selector("text=You are subscribed")
    assert Subscriber.objects.get(email="browser@example.org").status == "confirmed"

    digest_plan(force=True)
    assert send_pending().sent == 1
    digest = next(m for m in smtp.to("browser@example.org") if m.message["List-Unsubscribe"])
    # The digest itself, as Chromium renders it at phone width.
    page.set_viewport_size({"width": 380, "height": 800})
    page.goto("about:blank")  # a mail client's view, not a page under the site's CSP
    page.set_content(digest.message.get_body(("html",)).get_content())
    assert page.locator("text=Ministers meet in Santiago").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 380  # responsive: no sideways scrolling on a phone
    unsubscribe = digest.message["List-Unsubscribe"].strip("<>")
    page.goto(unsubscribe)
    assert page.locator("main button").count() == 1  # the header also has a search button
    page.click("button:has-text('Unsubscribe')")
    page.wait_for_selector("text=You are unsubscribed")
    assert Subscriber.objects.get(email="browser@example.org").status == "unsubscribed"
