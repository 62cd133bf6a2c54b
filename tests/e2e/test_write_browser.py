"""The desk's writing view in headless Chromium against `wiredesk serve` (issue 14,
item 1): an editor signs in, writes an article with an uploaded picture, previews it,
publishes it, and finds it on the edition's home and in its RSS feed; not one
Content-Security-Policy violation on the way."""

import urllib.request

import pytest

from tests.pictureserver import jpeg

pytestmark = pytest.mark.e2e

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(e.effectiveDirective + ' ' + e.blockedURI));
"""
HEADLINE = "Harbour board approves a night ferry to the islands"


def test_an_editor_writes_and_publishes_an_article_with_a_picture(instance, page, tmp_path):
    instance.run("edition", "add", "--name", "Chile Sun", "--timezone", "America/Santiago")
    instance.env["DJANGO_SUPERUSER_PASSWORD"] = "pw-12345678"
    instance.run("createsuperuser", "--noinput", "--username", "editor",
                 "--email", "editor@example.org")
    base = instance.serve()
    picture = tmp_path / "ferry.jpg"
    picture.write_bytes(jpeg((1600, 1067)))
    page.add_init_script(RECORD_VIOLATIONS)

    # The admin's "add article" leads to the writing view, through the sign-in.
    page.goto(f"{base}/admin/newsroom/article/add/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw-12345678")
    page.click('input[type="submit"]')
    page.wait_for_load_state("networkidle")
    if "/desk/write/" not in page.url:
        page.goto(f"{base}/admin/newsroom/article/add/")
    assert page.url.endswith("/desk/write/")

    page.fill("#id_headline", HEADLINE)
    page.fill("#id_standfirst", "Two crossings a night from March.")
    page.fill("#id_body", "The harbour board voted on Tuesday to run a night ferry.\n\n"
                          "## Fares\n\nFares stay as they are.")
    # The toolbar (a static script, progressive enhancement) types the Markdown marks.
    page.evaluate("""() => { const body = document.getElementById('id_body');
        const at = body.value.indexOf('night ferry');
        body.setSelectionRange(at, at + 'night ferry'.length); }""")
    page.click(".wd-toolbar button:has-text('Bold')")
    assert "**night ferry**" in page.input_value("#id_body")
    page.fill("#id_byline", "Ana Pérez")
    page.set_input_files("#id_upload", str(picture))
    page.fill("#id_caption", "The ferry at the pier")
    page.fill("#id_credit", "Harbour Board")
    page.fill("#id_alt", "A white ferry lit up at a pier at night")
    with page.expect_navigation():
        page.click('input[name="save"]')
    assert "Draft saved" in page.content()

    # The preview is the edition's own page, the draft not public meanwhile.
    preview = page.locator("a", has_text="Chile Sun").first.get_attribute("href")
    check = page.context.new_page()
    check.goto(base + preview)
    assert check.locator("h1").inner_text() == HEADLINE
    assert check.locator("article img").count() >= 1
    check.close()
    assert HEADLINE not in _read(f"{base}/chile-sun/feed.rss")

    with page.expect_navigation():
        page.click('input[name="publish"]')
    assert "Published" in page.content()
    page.click("ul.wd-shown-in a")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == HEADLINE
    assert page.locator("article.story img").first.get_attribute("alt") == \
        "A white ferry lit up at a pier at night"
    assert page.locator("article.story .body strong").inner_text() == "night ferry"

    page.goto(f"{base}/chile-sun/")
    assert HEADLINE in page.content()
    assert HEADLINE in _read(f"{base}/chile-sun/feed.rss")
    assert page.evaluate("window.__csp") == []


def _read(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.read().decode()
