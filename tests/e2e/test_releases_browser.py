"""News releases in a real headless Chromium: the form as people use it, and XSS.

A payload that sets ``window.__xss`` goes into every text field a submitter (and the
editor's rejection reason) can fill; every page that shows those fields is then
loaded in Chromium and the flag must still be undefined. A control page proves the
payload does run when it is not escaped, so the check cannot pass vacuously.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.releases import conftest as releases
from tests.releases.conftest import image_bytes

# The releases' own fixtures for this module, with their autouse settings.
_release_settings, editions, smtp = releases._release_settings, releases.editions, releases.smtp

# Transactional: Django's live server answers Chromium from another thread, which must see
# what the test wrote.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PAYLOAD = ('"><script>window.__xss=1</script><img src=x onerror="window.__xss=1">'
           "<svg onload=window.__xss=1>")
BODY_PAYLOAD = ("The harbour market reopens on Sunday with forty stalls, music and a fish "
                "auction.\n\n<a href=\"javascript:window.__xss=1\">details</a> "
                "<iframe src=\"javascript:window.__xss=1\"></iframe>"
                "<p onclick=\"window.__xss=1\" style=\"x\">Second paragraph of the release, "
                "long enough to be real copy.</p>\n\n" + PAYLOAD)


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test
    # makes between page loads are plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def no_xss(page, url: str) -> str:
    """Load a page, let images fail and handlers fire, and check nothing ran."""
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(150)
    assert page.evaluate("typeof window.__xss") == "undefined", f"script ran on {url}"
    assert not dialogs
    assert response is not None
    return page.content()


def fill_form(page, image_path: Path, **values):
    for name, value in values.items():
        page.fill(f'[name="{name}"]', value)
    page.select_option('select[name="category"]', "community")
    page.set_input_files('input[name="image"]', str(image_path))


def test_xss_payload_in_every_field_never_executes(browser, live_server, smtp, editions,
                                                   settings, tmp_path):
    from django.contrib.auth import get_user_model

    from wiredesk.newsroom.models import Section
    from wiredesk.releases.models import Release

    settings.BASE_URL = live_server.url
    chile, _euro = editions
    base = live_server.url
    image = tmp_path / "market.jpg"
    image.write_bytes(image_bytes())
    page = browser.new_page()

    # control: the payload does execute when it is not escaped
    page.set_content(f"<div>{PAYLOAD}</div>")
    page.wait_for_timeout(200)
    assert page.evaluate("window.__xss") == 1
    page.close()
    page = browser.new_page()

    texts = {"organisation": "Harbour " + PAYLOAD, "contact_name": "Ana " + PAYLOAD[:100],
             "headline": "Market reopens " + PAYLOAD, "image_caption": "Stalls " + PAYLOAD,
             "image_credit": "Photo " + PAYLOAD[:150]}
    no_xss(page, f"{base}/chile-sun/releases/submit")
    # first attempt with a bad address: the form comes back with every payload in it
    fill_form(page, image, email="not-an-address", body=BODY_PAYLOAD, **texts)
    page.click('main button[type="submit"]')
    page.wait_for_load_state("networkidle")
    assert "Enter a valid email address." in page.content()
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.input_value('[name="headline"]') == texts["headline"]
    # correct it and send (the checked image is kept)
    page.fill('[name="email"]', "ana@harbour.example")
    page.click('main button[type="submit"]')
    page.wait_for_url(re.compile(r".*/releases/sent$"))
    assert page.evaluate("typeof window.__xss") == "undefined"
    release = Release.objects.get()
    assert release.headline == texts["headline"] and release.image

    verify_path = smtp.last("ana@harbour.example").link("verify")
    html = no_xss(page, f"{base}/chile-sun{verify_path}")  # any host serves /<slug>/
    assert "Market reopens" in html
    page.click("#confirm")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof window.__xss") == "undefined"
    status_path = page.get_attribute("#status-link", "href")
    no_xss(page, base + status_path)

    # the editor moderates in the admin, in the browser: the payloads are on screen there
    get_user_model().objects.create_superuser("editor", "ed@example.org", "pw-12345678")
    no_xss(page, f"{base}/admin/login/?next=/admin/releases/release/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw-12345678")
    page.click('input[type="submit"]')
    page.wait_for_load_state("networkidle")
    assert release.reference in page.content()
    assert page.evaluate("typeof window.__xss") == "undefined"
    no_xss(page, f"{base}/admin/releases/release/{release.pk}/change/")
    community = Section.objects.get(slug="community")
    page.select_option("#id_section", str(community.pk))
    page.select_option("#id_decision", "approve")
    page.click('input[name="_save"]')
    page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof window.__xss") == "undefined"
    release.refresh_from_db()
    assert release.status == Release.Status.APPROVED, page.content()[:3000]
    article = release.article

    # every public page that shows the release
    article_html = no_xss(page, f"{base}/chile-sun/news/{article.pk}/{article.slug}")
    assert "Press release from <bdi>Harbour" in article_html
    # the pipeline publishes one-line fields as plain text (tags dropped) and the body
    # through the wire allow-list: no script, handler or javascript: link survives
    assert "Market reopens" in page.inner_text("article h1")
    for selector in ("script", "[onerror]", "[onload]", "[onclick]", "svg", "iframe",
                     "a[href^='javascript']", "[style]"):
        assert page.locator(f"article {selector}").count() == 0, selector
    assert page.locator("article .body a[href^='javascript']").count() == 0
    assert page.locator("article .body iframe").count() == 0
    no_xss(page, f"{base}/chile-sun/")
    no_xss(page, f"{base}/chile-sun/section/community/")
    no_xss(page, base + status_path)
    # the status page shows what was typed, as text
    assert "<script>window.__xss=1</script>" in page.inner_text("main")
    no_xss(page, f"{base}/admin/releases/release/{release.pk}/change/")

    # a rejection reason with the payload, on the submitter's status page
    from wiredesk.releases import services

    second = services.release_submit(submission=services.Submission(
        organisation="Second " + PAYLOAD, contact_name="Bo", email="bo@x.example",
        headline="Second release " + PAYLOAD, body=BODY_PAYLOAD, category="other",
        editions=[chile], submitted_via=chile))
    services.release_verify(release=second)
    services.release_reject(release=second, actor=services.Actor(label="editor"),
                            reason="Not news. " + PAYLOAD)
    second_status = smtp.last("bo@x.example").link("status")
    html = no_xss(page, f"{base}/chile-sun{second_status}")
    assert "Not news." in html
