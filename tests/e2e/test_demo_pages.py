"""The demo's public pages as a browser gets them from the real server: compressed when
asked, static files under hashed names kept for good, an icon on every host, and pages
that load in Chromium without a single console error (no blocked style, no 404)."""

from __future__ import annotations

import gzip
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from email.message import Message

import pytest

from tests.conftest import make_data_dir
from tests.e2e.processes import WIREDESK, free_port

pytestmark = pytest.mark.e2e


def fetch(url: str, **headers: str) -> tuple[int, Message, bytes]:
    """Status, headers (names in any case, as HTTP has them) and body."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    port = free_port()
    data_dir = make_data_dir(tmp_path_factory.mktemp("demo-pages"))
    log_path = data_dir.path.parent / "demo.log"
    log = log_path.open("w")  # a file, not a pipe: the access log would fill a pipe
    process = subprocess.Popen([WIREDESK, "demo", "--port", str(port)], env=data_dir.env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("wiredesk demo exited early:\n" + log_path.read_text())
        try:
            if fetch(base + "/")[0] == 200:
                break
        except OSError:
            time.sleep(0.3)
    else:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail("wiredesk demo did not start in time")
    yield base, port
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
    log.close()


def demo_pages(base: str) -> list[str]:
    """Every kind of public page, found by following the demo's own links."""
    home = fetch(base + "/chile-sun/")[2].decode()
    # The first article on the front that names someone (tags are few, by design).
    for article in re.findall(r'href="(/chile-sun/news/\d+/[\w-]+)"', home):
        article_html = fetch(base + article)[2].decode()
        tagged = re.search(r'href="(/chile-sun/tag/[\w-]+/)"', article_html)
        if tagged and re.search(r'href="/chile-sun/story/', article_html):
            break
    story = re.search(r'href="(/chile-sun/story/\d+/[\w-]*)"', article_html).group(1)
    tag = tagged.group(1)
    sections = re.findall(r'href="(/chile-sun/section/[\w-]+/)"', home)
    spanish = re.search(r'href="(/chile-hoy/news/\d+/[\w-]+)"',
                        fetch(base + "/chile-hoy/")[2].decode()).group(1)
    return ["/", "/chile-sun/", "/euro-ledger/", "/chile-hoy/", spanish, arabic_article(home),
            *sections, article, story, tag,
            "/chile-sun/search?q=india", "/chile-sun/feed.rss", "/chile-sun/sitemap.xml",
            "/robots.txt"]


def test_every_demo_page_answers_gzip_when_asked(demo):
    base, _port = demo
    for path in demo_pages(base):
        status, plain_headers, plain = fetch(base + path)
        assert status == 200 and "Content-Encoding" not in plain_headers, path
        status, headers, body = fetch(base + path, **{"Accept-Encoding": "gzip"})
        assert status == 200, path
        assert headers.get("Content-Encoding") == "gzip", path
        assert gzip.decompress(body) == plain, path
        assert len(body) < len(plain), path


def test_static_files_have_hashed_names_kept_for_a_year_and_more(demo):
    base, _port = demo
    home = fetch(base + "/chile-sun/")[2].decode()
    css = re.search(r'<link rel="stylesheet" href="(/static/wiredesk/site\.[0-9a-f]{12}\.css)"',
                    home).group(1)
    status, headers, body = fetch(base + css, **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"]
    assert int(re.search(r"max-age=(\d+)", headers["Cache-Control"]).group(1)) >= 31536000
    assert b".teaser" in gzip.decompress(body)


def test_favicon_answers_on_the_site_and_on_each_edition_host(demo):
    base, port = demo
    for path, host in (("/favicon.ico", f"127.0.0.1:{port}"),
                       ("/favicon.ico", f"chilesun.localhost:{port}"),
                       ("/favicon.ico", f"euroledger.localhost:{port}"),
                       ("/chile-sun/favicon.ico", f"127.0.0.1:{port}")):
        status, headers, body = fetch(base + path, Host=host)
        assert status == 200, (path, host)
        assert headers["Content-Type"] == "image/vnd.microsoft.icon"
        assert body[:4] == b"\x00\x00\x01\x00"


def arabic_article(front: str) -> str:
    """The Arabic sample item's page, found by the teaser marked right to left."""
    return re.search(r'href="(/chile-sun/news/\d+/[\w-]+)" lang="ar" dir="rtl"', front).group(1)


def test_the_spanish_edition_and_the_arabic_item_in_chromium(demo, page):
    """Chile Hoy is a Spanish page; the Arabic item is laid out right to left inside the
    English edition's page, whose own interface stays left to right."""
    base, _port = demo
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(base + "/chile-hoy/")
    assert page.evaluate("document.documentElement.lang") == "es"
    assert "Colo-Colo gana el superclásico" in page.locator("main").inner_text()
    page.goto(base + arabic_article(fetch(base + "/chile-sun/")[2].decode()))
    story = "article.story"
    assert page.eval_on_selector(story, "e => getComputedStyle(e).direction") == "rtl"
    assert page.eval_on_selector(story, "e => e.lang") == "ar"
    assert page.evaluate("getComputedStyle(document.body).direction") == "ltr"
    assert "أشجار القرم" in page.locator(story).inner_text()
    assert errors == []


def test_home_and_article_load_in_chromium_without_console_errors(demo, page):
    """What Lighthouse's best-practices reads: no failed request (the icon), no blocked
    style or script (the strict Content-Security-Policy)."""
    base, _port = demo
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400
            else None)
    page.goto(base + "/chile-sun/")
    page.wait_for_load_state("networkidle")
    assert page.locator("nav.sections a[aria-current=page]").all_inner_texts() == ["LATEST"]
    page.locator("ol.teasers h2 a").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").count() == 1
    page.goto(base + "/favicon.ico")
    assert errors == []
