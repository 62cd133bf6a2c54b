"""`wiredesk demo` as a user runs it: a real server process, read over HTTP and in headless
Chromium, on a random port, so every link that works here works on any port."""

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import make_data_dir
from tests.e2e.processes import WIREDESK, free_port

pytestmark = pytest.mark.e2e

# An absolute link to the demo itself: localhost, an edition's *.localhost or loopback.
OWN_LINK = re.compile(r"https?://(?:[\w.-]*localhost|127\.0\.0\.1)(?::\d+)?[^\s\"'<>)]*")


def get(url: str, host: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@dataclass(frozen=True)
class Demo:
    port: int
    base: str  # http://127.0.0.1:<port>
    site: str  # http://localhost:<port>, the address the demo gives out
    data_dir: Path
    env: dict

    def run(self, *args: str) -> str:
        """A command run by hand in another terminal on the demo's data directory: only
        WIREDESK_DATA_DIR set, as after `cd` into the clone."""
        result = subprocess.run([WIREDESK, *args], env=self.env, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    port = free_port()
    data_dir = make_data_dir(tmp_path_factory.mktemp("demo"))
    env = dict(data_dir.env)
    env.pop("WIREDESK_DATA_DIR")  # as a user runs it: the option names the directory
    env.pop("WIREDESK_BASE_URL", None)
    env["WIREDESK_RELEASE_MIN_FILL_SECONDS"] = "0"  # the browser fills the form at once
    process = subprocess.Popen([WIREDESK, "demo", "--port", str(port), "--data-dir",
                                str(data_dir.path)], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("wiredesk demo exited early:\n" + process.stdout.read())
        try:
            if get(base + "/")[0] == 200:
                break
        except OSError:
            time.sleep(0.3)
    else:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail("wiredesk demo did not start in time")
    by_hand = {**data_dir.env}
    by_hand.pop("WIREDESK_BASE_URL", None)
    yield Demo(port=port, base=base, site=f"http://localhost:{port}", data_dir=data_dir.path,
               env=by_hand)
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def demo_server(demo):
    return demo.base


def own_links(text: str) -> list[str]:
    return OWN_LINK.findall(text)


def assert_on_port(links, port: int) -> None:
    wrong = [link for link in links if not re.match(rf"https?://[^/]+:{port}(/|$)", link)]
    assert not wrong, f"links without :{port}: {wrong[:5]}"


def test_demo_serves_two_editions_with_every_element(demo_server):
    status, index = get(demo_server + "/")
    assert status == 200
    assert "Chile Sun" in index and "Euro Ledger" in index

    status, home = get(demo_server + "/chile-sun/")
    assert status == 200
    teasers = re.findall(r'<p class="lead">(.*?)</p>', home, re.S)
    assert len(teasers) >= 10
    assert any(t.strip().endswith("...") for t in teasers)
    for section in ("World", "Politics", "Business", "Sport"):
        assert f">{section}</a>" in home

    article_path = re.search(r'href="(/chile-sun/news/\d+/[\w-]+)"', home).group(1)
    status, article = get(demo_server + article_path)
    assert status == 200
    assert re.search(r"\d{1,2} \w{3,4} 20\d\d, \d{2}:\d{2} GMT\+1[01]", article)
    # SEE ALSO is shown only where a related story clears the confidence floor: some of the
    # sample's articles have one (the heat wave and the WHO's heat warnings), most have none.
    boxes = [path for path in dict.fromkeys(
                 re.findall(r'href="(/chile-sun/news/\d+/[\w-]+)"', home))
             if "SEE ALSO:" in get(demo_server + path)[1]]
    assert boxes, "no article of the sample shows a SEE ALSO box"
    assert "Get a daily dose of Chile Sun news through our daily email" in article
    assert "submitting a news release to Chile Sun" in article
    assert "More Information" in article

    # the second edition has its own zone and section mix
    status, euro = get(demo_server + "/euro-ledger/")
    assert status == 200
    assert ">Sport</a>" not in euro
    assert re.search(r"GMT\+[12]\b", euro)  # Paris, summer or winter (the sample is dated now)

    # served on its own host name too
    status, by_host = get(demo_server + "/", host="chilesun.localhost")
    assert status == 200 and 'href="/news/' in by_host

    assert get(demo_server + "/chile-sun/news/999999/nothing")[0] == 404

    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', home).group(1)
    status, css = get(demo_server + stylesheet)
    assert status == 200 and ".see-also" in css


def test_chile_hoy_is_the_spanish_edition_and_the_arabic_item_reads_right_to_left(
        demo_server):
    status, home = get(demo_server + "/chile-hoy/")
    assert status == 200
    assert re.search(r'<html[^>]* lang="es"', home) and 'dir="rtl"' not in home
    assert "El Banco Central de Chile mantiene la tasa de interés en 5%" in home
    assert "Colo-Colo gana el superclásico ante Universidad de Chile" in home
    status, by_host = get(demo_server + "/", host="chilehoy.localhost")
    assert status == 200 and re.search(r'<html[^>]* lang="es"', by_host)
    assert "Chile Hoy" in get(demo_server + "/")[1]

    _status, front = get(demo_server + "/chile-sun/")
    assert "Banco Central de Chile" not in front  # the English edition: no Spanish copy
    path = re.search(r'href="(/chile-sun/news/\d+/[a-z0-9-]+)" lang="ar" dir="rtl"',
                     front).group(1)
    status, article = get(demo_server + path)
    assert status == 200
    assert re.search(r'<html[^>]* lang="en"', article)
    assert '<article class="primary story" lang="ar" dir="rtl">' in article
    assert "هيئة البيئة في أبوظبي" in article


def test_the_same_story_from_two_agencies_shows_once(demo_server):
    _status, home = get(demo_server + "/chile-sun/")
    assert "UAE, India co-host UN side event" in home
    assert "UAE and India hold UN event on paying for desalination" not in home  # the WAM copy
    path = re.search(r'href="(/chile-sun/news/\d+/uae-india-co-host[\w-]*)"', home).group(1)
    _status, article = get(demo_server + path)
    assert "Also reported by" in article and "WAM" in article


def test_the_sample_is_dated_within_the_last_two_days(demo):
    """The sample copy (written with July 2025 dates) is dated relative to now: the feed
    the demo polls says so, and the pages show it."""
    now = datetime.now(UTC)
    _status, feed = get(demo.base + "/chile-sun/feed.rss")
    dates = [parsedate_to_datetime(d) for d in re.findall(r"<pubDate>([^<]+)</pubDate>", feed)]
    assert len(dates) >= 10
    assert all(now - timedelta(days=2) <= d <= now for d in dates), dates
    assert max(dates) >= now - timedelta(hours=2)
    _status, home = get(demo.base + "/chile-sun/")
    # CLDR's international English: "1 Dec 2026", "12 Sept 2026".
    shown = {datetime.strptime(d.replace("Sept", "Sep"), "%d %b %Y").date()
             for d in re.findall(r"\b(\d{1,2} \w{3,4} \d{4}), \d{2}:\d{2} GMT", home)}
    sydney = now.astimezone(ZoneInfo("Australia/Sydney")).date()
    assert shown and shown <= {sydney - timedelta(days=n) for n in range(3)}, shown


def test_every_absolute_link_carries_the_demo_port(demo):
    """Pages (canonical, og:url, JSON-LD, feed links), feeds, sitemaps and the API."""
    port = demo.port
    _status, home = get(demo.base + "/", host="chilesun.localhost")
    article = re.search(r'href="(/news/\d+/[\w-]+)"', home).group(1)
    _status, page = get(demo.base + article, host="chilesun.localhost")
    for marker in ('rel="canonical"', 'property="og:url"', "application/ld+json",
                   "application/rss+xml"):
        assert marker in page, marker
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', page).group(1)
    # Its own host's page, or Euro Ledger's for a business story (the demo makes Euro
    # Ledger the canonical home of business: editions/canonical.py).
    assert re.fullmatch(rf"http://(chilesun|euroledger)\.localhost:{port}{article}", canonical)
    checked = own_links(home) + own_links(page)
    for path in ("/chile-sun/feed.rss", "/chile-sun/feed.atom", "/chile-sun/feed.json",
                 "/chile-sun/sitemap.xml", "/chile-sun/sitemap-news.xml",
                 "/euro-ledger/feed.rss", "/api/editions", "/api/articles?edition=chile-sun"):
        status, body = get(demo.base + path)
        assert status == 200, path
        links = own_links(body)
        assert links, f"no absolute links in {path}"
        checked += links
    assert_on_port(checked, port)
    assert f"http://euroledger.localhost:{port}/" in get(demo.base + "/api/editions")[1]


def test_the_demo_serves_ninjs_and_newsml_g2(demo):
    """Partners' formats from the served demo: each edition's NINJS and G2 feeds, and an
    article by content negotiation; every address on the demo's port."""
    from lxml import etree

    status, body = get(demo.base + "/chile-sun/feed.ninjs.json")
    assert status == 200
    items = json.loads(body)["items"]
    assert len(items) >= 10 and all(i["pubstatus"] == "usable" for i in items)
    assert_on_port(own_links(body), demo.port)
    status, body = get(demo.base + "/euro-ledger/feed.newsml.xml")
    assert status == 200 and etree.fromstring(body.encode()).tag.endswith("newsMessage")
    article_id = json.loads(get(demo.base + "/api/articles?edition=chile-sun")[1])[
        "items"][0]["id"]
    request = urllib.request.Request(f"{demo.base}/api/articles/{article_id}",
                                     headers={"Accept": "application/vnd.iptc.g2.newsitem+xml"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Content-Type"].startswith(
            "application/vnd.iptc.g2.newsitem+xml")
        assert "Accept" in response.headers["Vary"]
        assert b"<newsItem" in response.read()


def test_the_demo_is_its_own_websub_hub(demo):
    """Its feeds name its own hub, which answers subscription requests (a topic that is
    none of its feeds is refused)."""
    _status, feed = get(demo.base + "/chile-sun/feed.rss")
    hub = re.search(r'<atom:link href="([^"]+)" rel="hub"', feed).group(1)
    assert hub == f"http://localhost:{demo.port}/websub/"
    request = urllib.request.Request(demo.base + "/websub/", data=b"hub.mode=subscribe&"
                                     b"hub.topic=https%3A%2F%2Felsewhere.example%2F&"
                                     b"hub.callback=https%3A%2F%2Fsub.example%2Fcb")
    try:
        urllib.request.urlopen(request, timeout=30)
        raise AssertionError("a topic that is not the demo's was accepted")
    except urllib.error.HTTPError as refused:
        assert refused.code == 400 and b"not a feed of this site" in refused.read()


def open_newest_mail(page, demo, *, to: str):
    """Open the demo mailbox (newest first) and the newest message to ``to``."""
    page.goto(demo.site + "/_mail/")
    row = page.locator("table.mailbox tbody tr", has_text=to).first
    row.locator("a").click()
    page.wait_for_selector("h1")
    return page


def test_digest_double_opt_in_through_the_demo_mailbox(demo, page):
    """Sign up on the edition page, open /_mail/, follow the link in the mail, confirm;
    then a digest sent by hand (`wiredesk digest send --now`) arrives with news."""
    port, reader = demo.port, "newcomer@example.org"
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(demo.site + "/chile-sun/")
    page.fill("#signup-email", reader)
    page.click(".signup button[type=submit]")
    page.wait_for_selector("text=Check your inbox")

    open_newest_mail(page, demo, to=reader)
    frame = page.frame_locator("iframe.mail-html")
    confirm = frame.locator("a[href*='/digest/confirm/']").first
    assert re.match(rf"http://chilesun\.localhost:{port}/digest/confirm/",
                    confirm.get_attribute("href"))
    confirm.click()  # the link opens in the window, as in a mail reader
    page.wait_for_url(re.compile(r".*/digest/confirm/.*"))
    page.click("button:has-text('Confirm subscription')")
    page.wait_for_selector("text=You are subscribed")
    assert page.url.startswith(f"http://chilesun.localhost:{port}/")

    # The digest, sent from another terminal: it links to the demo's port as well.
    assert "1 sent" in demo.run("digest", "send", "--now")
    open_newest_mail(page, demo, to=reader)
    assert "Chile Sun daily" in page.locator("h1").inner_text()
    frame = page.frame_locator("iframe.mail-html")
    hrefs = frame.locator("a").evaluate_all("links => links.map(a => a.href)")
    assert len([h for h in hrefs if "/news/" in h]) >= 3
    assert_on_port([h for h in hrefs if OWN_LINK.match(h)], port)
    frame.locator("a[href*='/news/']").first.click()
    page.wait_for_url(re.compile(r".*/news/\d+/.*"))
    assert page.locator("article h1").count() == 1

    assert_on_port([u for u in requests if u.startswith("http")], port)


def test_news_release_verification_through_the_demo_mailbox(demo, page):
    """Submit a release, open the verification mail in /_mail/, follow its link, confirm;
    approved by hand (`wiredesk releases approve`), its links carry the port too."""
    port, submitter = demo.port, "ana@harbour.example"
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(demo.site + "/chile-sun/")
    page.click("text=Submit a news release to Chile Sun")
    page.fill('[name="organisation"]', "Harbour Market Society")
    page.fill('[name="contact_name"]', "Ana Reyes")
    page.fill('[name="email"]', submitter)
    page.fill('[name="headline"]', "Harbour market reopens with forty stalls")
    page.fill('[name="body"]', "The harbour market reopens on Sunday with forty stalls, "
              "music and a fish auction, after a winter of repairs to the old quay.\n\n"
              "Stallholders from the whole coast are expected, and the society thanks "
              "everyone who helped rebuild the roof.")
    page.select_option('select[name="category"]', "community")
    page.check("#field-editions label:has-text('Chile Sun') input")
    page.click('main button[type="submit"]')
    page.wait_for_url(re.compile(r".*/releases/sent$"))

    open_newest_mail(page, demo, to=submitter)
    verify = page.locator("pre.mail-text a[href*='/releases/verify/']").first
    assert re.match(rf"http://chilesun\.localhost:{port}/releases/verify/",
                    verify.get_attribute("href"))
    verify.click()
    page.wait_for_url(re.compile(r".*/releases/verify/.*"))
    page.click("#confirm")
    page.wait_for_selector("#status-link")

    release_id = demo.run("releases", "list", "--status", "pending").split()[0]
    approved = demo.run("releases", "approve", release_id)
    links = own_links(approved)
    assert links and all(f":{port}/" in link for link in links), approved
    open_newest_mail(page, demo, to=submitter)
    article = page.locator("pre.mail-text a[href*='/news/']").first
    assert article.get_attribute("href") == links[0]
    article.click()
    page.wait_for_url(re.compile(r".*/news/\d+/.*"))
    assert "Harbour market reopens" in page.content()

    assert_on_port([u for u in requests if u.startswith("http")], port)


def test_the_demo_records_its_address_for_commands_run_by_hand(demo):
    record = json.loads((demo.data_dir / "demo.json").read_text())
    assert record == {"base_url": demo.site}


def test_a_busy_port_is_one_line_and_no_build(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        data_dir = make_data_dir(tmp_path / "data")
        started = time.monotonic()
        result = subprocess.run([WIREDESK, "demo", "--port", str(port), "--data-dir",
                                 str(data_dir.path)], env=data_dir.env, capture_output=True,
                                text=True, timeout=30)
        took = time.monotonic() - started
    assert result.returncode != 0
    assert took < 5
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert re.fullmatch(rf"wiredesk: error: port {port} is busy: make demo PORT=(\d+) "
                        rf"\(or wiredesk demo --port \1\)", line), line
    assert not (data_dir.path / "wiredesk.sqlite3").exists()  # nothing was built


def test_make_demo_asks_for_the_port_before_installing(tmp_path):
    """`make demo PORT=busy` answers from the system Python, before any virtualenv."""
    root = Path(__file__).resolve().parents[2]
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(["python3", "-m", "wiredesk.core.ports", "127.0.0.1",
                                 str(port)], cwd=root, env={**os.environ,
                                                            "PYTHONPATH": str(root / "src")},
                                capture_output=True, text=True, timeout=10)
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert f"port {port} is busy" in line and "--port" in line


def test_the_mailbox_is_never_served_by_wiredesk_serve(instance, tmp_path):
    instance.run("demo", "--no-serve", "--port", "8000")  # a demo's data directory, even
    base = instance.serve()
    assert get(base + "/_mail/")[0] == 404
    assert get(base + "/chile-sun/")[0] == 200
    env = {**instance.env, "WIREDESK_DEMO_MAILBOX": "1"}
    refused = subprocess.run([WIREDESK, "serve", "--port", str(free_port())], env=env,
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0
    assert "WIREDESK_DEMO_MAILBOX is for `wiredesk demo` only" in refused.stderr
