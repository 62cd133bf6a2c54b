"""Desk edits that survive the wire, in headless Chromium against `wiredesk serve`
(issue 14, item 2): an editor corrects an agency headline on the desk, the agency's next
version is ingested through the real ingest path, and the public page still shows the
desk's headline while the desk flags the update."""

import re

import pytest

from tests.conftest import rss, rss_item

pytestmark = pytest.mark.e2e

BODY = ("<p>Port workers and employers agreed a new contract on Friday after talks "
        "that lasted through the night, officials said.</p>"
        "<p>The deal raises pay by four per cent over two years.</p>")
BODY_2 = BODY.replace("four per cent", "five per cent")


def test_a_desk_headline_survives_the_agency_update(instance, page, tmp_path):
    feed = tmp_path / "a.rss"
    feed.write_bytes(rss(rss_item("c1", "Port wrokers agree new contract", BODY)))
    instance.run("edition", "add", "--name", "Chile Sun", "--timezone", "Australia/Sydney")
    instance.run("ingest", str(feed), "--agency", "RFE")
    instance.env["DJANGO_SUPERUSER_PASSWORD"] = "pw-12345678"
    instance.run("createsuperuser", "--noinput", "--username", "editor",
                 "--email", "editor@example.org")
    base = instance.serve()

    page.goto(f"{base}/admin/login/?next=/admin/newsroom/article/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw-12345678")
    page.click('input[type="submit"]')
    page.wait_for_load_state("networkidle")
    page.click("#result_list tbody tr a")
    article_id = re.search(r"/article/(\d+)/change/", page.url).group(1)
    page.click(f'a[href="/desk/articles/{article_id}/"]')
    assert page.url.endswith(f"/desk/articles/{article_id}/")

    # The editor corrects the agency's typo.
    assert page.input_value("#id_headline") == "Port wrokers agree new contract"
    page.fill("#id_headline", "Port workers agree new contract")
    with page.expect_navigation():
        page.click('input[value="Save the desk\'s copy"]')
    assert "edited by the desk" in page.inner_text("#content-main")

    # The agency sends its next version (its typo still there, a new figure).
    feed.write_bytes(rss(rss_item("c1", "Port wrokers agree new contract, pay up 5%",
                                  BODY_2)))
    instance.run("ingest", str(feed), "--agency", "RFE")

    page.reload()
    banner = page.locator('[data-state="agency-update-pending"]')
    assert "Agency updated since your edit" in banner.inner_text()
    assert "five per cent" in banner.inner_text()
    assert page.input_value("#id_headline") == "Port workers agree new contract"
    public = page.get_attribute("a[data-public-page]", "href")
    assert public.startswith("/chile-sun/news/")

    reader = page.context.new_page()
    reader.goto(f"{base}{public}")
    assert reader.locator("h1").first.inner_text() == "Port workers agree new contract"
    assert "four per cent" in reader.content() and "five per cent" not in reader.content()

    # The desk list flags it too.
    page.goto(f"{base}/admin/newsroom/article/")
    assert "agency update" in page.inner_text("#result_list")
