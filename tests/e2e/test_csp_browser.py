"""The Content-Security-Policy in a real Chromium: every page renders without a single
violation, and markup that slipped past the sanitizer still could not run (issue 23)."""

import pytest

from tests.conftest import rss, rss_item

pytestmark = pytest.mark.e2e

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(e.effectiveDirective + ' ' + e.blockedURI));
"""


def test_every_page_renders_under_the_policy_and_injected_script_is_blocked(
        instance, page, tmp_path):
    feed = tmp_path / "a.rss"
    feed.write_bytes(rss(rss_item("c1", "Port workers agree new contract")
                         + rss_item("c2", "Copper price rises again", category="Business")))
    instance.run("ingest", str(feed), "--agency", "RFE")
    instance.run("edition", "add", "--name", "Chile Sun", "--timezone", "America/Santiago")
    base = instance.serve()
    page.add_init_script(RECORD_VIOLATIONS)
    console = []
    page.on("console", lambda message: console.append(message.text))

    pages = ["/chile-sun/", "/chile-sun/section/world/", "/chile-sun/search?q=contract",
             "/chile-sun/digest/subscribe", "/chile-sun/digest/archive/",
             "/chile-sun/releases/submit", "/admin/login/",
             "/api/docs", "/no/such/page"]
    for path in pages:
        response = page.goto(base + path)
        assert response.headers.get("content-security-policy"), path
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__csp") == [], path
    page.goto(base + "/chile-sun/")
    page.locator(".teaser a", has_text="Port workers").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Port workers agree new contract"
    assert page.locator("script[type='application/ld+json']").count() >= 1
    assert page.evaluate("window.__csp") == []
    assert not [text for text in console if "Content Security Policy" in text]

    # Markup that got into the page anyhow: its handler and inline script do not run.
    page.evaluate("""document.body.insertAdjacentHTML('beforeend',
        '<img src="/x.png" onerror="window.__xss=1">');
        const s = document.createElement('script'); s.textContent = 'window.__xss=2';
        document.body.appendChild(s);""")
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__xss") == "undefined"
    blocked = page.evaluate("window.__csp")
    assert any(entry.startswith("script-src") for entry in blocked), blocked
